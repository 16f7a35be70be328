// Square crop + bilinear resize of packed RGB frames (compute worker; pure). Frames of one dataset share their
// short side in the frame store, so cropping each clip to a short-side square (random offset for training,
// centred for evaluation) gives every clip of a batch the same size before GPU augmentation.

export interface FrameGeometry {
  readonly width: number;
  readonly height: number;
}

/** Top-left corner of the short-side square; `t` in [0, 1] picks the offset along the long side (0.5 = centre). */
export function squareOrigin(g: FrameGeometry, t: number): { x: number; y: number; side: number } {
  const side = Math.min(g.width, g.height);
  const slack = Math.max(g.width, g.height) - side;
  const offset = Math.min(slack, Math.max(0, Math.round(slack * t)));
  return g.width >= g.height ? { x: offset, y: 0, side } : { x: 0, y: offset, side };
}

/**
 * Crops every frame of `frames` (u8[n, height, width, 3]) to the square of side min(width, height) at offset
 * `t` and resizes it to `size`×`size` with bilinear interpolation (half-pixel centres, as OpenCV's INTER_LINEAR
 * and torch's align_corners=False). Writes u8[n, size, size, 3] into `out` at element offset `outOffset`.
 */
export function cropResizeFrames(
  frames: Uint8Array,
  n: number,
  g: FrameGeometry,
  t: number,
  size: number,
  out: Uint8Array,
  outOffset: number,
): void {
  const { x: x0, y: y0, side } = squareOrigin(g, t);
  const frameBytes = g.width * g.height * 3;
  if (frames.length < n * frameBytes)
    throw new RangeError(`cropResizeFrames: ${frames.length} bytes hold fewer than ${n} frames`);
  if (out.length < outOffset + n * size * size * 3)
    throw new RangeError(`cropResizeFrames: the output is too small for ${n} frames of ${size}²`);
  const scale = side / size;
  // Source sample positions and weights per output column/row (shared by every frame).
  const lo = (p: number): [number, number, number] => {
    const s = Math.min(side - 1, Math.max(0, (p + 0.5) * scale - 0.5));
    const a = Math.floor(s);
    const b = Math.min(side - 1, a + 1);
    return [a, b, s - a];
  };
  const cols = Array.from({ length: size }, (_, i) => lo(i));
  const rows = Array.from({ length: size }, (_, i) => lo(i));
  for (let f = 0; f < n; f++) {
    const src = f * frameBytes;
    let o = outOffset + f * size * size * 3;
    for (const [ya, yb, wy] of rows) {
      const rowA = src + (y0 + ya) * g.width * 3;
      const rowB = src + (y0 + yb) * g.width * 3;
      for (const [xa, xb, wx] of cols) {
        const ca = (x0 + xa) * 3;
        const cb = (x0 + xb) * 3;
        for (let ch = 0; ch < 3; ch++) {
          const top = (frames[rowA + ca + ch] ?? 0) * (1 - wx) + (frames[rowA + cb + ch] ?? 0) * wx;
          const bottom = (frames[rowB + ca + ch] ?? 0) * (1 - wx) + (frames[rowB + cb + ch] ?? 0) * wx;
          out[o++] = Math.round(top * (1 - wy) + bottom * wy);
        }
      }
    }
  }
}
