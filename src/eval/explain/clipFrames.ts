// Clip preparation for explanations (pure, any thread): RGB frames resized (short side to fit) and centre-cropped to
// the model's H×W, and the clip normalised to f32[1,T,H,W,3] with per-channel mean / std.

/** src u8[n, sh, sw, 3] → u8[n, h, w, 3]: bilinear, scaled so the crop fills h×w, centre crop. */
export function fitFrames(
  src: Uint8Array,
  n: number,
  sh: number,
  sw: number,
  h: number,
  w: number,
): Uint8Array {
  const out = new Uint8Array(n * h * w * 3);
  const scale = Math.min(sh / h, sw / w); // source pixels per output pixel
  const top = (sh - h * scale) / 2;
  const left = (sw - w * scale) / 2;
  for (let f = 0; f < n; f++)
    for (let y = 0; y < h; y++) {
      const sy = Math.min(sh - 1, Math.max(0, top + (y + 0.5) * scale - 0.5));
      const y0 = Math.floor(sy);
      const y1 = Math.min(sh - 1, y0 + 1);
      const fy = sy - y0;
      for (let x = 0; x < w; x++) {
        const sx = Math.min(sw - 1, Math.max(0, left + (x + 0.5) * scale - 0.5));
        const x0 = Math.floor(sx);
        const x1 = Math.min(sw - 1, x0 + 1);
        const fx = sx - x0;
        for (let c = 0; c < 3; c++) {
          const at = (yy: number, xx: number): number => src[((f * sh + yy) * sw + xx) * 3 + c] ?? 0;
          const v =
            (at(y0, x0) * (1 - fx) + at(y0, x1) * fx) * (1 - fy) +
            (at(y1, x0) * (1 - fx) + at(y1, x1) * fx) * fy;
          out[((f * h + y) * w + x) * 3 + c] = Math.round(v);
        }
      }
    }
  return out;
}

/** frames u8[T,H,W,3] → f32[T·H·W·3] (NDHWC, N = 1): (v − mean) / std per channel. */
export function normaliseClip(
  frames: Uint8Array,
  mean: readonly [number, number, number],
  std: readonly [number, number, number],
): Float32Array {
  return Float32Array.from(frames, (v, i) => (v - (mean[i % 3] ?? 0)) / (std[i % 3] ?? 1));
}

/** The inverse of normaliseClip, clamped to bytes (for tensor inputs shown as frames). */
export function denormaliseClip(
  x: Float32Array,
  mean: readonly [number, number, number],
  std: readonly [number, number, number],
): Uint8Array {
  return Uint8Array.from(x, (v, i) =>
    Math.round(Math.min(255, Math.max(0, v * (std[i % 3] ?? 1) + (mean[i % 3] ?? 0)))),
  );
}
