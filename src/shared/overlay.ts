// Heat-map overlays (pure, any thread): a u8 map coloured with a jet-like ramp and alpha-blended on an RGB frame,
// as RGBA bytes for ImageData (the Visualise panel) or a PNG writer (tubelet explain).

/** v 0…255 → [r, g, b] on a blue → cyan → yellow → red ramp. */
export function heatColour(v: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, v / 255));
  const ch = (centre: number): number =>
    Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * x - centre))));
  return [ch(3), ch(2), ch(1)];
}

/**
 * frame u8[H,W,3] (the `index`-th of a u8[T,H,W,3] stack), map u8[T,H,W] → u8[H,W,4] with
 * rgb = (1 − α)·frame + α·heat, α = opacity (0…1), alpha channel 255.
 */
export function overlayFrame(
  frames: Uint8Array,
  map: Uint8Array,
  index: number,
  h: number,
  w: number,
  opacity: number,
): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(h * w * 4);
  const a = Math.min(1, Math.max(0, opacity));
  for (let p = 0; p < h * w; p++) {
    const heat = heatColour(map[index * h * w + p] ?? 0);
    for (let c = 0; c < 3; c++) {
      const v = frames[(index * h * w + p) * 3 + c] ?? 0;
      out[p * 4 + c] = (1 - a) * v + a * (heat[c] ?? 0);
    }
    out[p * 4 + 3] = 255;
  }
  return out;
}
