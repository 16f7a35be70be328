// View extraction: exact copy at scale 1 (crop offsets, flip, C,T,H,W layout), and resize that keeps uniform frames.
import { describe, expect, it } from 'vitest';
import { extractView, resizedSize } from './extractView.ts';

describe('extractView', () => {
  // 2 frames of 4×3 (w×h); pixel value = 100·t + 10·y + x on channel 0, 1 and 2 on the others
  const frames = new Uint8Array(2 * 3 * 4 * 3);
  for (let t = 0; t < 2; t++)
    for (let y = 0; y < 3; y++)
      for (let x = 0; x < 4; x++) {
        const i = ((t * 3 + y) * 4 + x) * 3;
        frames[i] = 100 * t + 10 * y + x;
        frames[i + 1] = 1;
        frames[i + 2] = 2;
      }
  const src = { frames, count: 2, width: 4, height: 3 };
  it('copies the crop box at scale 1, flipped when asked, as f32[3, T, c, c]', () => {
    const out = new Float32Array(3 * 2 * 2 * 2);
    extractView(src, 3, { x: 1, y: 1, w: 2, h: 2, flip: false }, [0, 0, 0], [1, 1, 1], out, 0);
    expect(Array.from(out.slice(0, 8))).toEqual([11, 12, 21, 22, 111, 112, 121, 122]);
    expect(Array.from(out.slice(8, 12))).toEqual([1, 1, 1, 1]);
    extractView(src, 3, { x: 1, y: 1, w: 2, h: 2, flip: true }, [0, 0, 0], [1, 1, 1], out, 0);
    expect(Array.from(out.slice(0, 4))).toEqual([12, 11, 22, 21]);
  });
  it('resizes the short side (long side rounded) and leaves uniform colours unchanged, normalised', () => {
    expect(resizedSize(340, 256, 128)).toEqual({ width: 170, height: 128 });
    expect(resizedSize(171, 128, 112)).toEqual({ width: 150, height: 112 });
    const flat = new Uint8Array(5 * 7 * 3).fill(60);
    const out = new Float32Array(3 * 1 * 9 * 9);
    extractView(
      { frames: flat, count: 1, width: 7, height: 5 },
      10,
      { x: 2, y: 1, w: 9, h: 9, flip: false },
      [10, 20, 30],
      [2, 4, 5],
      out,
      0,
    );
    expect(new Set(out.slice(0, 81))).toEqual(new Set([25]));
    expect(new Set(out.slice(162))).toEqual(new Set([6]));
  });
});
