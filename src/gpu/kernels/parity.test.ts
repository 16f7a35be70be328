import { describe, expect, it } from 'vitest';
import { maxAbs, maxAbsDiff, parityTolerance } from './parity.ts';
import { matmulRef } from './matmul/matmul.ref.ts';

describe('parity measures', () => {
  it('finds the largest absolute difference', () => {
    expect(maxAbsDiff([1, 2, 3], [1, 2.5, 2])).toBe(1);
    expect(maxAbsDiff([], [])).toBe(0);
  });

  it('propagates NaN as a failure, wherever it appears', () => {
    expect(maxAbsDiff([Number.NaN, 1], [0, 1])).toBeNaN();
    expect(maxAbsDiff([5, Number.NaN], [0, 1])).toBeNaN();
    expect(maxAbsDiff([0, 1], [0, 1]) <= parityTolerance([1])).toBe(true);
  });

  it('refuses arrays of different lengths', () => {
    expect(() => maxAbsDiff([1], [1, 2])).toThrow(RangeError);
  });

  it('scales the tolerance with the reference', () => {
    expect(maxAbs([-3, 2])).toBe(3);
    expect(parityTolerance([-3, 2])).toBeCloseTo(3e-4 + 1e-5, 12);
  });
});

describe('matmulRef', () => {
  it('multiplies a known example', () => {
    const a = new Float32Array([1, 2, 3, 4, 5, 6]); // 2×3
    const b = new Float32Array([7, 8, 9, 10, 11, 12]); // 3×2
    expect(Array.from(matmulRef(a, b, 2, 2, 3))).toEqual([58, 64, 139, 154]);
  });

  it('rejects mismatched shapes', () => {
    expect(() => matmulRef(new Float32Array(5), new Float32Array(6), 2, 2, 3)).toThrow(/m=2/);
  });
});
