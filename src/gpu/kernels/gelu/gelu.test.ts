// Pure checks of the GELU references (erf against tabulated values, derivatives against finite differences)
// and of the dispatch grid (Node).
import { describe, expect, it } from 'vitest';
import { erf, geluGradScalar, geluScalar } from './gelu.ref.ts';
import { geluGroups } from './gelu.ts';

describe('gelu references', () => {
  it('erf matches tabulated values on both branches', () => {
    const table: [number, number][] = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [2.9, 0.9999589021219005],
      [3.5, 0.9999992569016276],
      [-1.5, -0.9661051464753108],
    ];
    for (const [z, want] of table) expect(Math.abs(erf(z) - want)).toBeLessThan(1e-13);
    expect(1 - erf(5)).toBeCloseTo(1.5374597944280349e-12, 15);
  });

  it('erf form equals x·Φ(x) at known points; tanh form stays close to it', () => {
    expect(geluScalar(1, 'none')).toBeCloseTo(0.8413447460685429, 14);
    expect(geluScalar(-3, 'none')).toBeCloseTo(-0.00404969409489031, 14);
    for (const x of [-4, -1, -0.3, 0, 0.7, 2, 5]) {
      expect(Math.abs(geluScalar(x, 'tanh') - geluScalar(x, 'none'))).toBeLessThan(1e-3);
    }
  });

  it('derivatives match central differences for both forms', () => {
    const h = 1e-5;
    for (const form of ['none', 'tanh'] as const) {
      for (const x of [-6, -2.5, -1, -0.1, 0, 0.4, 1.3, 3, 8]) {
        const numeric = (geluScalar(x + h, form) - geluScalar(x - h, form)) / (2 * h);
        expect(geluGradScalar(x, form)).toBeCloseTo(numeric, 8);
      }
    }
  });
});

describe('geluGroups', () => {
  it('covers every element with 1024 per workgroup and folds past the per-dimension limit', () => {
    expect(geluGroups(1)).toEqual([1, 1, 1]);
    expect(geluGroups(1025)).toEqual([2, 1, 1]);
    const [gx, gy] = geluGroups(100_000_000, 65535);
    expect(gx).toBe(65535);
    expect(gx * gy * 1024).toBeGreaterThanOrEqual(100_000_000);
    expect(() => geluGroups(0)).toThrow(/size/);
  });
});
