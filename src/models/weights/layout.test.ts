import { describe, expect, it } from 'vitest';
import { Rng } from '../../shared/random.ts';
import type { WeightTensor } from './dtypes.ts';
import {
  activationsFromTf,
  activationsToTf,
  contiguousStrides,
  conv2dWeightFromTf,
  conv2dWeightToTf,
  conv3dWeightFromTf,
  conv3dWeightToTf,
  deflateConv3dWeight,
  groupedConv3dWeightFromTf,
  groupedConv3dWeightToTf,
  inflateConv2dWeight,
  linearWeightToTf,
  permute,
  stridedCopy,
} from './layout.ts';

const f32 = (shape: number[], rng = new Rng(1)): WeightTensor => ({
  dtype: 'float32',
  shape,
  data: rng.float32(shape.reduce((a, b) => a * b, 1)),
});
const at = (t: WeightTensor, index: number[]): number | bigint | undefined => {
  const strides = contiguousStrides(t.shape);
  return t.data[index.reduce((sum, i, d) => sum + i * (strides[d] ?? 0), 0)];
};

describe('layout conversion', () => {
  it('moves Conv3d weights [out,in,t,h,w] → [t,h,w,in,out] and back', () => {
    const w = f32([4, 3, 2, 3, 5]);
    const tf = conv3dWeightToTf(w);
    expect(tf.shape).toEqual([2, 3, 5, 3, 4]);
    for (const [o, i, t, h, x] of [
      [0, 0, 0, 0, 0],
      [3, 2, 1, 2, 4],
      [1, 2, 0, 1, 3],
    ] as const) {
      expect(at(tf, [t, h, x, i, o])).toBe(at(w, [o, i, t, h, x]));
    }
    expect(conv3dWeightFromTf(tf)).toEqual(w);
  });

  it('moves Conv2d, Linear and grouped Conv3d weights and video activations', () => {
    const c2 = f32([6, 2, 3, 3]);
    expect(conv2dWeightToTf(c2).shape).toEqual([3, 3, 2, 6]);
    expect(at(conv2dWeightToTf(c2), [2, 1, 1, 5])).toBe(at(c2, [5, 1, 2, 1]));
    expect(conv2dWeightFromTf(conv2dWeightToTf(c2))).toEqual(c2);
    const fc = f32([3, 5]);
    expect(at(linearWeightToTf(fc), [4, 2])).toBe(at(fc, [2, 4]));
    const grouped = f32([8, 2, 3, 1, 1]); // 8 outputs, 4 groups of 2 inputs
    const g = groupedConv3dWeightToTf(grouped, 4);
    expect(g.shape).toEqual([3, 1, 1, 2, 8]);
    expect(groupedConv3dWeightFromTf(g, 4)).toEqual(grouped);
    expect(() => groupedConv3dWeightToTf(grouped, 3)).toThrow(/do not split into 3 groups/);
    const x = f32([2, 3, 4, 5, 6]);
    const nthwc = activationsToTf(x);
    expect(nthwc.shape).toEqual([2, 4, 5, 6, 3]);
    expect(at(nthwc, [1, 3, 4, 5, 2])).toBe(at(x, [1, 2, 3, 4, 5]));
    expect(activationsFromTf(nthwc)).toEqual(x);
  });

  it('keeps dtype and works for 8-byte and 2-byte elements', () => {
    const long: WeightTensor = {
      dtype: 'int64',
      shape: [2, 3],
      data: new BigInt64Array([1n, 2n, 3n, -4n, 5n, 6n]),
    };
    expect(permute(long, [1, 0])).toEqual({
      dtype: 'int64',
      shape: [3, 2],
      data: new BigInt64Array([1n, -4n, 2n, 5n, 3n, 6n]),
    });
    const half: WeightTensor = { dtype: 'float16', shape: [2, 2], data: new Uint16Array([1, 2, 3, 4]) };
    expect(permute(half, [1, 0]).data).toEqual(new Uint16Array([1, 3, 2, 4]));
    expect(() => permute(half, [0, 0])).toThrow(/not a permutation/);
    expect(() => conv3dWeightToTf(half)).toThrow(/must be \[out, in, t, h, w\]/);
  });

  it('copies strided views (offset, zero strides, scalars)', () => {
    const src = new Float32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(stridedCopy(src, [2, 3], [1, 2], 1)).toEqual(new Float32Array([1, 3, 5, 2, 4, 6]));
    expect(stridedCopy(src, [2, 2], [0, 1], 4)).toEqual(new Float32Array([4, 5, 4, 5]));
    expect(stridedCopy(src, [], [], 7)).toEqual(new Float32Array([7]));
    expect(stridedCopy(src, [0, 3], [3, 1], 0)).toEqual(new Float32Array(0));
  });
});

describe('2-D → 3-D inflation', () => {
  const w2 = f32([2, 3, 3, 3], new Rng(4));

  it("'average' replicates w2 / t over time (I3D)", () => {
    const w3 = inflateConv2dWeight(w2, 3, 'average');
    expect(w3.shape).toEqual([2, 3, 3, 3, 3]);
    for (let t = 0; t < 3; t++)
      expect(at(w3, [1, 2, t, 0, 1])).toBeCloseTo(Number(at(w2, [1, 2, 0, 1])) / 3, 6);
  });

  it("'centre' puts w2 at ⌊t/2⌋ and zeros elsewhere", () => {
    const w3 = inflateConv2dWeight(w2, 4, 'centre');
    expect(at(w3, [0, 1, 2, 2, 2])).toBe(at(w2, [0, 1, 2, 2]));
    expect(at(w3, [0, 1, 1, 2, 2])).toBe(0);
    expect(at(w3, [0, 1, 3, 2, 2])).toBe(0);
  });

  it('gives a clip of identical frames the 2-D response, and deflation undoes both modes', () => {
    for (const mode of ['average', 'centre'] as const) {
      const w3 = inflateConv2dWeight(w2, 5, mode);
      const back = deflateConv3dWeight(w3);
      expect(back.shape).toEqual(w2.shape);
      back.data.forEach((v, i) => {
        expect(Number(v)).toBeCloseTo(Number(w2.data[i]), 6);
      });
    }
  });
});
