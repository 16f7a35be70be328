// Synthetic test-clip pattern shared by the Node fixture generator and browser tests (any thread; pure).
// Frame i is filled with a colour that encodes i, with a white marker in the top-left corner for rotation.

export const PATTERN_WIDTH = 160;
export const PATTERN_HEIGHT = 120;
export const PATTERN_FRAMES = 40;
export const PATTERN_FPS = 20;

const LEVELS = [40, 100, 160, 220] as const;

/** The background colour of frame `i`: 64 distinct colours, channels 60 levels apart. */
export function patternColour(i: number): readonly [number, number, number] {
  const level = (k: number): number => LEVELS[k % 4] ?? 0;
  return [level(i), level(i >> 2), level(i >> 4)];
}

/** True inside the white marker (the top-left quarter-by-quarter block). */
export function inMarker(x: number, y: number, width: number, height: number): boolean {
  return x < Math.floor(width / 4) && y < Math.floor(height / 4);
}

/** Frame `i` as u8[height, width, 3]. */
export function patternFrameRgb(i: number, width = PATTERN_WIDTH, height = PATTERN_HEIGHT): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  const [r, g, b] = patternColour(i);
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += 3) {
      const white = inMarker(x, y, width, height);
      out[o] = white ? 255 : r;
      out[o + 1] = white ? 255 : g;
      out[o + 2] = white ? 255 : b;
    }
  }
  return out;
}

/** The frame index whose colour is nearest to `rgb` (for checking decoded frames), and the distance. */
export function nearestPatternIndex(
  rgb: readonly [number, number, number],
  count = 64,
): { index: number; distance: number } {
  let best = { index: -1, distance: Number.POSITIVE_INFINITY };
  for (let i = 0; i < count; i++) {
    const c = patternColour(i);
    const distance = Math.max(Math.abs(c[0] - rgb[0]), Math.abs(c[1] - rgb[1]), Math.abs(c[2] - rgb[2]));
    if (distance < best.distance) best = { index: i, distance };
  }
  return best;
}

export type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

/** Which corner of a u8[height, width, 3] frame holds the white marker (brightest corner sample). */
export function markerCorner(frame: Uint8Array, width: number, height: number): Corner {
  const inset = (n: number): number => Math.max(1, Math.floor(n / 16));
  const lum = (x: number, y: number): number => {
    const o = (y * width + x) * 3;
    return (frame[o] ?? 0) + (frame[o + 1] ?? 0) + (frame[o + 2] ?? 0);
  };
  const dx = inset(width);
  const dy = inset(height);
  const corners: [Corner, number][] = [
    ['top-left', lum(dx, dy)],
    ['top-right', lum(width - 1 - dx, dy)],
    ['bottom-left', lum(dx, height - 1 - dy)],
    ['bottom-right', lum(width - 1 - dx, height - 1 - dy)],
  ];
  corners.sort((a, b) => b[1] - a[1]);
  return corners[0]?.[0] ?? 'top-left';
}

/** Mean colour of the central region of a u8[height, width, 3] frame (away from the marker). */
export function centreColour(frame: Uint8Array, width: number, height: number): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = Math.floor(height * 0.4); y < Math.ceil(height * 0.6); y++) {
    for (let x = Math.floor(width * 0.4); x < Math.ceil(width * 0.6); x++) {
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) sum[c] = (sum[c] ?? 0) + (frame[o + c] ?? 0);
      n++;
    }
  }
  return [(sum[0] ?? 0) / n, (sum[1] ?? 0) / n, (sum[2] ?? 0) / n];
}
