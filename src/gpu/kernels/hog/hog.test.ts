// Pure checks of the HOG kernel's dispatch math, its hard-coded WGSL constants and the reference's behaviour (Node).
import { describe, expect, it } from 'vitest';
import source from './hog.wgsl?raw';
import { hogDispatch, hogOutputBytes } from './hog.ts';
import { HOG_EDGE_COS, HOG_EDGE_SIN, binF32Cross, hogOutputShape, hogRef } from './hog.ref.ts';

function wgslBits(name: string): number[] {
  const match = new RegExp(`const ${name} = array<u32, 8>\\(([^)]*)\\)`).exec(source);
  if (!match?.[1]) throw new Error(`${name} not found in hog.wgsl`);
  return match[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => Number.parseInt(s.replace(/u$/, ''), 16));
}

const f32Bits = (v: number): number => new Uint32Array(Float32Array.of(v).buffer)[0] ?? -1;

describe('hog dispatch and constants', () => {
  it('hard-codes the same f32 bin-edge cos/sin as the reference', () => {
    expect(wgslBits('EDGE_COS')).toEqual(HOG_EDGE_COS.map(f32Bits));
    expect(wgslBits('EDGE_SIN')).toEqual(HOG_EDGE_SIN.map(f32Bits));
  });

  it('sizes output and workgroups from floor(H/8) × floor(W/8) cells', () => {
    const dims = { batch: 16, height: 224, width: 230 };
    expect(hogOutputShape(dims)).toEqual([16, 28, 28, 3, 9]);
    expect(hogOutputBytes(dims)).toBe(16 * 28 * 28 * 27 * 4);
    expect(hogDispatch(dims)).toEqual([7, 28, 16]);
    expect(hogDispatch({ batch: 1, height: 8, width: 40 })).toEqual([2, 1, 1]);
  });

  it('bins unsigned orientations into 20° bins starting at 0°', () => {
    const deg = (d: number): [number, number] => [
      Math.sin((d * Math.PI) / 180),
      Math.cos((d * Math.PI) / 180),
    ];
    for (const [angle, bin] of [
      [0, 0],
      [10, 0],
      [19.9, 0],
      [20.1, 1],
      [90, 4],
      [179.9, 8],
      [-10, 8],
      [-90, 4],
      [200, 1],
    ] as const) {
      const [gRow, gCol] = deg(angle);
      expect(binF32Cross(Math.fround(gRow), Math.fround(gCol)), `${angle}°`).toBe(bin);
    }
    expect(binF32Cross(0, -1)).toBe(0); // exactly 180° folds to 0°, as skimage's `% 180`
    expect(binF32Cross(-0, 1)).toBe(0);
  });

  it('puts a vertical edge in bin 0 and a horizontal one in bin 4 (rows grow downwards)', () => {
    const dims = { batch: 1, height: 8, width: 8 };
    const vertical = new Float32Array(8 * 8 * 3);
    const horizontal = new Float32Array(8 * 8 * 3);
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 8; x++)
        for (let c = 0; c < 3; c++) {
          vertical[(y * 8 + x) * 3 + c] = x < 4 ? 0 : 1;
          horizontal[(y * 8 + x) * 3 + c] = y < 4 ? 0 : 1;
        }
    const v = hogRef(vertical, dims);
    const h = hogRef(horizontal, dims);
    for (let c = 0; c < 3; c++) {
      expect(v[c * 9]).toBeCloseTo(1, 6);
      expect(h[c * 9 + 4]).toBeCloseTo(1, 6);
    }
  });
});
