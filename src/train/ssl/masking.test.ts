// Masking generators: VideoMAE tube masks (exact ratio, one spatial pattern through time) and PySlowFast MaskFeat
// cube masks (budget never exceeded, union of boxes, near the published 0.4 on [8,7,7]); seeded determinism.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../shared/random.ts';
import { cubeMask, tubeMask, upsampleMask } from './masking.ts';

const sum = (m: Uint8Array): number => m.reduce((a, b) => a + b, 0);

describe('tubeMask (VideoMAE)', () => {
  it('masks ⌊0.9·196⌋ = 176 cells in every one of 8 slots with the same spatial pattern', () => {
    const m = tubeMask({ t: 8, h: 14, w: 14 }, 0.9, new Rng(1));
    expect(m.length).toBe(8 * 196);
    expect(sum(m)).toBe(176 * 8);
    const first = m.subarray(0, 196);
    for (let t = 1; t < 8; t++)
      expect(Array.from(m.subarray(t * 196, (t + 1) * 196))).toEqual(Array.from(first));
  });

  it('is deterministic per seed and differs across seeds; positions are spread over the frame', () => {
    const g = { t: 2, h: 14, w: 14 };
    expect(Array.from(tubeMask(g, 0.75, new Rng(7)))).toEqual(Array.from(tubeMask(g, 0.75, new Rng(7))));
    expect(Array.from(tubeMask(g, 0.75, new Rng(7)))).not.toEqual(Array.from(tubeMask(g, 0.75, new Rng(8))));
    // over many draws every cell is masked with frequency ≈ 0.5
    const counts = new Array<number>(196).fill(0);
    const rng = new Rng(3);
    for (let i = 0; i < 400; i++)
      tubeMask({ t: 1, h: 14, w: 14 }, 0.5, rng).forEach((v, j) => (counts[j] = (counts[j] ?? 0) + v));
    for (const c of counts) expect(Math.abs(c / 400 - 0.5)).toBeLessThan(0.15);
  });

  it('rejects a bad ratio or grid', () => {
    expect(() => tubeMask({ t: 1, h: 2, w: 2 }, 1, new Rng(1))).toThrow(/ratio/);
    expect(() => tubeMask({ t: 0, h: 2, w: 2 }, 0.5, new Rng(1))).toThrow(/grid/);
  });
});

describe('cubeMask (MaskFeat, PySlowFast MaskingGenerator3D)', () => {
  const grid = { t: 8, h: 7, w: 7 };

  it('never exceeds round(0.4·392) = 157 cells, reaches ≈ 0.4 on average, and is the union of its boxes', () => {
    const rng = new Rng(11);
    let total = 0;
    const n = 300;
    for (let i = 0; i < n; i++) {
      const { mask, cubes, target } = cubeMask(grid, 0.4, rng);
      expect(target).toBe(157);
      const c = sum(mask);
      expect(c).toBeLessThanOrEqual(157);
      total += c;
      const union = new Uint8Array(mask.length);
      for (const b of cubes) {
        expect(b.dh).toBeLessThan(7);
        expect(b.dw).toBeLessThan(7);
        expect(b.front + b.dt).toBeLessThanOrEqual(8);
        for (let t = b.front; t < b.front + b.dt; t++)
          for (let y = b.top; y < b.top + b.dh; y++)
            for (let x = b.left; x < b.left + b.dw; x++) union[(t * 7 + y) * 7 + x] = 1;
      }
      expect(Array.from(union)).toEqual(Array.from(mask));
    }
    const mean = total / n / 392;
    expect(mean).toBeGreaterThan(0.36);
    expect(mean).toBeLessThanOrEqual(0.4);
  });

  it('is deterministic per seed', () => {
    const a = cubeMask(grid, 0.4, new Rng(5));
    const b = cubeMask(grid, 0.4, new Rng(5));
    const c = cubeMask(grid, 0.4, new Rng(6));
    expect(Array.from(a.mask)).toEqual(Array.from(b.mask));
    expect(a.cubes).toEqual(b.cubes);
    expect(Array.from(a.mask)).not.toEqual(Array.from(c.mask));
  });

  it('upsamples nearest to a finer token grid', () => {
    const m = new Uint8Array([1, 0, 0, 1]); // t1 h2 w2
    const up = upsampleMask(m, { t: 1, h: 2, w: 2 }, { t: 2, h: 4, w: 4 });
    expect(sum(up)).toBe(16);
    expect(up[0]).toBe(1);
    expect(up[3]).toBe(0);
    expect(up[16 + 15]).toBe(1);
    expect(() => upsampleMask(m, { t: 1, h: 2, w: 2 }, { t: 1, h: 3, w: 4 })).toThrow(/multiple/);
  });
});
