// Pure checks of the layernorm references (against finite differences of the forward) and the dispatch plan (Node).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../shared/random.ts';
import { layerNormBackwardRef, layerNormForwardRef } from './layernorm.ref.ts';
import { layerNormPlan } from './layernorm.ts';

describe('layernorm references', () => {
  it('normalises each row to zero mean and unit variance before the affine', () => {
    const rng = new Rng(3);
    const dims = { rows: 4, cols: 50 };
    const x = Float32Array.from({ length: 200 }, (_, i) => 7 * Math.floor(i / 50) + 3 * rng.normal());
    const r = layerNormForwardRef(x, new Array<number>(50).fill(1), new Array<number>(50).fill(0), dims, 0);
    for (let row = 0; row < 4; row++) {
      const ys = r.y.subarray(row * 50, row * 50 + 50);
      const m = ys.reduce((a, b) => a + b, 0) / 50;
      const v = ys.reduce((a, b) => a + (b - m) ** 2, 0) / 50;
      expect(m).toBeCloseTo(0, 5);
      expect(v).toBeCloseTo(1, 4);
      const xs = x.subarray(row * 50, row * 50 + 50);
      expect(r.mean[row]).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / 50, 5);
    }
  });

  it('backward matches central differences of Σ y∘dy', () => {
    const rng = new Rng(4);
    const dims = { rows: 3, cols: 6 };
    const x = Array.from({ length: 18 }, () => rng.normal() + 2);
    const gamma = Array.from({ length: 6 }, () => rng.uniform(0.5, 1.5));
    const beta = Array.from({ length: 6 }, () => rng.uniform(-1, 1));
    const dy = Array.from({ length: 18 }, () => rng.normal());
    const eps = 1e-3;
    const loss = (xs: number[], g: number[], b: number[]): number => {
      // f64 forward (the reference's outputs are f32, too coarse for differences)
      let total = 0;
      for (let r = 0; r < dims.rows; r++) {
        const row = xs.slice(r * 6, r * 6 + 6);
        const m = row.reduce((a, v) => a + v, 0) / 6;
        const inv = 1 / Math.sqrt(row.reduce((a, v) => a + (v - m) ** 2, 0) / 6 + eps);
        row.forEach((v, c) => (total += ((v - m) * inv * (g[c] ?? 0) + (b[c] ?? 0)) * (dy[r * 6 + c] ?? 0)));
      }
      return total;
    };
    const h = 1e-6;
    const numeric = (vals: number[], f: (v: number[]) => number): number[] =>
      vals.map((_, i) => {
        const up = [...vals];
        const down = [...vals];
        up[i] = (up[i] ?? 0) + h;
        down[i] = (down[i] ?? 0) - h;
        return (f(up) - f(down)) / (2 * h);
      });
    const g = layerNormBackwardRef(dy, x, gamma, dims, eps);
    const close = (got: Float32Array, want: number[]): void =>
      want.forEach((w, i) => expect(got[i] ?? NaN).toBeCloseTo(w, 4));
    close(
      g.dx,
      numeric(x, (v) => loss(v, gamma, beta)),
    );
    close(
      g.dgamma,
      numeric(gamma, (v) => loss(x, v, beta)),
    );
    close(
      g.dbeta,
      numeric(beta, (v) => loss(x, gamma, v)),
    );
  });

  it('rejects empty or fractional dims with the offending name', () => {
    expect(() => layerNormForwardRef([], [], [], { rows: 0, cols: 3 }, 1e-5)).toThrow(/rows/);
    expect(() => layerNormPlan({ rows: 2, cols: 1.5 })).toThrow(/cols/);
  });
});

describe('layerNormPlan', () => {
  it('gives one workgroup per row and covers every row with chunks', () => {
    const p = layerNormPlan({ rows: 1576, cols: 768 });
    expect(p.rowGroups).toEqual([1576, 1, 1]);
    expect(p.chunkRows * p.chunks).toBeGreaterThanOrEqual(1576);
    expect(p.chunkRows * (p.chunks - 1)).toBeLessThan(1576);
    expect(p.partialGroups).toEqual([12, p.chunks, 1]);
  });

  it('folds many rows into two grid dimensions and caps the chunk count', () => {
    const p = layerNormPlan({ rows: 200_000, cols: 384 }, 65535);
    expect(p.rowGroups[0] * p.rowGroups[1]).toBeGreaterThanOrEqual(200_000);
    expect(p.rowGroups[0]).toBeLessThanOrEqual(65535);
    expect(p.chunks).toBeLessThanOrEqual(1024);
  });
});
