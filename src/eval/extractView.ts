// One test view as model input (compute worker; pure): resize stored frames so the short side is the protocol's
// (bilinear, half-pixel centres), crop the view's box, flip if asked, normalise with mean/std, lay out C,T,H,W.

import type { CropBox } from './views.ts';

export interface StoredFrames {
  /** u8[T, height, width, 3] RGB, the view's frames in clip order. */
  readonly frames: Uint8Array;
  readonly count: number;
  readonly width: number;
  readonly height: number;
}

/** Size of the frames after resizing the short side to `shortSide` (MMAction2 Resize(-1, s): long side rounded). */
export function resizedSize(
  width: number,
  height: number,
  shortSide: number,
): { width: number; height: number } {
  if (width <= height) return { width: shortSide, height: Math.round((height * shortSide) / width) };
  return { width: Math.round((width * shortSide) / height), height: shortSide };
}

/**
 * Writes the view into `out` (f32[3, T, c, c] at element `offset`): pixel (y, x) of the crop reads the resized
 * frame at (box.y + y, box.x + x), sampled bilinearly from the stored frame; (v − mean[c]) / std[c].
 */
export function extractView(
  src: StoredFrames,
  shortSide: number,
  box: CropBox,
  mean: readonly number[],
  std: readonly number[],
  out: Float32Array,
  offset: number,
): void {
  const { width: rw, height: rh } = resizedSize(src.width, src.height, shortSide);
  const sx = src.width / rw;
  const sy = src.height / rh;
  const c = box.w;
  const t = src.count;
  const axis = (p: number, scale: number, n: number): [number, number, number] => {
    const f = Math.min(Math.max((p + 0.5) * scale - 0.5, 0), n - 1);
    const i0 = Math.floor(f);
    return [i0, Math.min(i0 + 1, n - 1), f - i0];
  };
  const xs = Array.from({ length: c }, (_, x) => axis(box.x + (box.flip ? c - 1 - x : x), sx, src.width));
  const ys = Array.from({ length: box.h }, (_, y) => axis(box.y + y, sy, src.height));
  const frameBytes = src.width * src.height * 3;
  for (let ti = 0; ti < t; ti++) {
    const base = ti * frameBytes;
    for (let y = 0; y < box.h; y++) {
      const [y0, y1, wy] = ys[y] ?? [0, 0, 0];
      for (let x = 0; x < c; x++) {
        const [x0, x1, wx] = xs[x] ?? [0, 0, 0];
        for (let ch = 0; ch < 3; ch++) {
          const p = (yy: number, xx: number): number =>
            src.frames[base + (yy * src.width + xx) * 3 + ch] ?? 0;
          const top = p(y0, x0) * (1 - wx) + p(y0, x1) * wx;
          const bottom = p(y1, x0) * (1 - wx) + p(y1, x1) * wx;
          const v = top * (1 - wy) + bottom * wy;
          out[offset + ((ch * t + ti) * box.h + y) * c + x] = (v - (mean[ch] ?? 0)) / (std[ch] ?? 1);
        }
      }
    }
  }
}
