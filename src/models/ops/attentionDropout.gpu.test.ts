// Attention dropout on the webgpu backend: the seeded counter-based mask is reproducible, seed-dependent, keeps
// the expected fraction (bit-identical to the JS hash), and gradients with dropout match the reference and the
// composed version. Runs in Chromium on the real adapter; fails, never skips, without one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../gpu/device.ts';
import { initTf, tf } from '../tf.ts';
import { maxAbsDiff, parityTolerance } from '../../gpu/kernels/parity.ts';
import { dropKeepMask } from '../../gpu/kernels/attention/dropout.ts';
import { attentionBackwardRef, attentionForwardRef } from '../../gpu/kernels/attention/attention.ref.ts';
import { composedAttention, fusedAttention, type AttentionOpOptions } from './attention.ts';
import { disposeInputs, opInputs, valueAndGrads } from './attentionTesting.ts';

describe('fusedAttention dropout on webgpu', () => {
  beforeAll(async () => {
    const { device, adapter } = await acquireGpu();
    await initTf(device, adapter.info);
  });
  afterAll(releaseGpu);

  it('gives the same output for the same seed and a different one for another seed', async () => {
    const x = opInputs(1, 1, 2, 197, 197, 64);
    const run = async (seed: number): Promise<Float32Array> => {
      const o = fusedAttention(x.q, x.k, x.v, { dropout: { rate: 0.2, seed } });
      const values = Float32Array.from(await o.data());
      o.dispose();
      return values;
    };
    try {
      const a = await run(7);
      expect(await run(7)).toEqual(a);
      expect(maxAbsDiff(await run(8), a)).toBeGreaterThan(1e-3);
    } finally {
      disposeInputs(x);
    }
  });

  it('keeps the expected fraction, with the exact mask of the JS hash', async () => {
    const [bh, l, d, rate, seed] = [2, 197, 32, 0.3, 1234];
    const q = tf.zeros<tf.Rank.R4>([1, bh, l, d]); // uniform probabilities 1/L
    const v = tf.ones<tf.Rank.R4>([1, bh, l, d]); // o[i] = (kept keys in row i) / (L·(1 − rate))
    const o = fusedAttention(q, q, v, { dropout: { rate, seed } });
    const values = await o.data();
    tf.dispose([q, v, o]);
    const keep = dropKeepMask(seed, rate, bh, l, l);
    let kept = 0;
    for (let row = 0; row < bh * l; row++) {
      let expected = 0;
      for (let j = 0; j < l; j++) expected += keep[row * l + j] ?? 0;
      kept += expected;
      expect(Math.abs((values[row * d] ?? 0) * l * (1 - rate) - expected)).toBeLessThan(1e-3);
    }
    expect(Math.abs(kept / (bh * l * l) - (1 - rate))).toBeLessThan(0.01);
  });

  for (const [l, d] of [
    [8, 64],
    [197, 64],
  ] as const) {
    it(`gradients with dropout match the reference and composedAttention (L=${l}, d=${d})`, async () => {
      const x = opInputs(l + 3, 1, 2, l, l, d);
      const opts: AttentionOpOptions = { dropout: { rate: 0.25, seed: 99 } };
      try {
        const fused = await valueAndGrads(fusedAttention, x, opts);
        const composed = await valueAndGrads(composedAttention, x, opts);
        const [q, k, v, dy] = (await Promise.all([x.q.data(), x.k.data(), x.v.data(), x.dy.data()])).map(
          (a) => Float32Array.from(a),
        );
        if (!q || !k || !v || !dy) throw new Error('missing inputs');
        const dims = { bh: 2, lq: l, lk: l, d, seqPerBatch: 2 };
        const refOpts = { scale: 1 / Math.sqrt(d), dropout: { rate: 0.25, seed: 99 } };
        const g = attentionBackwardRef(q, k, v, dy, dims, refOpts);
        const ref = [attentionForwardRef(q, k, v, dims, refOpts).o, g.dq, g.dk, g.dv];
        ['o', 'dq', 'dk', 'dv'].forEach((name, i) => {
          const w = ref[i] ?? new Float32Array();
          expect(maxAbsDiff(fused[i] ?? new Float32Array(), w), `${name} vs reference`).toBeLessThanOrEqual(
            parityTolerance(w),
          );
          const c = composed[i] ?? new Float32Array();
          expect(maxAbsDiff(fused[i] ?? new Float32Array(), c), `${name} vs composed`).toBeLessThanOrEqual(
            parityTolerance(c),
          );
        });
      } finally {
        disposeInputs(x);
      }
    });
  }
});
