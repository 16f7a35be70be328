import { describe, expect, it } from 'vitest';
import { float32ToBfloat16, float32ToFloat16, numelOf, toFloat32, typedFromBytes } from './dtypes.ts';

describe('float16 / bfloat16', () => {
  it('decodes known float16 patterns', () => {
    const bits = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x7c00, 0xfc00, 0x8000]);
    const f = toFloat32({ dtype: 'float16', shape: [8], data: bits });
    expect(Array.from(f)).toEqual([1, -2, 65504, 2 ** -24, 2 ** -14, Infinity, -Infinity, -0]);
    expect(toFloat32({ dtype: 'float16', shape: [1], data: new Uint16Array([0x7e00]) })[0]).toBeNaN();
  });

  it('round-trips every finite float16 through float32', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const back = float32ToFloat16(toFloat32({ dtype: 'float16', shape: [65536], data: all }));
    const wrong: number[] = [];
    for (let h = 0; h < 65536; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      const ok = isNaN ? ((back[h] ?? 0) & 0x7fff) > 0x7c00 : back[h] === h;
      if (!ok) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it('rounds float32 to float16 to nearest even, with overflow and underflow', () => {
    const v = new Float32Array([
      1 + 2 ** -11,
      1 + 3 * 2 ** -11,
      65520,
      65519,
      2 ** -25,
      2 ** -25 * 1.0001,
      1e-10,
    ]);
    expect(Array.from(float32ToFloat16(v))).toEqual([0x3c00, 0x3c02, 0x7c00, 0x7bff, 0x0000, 0x0001, 0x0000]);
  });

  it('converts bfloat16 both ways with round to nearest even', () => {
    const v = new Float32Array([1, -2.5, 1 + 2 ** -8, 1 + 3 * 2 ** -8, Infinity]);
    const bits = float32ToBfloat16(v);
    expect(Array.from(bits)).toEqual([0x3f80, 0xc020, 0x3f80, 0x3f82, 0x7f80]);
    expect(Array.from(toFloat32({ dtype: 'bfloat16', shape: [5], data: bits }))).toEqual([
      1,
      -2.5,
      1,
      1 + 2 ** -6,
      Infinity,
    ]);
    expect(
      toFloat32({ dtype: 'bfloat16', shape: [1], data: float32ToBfloat16(new Float32Array([NaN])) })[0],
    ).toBeNaN();
  });
});

describe('helpers', () => {
  it('counts elements and rejects bad shapes', () => {
    expect(numelOf([2, 3, 4])).toBe(24);
    expect(numelOf([])).toBe(1);
    expect(numelOf([0, 5])).toBe(0);
    expect(numelOf([-1])).toBeNull();
    expect(numelOf([1.5])).toBeNull();
    expect(numelOf(['3'])).toBeNull();
    expect(numelOf([2 ** 30, 2 ** 30])).toBeNull();
  });

  it('views aligned bytes and copies misaligned ones', () => {
    const bytes = new Uint8Array(12);
    new Float32Array(bytes.buffer).set([1, 2, 3]);
    const aligned = typedFromBytes('float32', bytes.subarray(4), 2);
    expect(aligned.buffer).toBe(bytes.buffer);
    expect(Array.from(aligned as Float32Array)).toEqual([2, 3]);
    const odd = new Uint8Array(13);
    odd.set(bytes, 1);
    const copied = typedFromBytes('float32', odd.subarray(1), 3);
    expect(copied.buffer).not.toBe(odd.buffer);
    expect(Array.from(copied as Float32Array)).toEqual([1, 2, 3]);
  });

  it('converts integer tensors to float32', () => {
    expect(Array.from(toFloat32({ dtype: 'int64', shape: [2], data: new BigInt64Array([-3n, 7n]) }))).toEqual(
      [-3, 7],
    );
    expect(Array.from(toFloat32({ dtype: 'bool', shape: [2], data: new Uint8Array([1, 0]) }))).toEqual([
      1, 0,
    ]);
  });
});
