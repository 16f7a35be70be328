// Prediction inputs (Node): a video's centre clip (MMAction2 test-mode sampling, centre crop, mean/std, NCTHW)
// from hand-made frames, and the checks on --input-tensor files.
import { describe, expect, it } from 'vitest';
import { TubeletError } from '../shared/errors.ts';
import { writeSafetensors } from '../models/weights/safetensors.ts';
import { centreClip, inputFromSafetensors, topK } from './predict.ts';

const MEAN = [123.675, 116.28, 103.53];
const STD = [58.395, 57.12, 57.375];
const pixel = (f: number, y: number, x: number, c: number): number => f * 40 + y * 8 + x + c * 2;

function stack(frameCount: number, height: number, width: number) {
  const frames = new Uint8Array(frameCount * height * width * 3);
  for (let f = 0; f < frameCount; f++)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        for (let c = 0; c < 3; c++) frames[((f * height + y) * width + x) * 3 + c] = pixel(f, y, x, c);
  return { frames, frameCount, height, width };
}

function expected(frameIds: number[], top: number, left: number, h: number, w: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < 3; c++)
    for (const f of frameIds)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          out.push((pixel(f, top + y, left + x, c) - (MEAN[c] ?? 0)) / (STD[c] ?? 1));
  return out;
}

const maxErr = (got: Float32Array, want: readonly number[]): number => {
  expect(got.length).toBe(want.length);
  return Math.max(...Array.from(got, (v, i) => Math.abs(v - (want[i] ?? NaN))));
};

describe('centre clip', () => {
  it('takes the centre frames and the centre crop, normalised, in [1,3,T,H,W]', () => {
    // 5 frames, clip of 3: MMAction2 test mode starts at int((5 − 3 + 1) / 2) = 1.
    const x = centreClip(stack(5, 4, 6), [3, 2, 2]);
    expect(x.shape).toEqual([1, 3, 3, 2, 2]);
    const want = expected([1, 2, 3], 1, 2, 2, 2);
    expect(maxErr(x.data, want)).toBeLessThan(1e-5);
  });

  it('loops a video shorter than the clip', () => {
    const x = centreClip(stack(2, 2, 2), [3, 2, 2]);
    const want = expected([0, 1, 0], 0, 0, 2, 2);
    expect(maxErr(x.data, want)).toBeLessThan(1e-5);
  });
});

describe('input tensors', () => {
  const file = (shape: number[], name = 'x', dtype: 'float32' | 'float64' = 'float32') =>
    writeSafetensors([
      [
        name,
        {
          dtype,
          shape,
          data:
            dtype === 'float32'
              ? new Float32Array(shape.reduce((a, b) => a * b, 1))
              : new Float64Array(shape.reduce((a, b) => a * b, 1)),
        },
      ],
    ]);

  it('reads float32 x [N,3,T,H,W]', () => {
    expect(inputFromSafetensors(file([2, 3, 4, 8, 8]), 'clip.safetensors').shape).toEqual([2, 3, 4, 8, 8]);
  });

  it.each([
    [[1, 3, 4, 8, 8], 'y', 'float32', /clip\.safetensors: holds no tensor named x/],
    [[1, 3, 4, 8, 8], 'x', 'float64', /clip\.safetensors: x is float64, not float32/],
    [[3, 4, 8, 8], 'x', 'float32', /x is \[3, 4, 8, 8\], not \[N, 3, T, H, W\]/],
  ] as const)('refuses %j named %s (%s)', (shape, name, dtype, message) => {
    const e = (() => {
      try {
        inputFromSafetensors(file([...shape], name, dtype), 'clip.safetensors');
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(TubeletError);
    expect((e as TubeletError).message).toMatch(message);
    expect((e as TubeletError).hint).toMatch(/save_file\(\{"x"/);
  });

  it('ranks top-k by probability, ties by index', () => {
    expect(topK([0.1, 0.4, 0.1, 0.4], 3).map((t) => t.index)).toEqual([1, 3, 0]);
    expect(topK([1], 5)).toEqual([{ index: 0, label: null, prob: 1 }]);
  });
});
