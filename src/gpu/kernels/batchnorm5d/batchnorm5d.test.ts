// Pure checks of the batchnorm5d references and the conv+BN folding helper (Node).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../shared/random.ts';
import { maxAbsDiff, parityTolerance } from '../parity.ts';
import { conv3dRef } from '../conv3d/conv3d.ref.ts';
import { conv3dGeometry } from '../conv3d/geometry.ts';
import { batchNorm5dBackwardRef, batchNorm5dForwardRef, unbiasFactor } from './batchnorm5d.ref.ts';
import { foldBatchNorm } from './fold.ts';

describe('batchnorm5d references', () => {
  it('normalises each channel to zero mean and unit (biased) variance before the affine', () => {
    const rng = new Rng(1);
    const dims = { rows: 500, channels: 3 };
    const x = Float32Array.from({ length: 1500 }, (_, i) => 5 * (i % 3) + rng.normal() * (1 + (i % 3)));
    const ones = [1, 1, 1];
    const zeros = [0, 0, 0];
    const r = batchNorm5dForwardRef(x, ones, zeros, zeros, ones, dims, { eps: 0, momentum: 0.1 });
    for (let c = 0; c < 3; c++) {
      let s = 0;
      let s2 = 0;
      for (let i = c; i < r.y.length; i += 3) {
        s += r.y[i] ?? 0;
        s2 += (r.y[i] ?? 0) ** 2;
      }
      expect(s / 500).toBeCloseTo(0, 5);
      expect(s2 / 500).toBeCloseTo(1, 4);
      // PyTorch: running_var moves towards the unbiased variance
      expect(r.newRunningVar[c]).toBeCloseTo(0.9 + 0.1 * (r.variance[c] ?? 0) * (500 / 499), 5);
      expect(r.newRunningMean[c]).toBeCloseTo(0.1 * (r.mean[c] ?? 0), 5);
    }
    expect(unbiasFactor(1)).toBe(1);
    expect(unbiasFactor(4)).toBeCloseTo(4 / 3, 12);
  });

  it('has a gradient equal to central finite differences of a weighted sum of its outputs', () => {
    const rng = new Rng(2);
    const dims = { rows: 6, channels: 2 };
    const x = Float64Array.from({ length: 12 }, () => rng.normal());
    const gamma = [1.3, 0.7];
    const beta = [0.1, -0.2];
    const eps = 1e-3;
    const wy = Float64Array.from({ length: 12 }, () => rng.normal());
    const [wm, wv] = [
      [0.4, -0.3],
      [0.25, 0.5],
    ];
    const loss = (xs: ArrayLike<number>, g: number[]): number => {
      const r = batchNorm5dForwardRef(xs, g, beta, [0, 0], [1, 1], dims, { eps, momentum: 0 });
      let l = 0;
      r.y.forEach((v, i) => (l += v * (wy[i] ?? 0)));
      for (let c = 0; c < 2; c++) l += (r.mean[c] ?? 0) * (wm[c] ?? 0) + (r.variance[c] ?? 0) * (wv[c] ?? 0);
      return l;
    };
    const fwd = batchNorm5dForwardRef(x, gamma, beta, [0, 0], [1, 1], dims, { eps, momentum: 0 });
    const g = batchNorm5dBackwardRef(wy, x, fwd.mean, fwd.variance, gamma, dims, eps, wm, wv);
    const h = 1e-3;
    for (let i = 0; i < 12; i++) {
      const [xp, xm] = [Float64Array.from(x), Float64Array.from(x)];
      xp[i] = (xp[i] ?? 0) + h;
      xm[i] = (xm[i] ?? 0) - h;
      expect(g.dx[i], `dx[${i}]`).toBeCloseTo((loss(xp, gamma) - loss(xm, gamma)) / (2 * h), 2);
    }
    const [g0, g1] = gamma as [number, number];
    const numGamma0 = (loss(x, [g0 + h, g1]) - loss(x, [g0 - h, g1])) / (2 * h);
    expect(g.dgamma[0]).toBeCloseTo(numGamma0, 2);
    let sumWy1 = 0;
    for (let i = 1; i < 12; i += 2) sumWy1 += wy[i] ?? 0;
    expect(g.dbeta[1]).toBeCloseTo(sumWy1, 5);
  });
});

describe('foldBatchNorm', () => {
  it('makes conv(x, w′) + b′ equal BN(conv(x, w) + b) in inference mode', () => {
    const rng = new Rng(3);
    const [cin, cout] = [3, 5];
    const x = rng.float32(2 * 4 * 6 * 6 * cin);
    const w = rng.float32(3 * 3 * 3 * cin * cout);
    const b = rng.float32(cout);
    const bn = {
      gamma: rng.float32(cout, 0.5, 2),
      beta: rng.float32(cout),
      mean: rng.float32(cout),
      variance: rng.float32(cout, 0.1, 3),
      eps: 1e-3,
    };
    const geo = conv3dGeometry([2, 4, 6, 6, cin], [3, 3, 3, cin, cout], { pad: 'same', strides: [1, 2, 2] });
    const y = conv3dRef(x, w, geo);
    const expected = y.map((v, i) => {
      const c = i % cout;
      const at = (a: Float32Array): number => a[c] ?? Number.NaN;
      return ((v + at(b) - at(bn.mean)) / Math.sqrt(at(bn.variance) + bn.eps)) * at(bn.gamma) + at(bn.beta);
    });
    const folded = foldBatchNorm(w, b, bn);
    const got = conv3dRef(x, folded.weights, geo).map((v, i) => v + (folded.bias[i % cout] ?? Number.NaN));
    expect(maxAbsDiff(got, expected)).toBeLessThanOrEqual(parityTolerance(expected));
    expect(w).not.toBe(folded.weights);
  });

  it('treats a missing bias as zeros and validates lengths', () => {
    const bn = { gamma: [2], beta: [1], mean: [0.5], variance: [3], eps: 1 };
    const f = foldBatchNorm(Float32Array.of(1, 2), null, bn);
    expect(Array.from(f.weights)).toEqual([1, 2]);
    expect(f.bias[0]).toBeCloseTo(0.5, 6);
    expect(() => foldBatchNorm(Float32Array.of(1, 2, 3), null, { ...bn, gamma: [1, 1] })).toThrow(RangeError);
  });
});
