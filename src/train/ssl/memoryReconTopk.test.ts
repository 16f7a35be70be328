// Sparse top-k cross-memory addressing in MemoryRecon: k = N equals the dense path (values and gradients);
// k < N keeps exactly k non-zero weights per (row, head), equal to a softmax over the k best slots. cpu backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../models/tf.ts';
import { Rng } from '../../shared/random.ts';
import {
  memoryRecon,
  type BnMlpParams,
  type MemoryReconOptions,
  type MemoryReconParams,
  type MemoryReconTerms,
} from './memoryRecon.ts';
import { expectAllClose } from './testing/torchRef.ts';

const tensorsOf = (t: MemoryReconTerms): tf.Tensor[] => [
  t.prediction,
  t.address,
  t.byol,
  t.sourceRecon,
  t.targetRecon,
  t.kl,
  t.total,
  t.targetSim,
];

const [B, D, S, C, R] = [5, 8, 16, 12, 6];

function setup(seed: number): { p: MemoryReconParams; inputs: tf.Tensor2D[]; center: tf.Tensor2D } {
  const rng = new Rng(seed);
  const t = (shape: number[], scale = 1): tf.Tensor =>
    tf.tensor(
      rng.float32(
        shape.reduce((a, b) => a * b, 1),
        -scale,
        scale,
      ),
      shape,
    );
  const mlp = (i: number, m: number, o: number): BnMlpParams => ({
    w1: t([i, m], 0.6) as tf.Tensor2D,
    gamma: t([m], 1.5) as tf.Tensor1D,
    beta: t([m], 0.5) as tf.Tensor1D,
    w2: t([m, o], 0.6) as tf.Tensor2D,
    b2: t([o], 0.2) as tf.Tensor1D,
  });
  const p: MemoryReconParams = {
    inProj: mlp(D, D, D),
    crossKey: t([S, D]) as tf.Tensor2D,
    crossMem: t([S, D]) as tf.Tensor2D,
    sourceKey: t([D, C], 0.3) as tf.Tensor2D,
    targetKey: t([D, C], 0.3) as tf.Tensor2D,
    sourceRecon: mlp(C, R, R),
    targetRecon: mlp(C, R, R),
  };
  const inputs = [t([B, D]), t([B, D]), t([B, R]), t([B, R])] as tf.Tensor2D[];
  return { p, inputs, center: t([1, C], 0.1) as tf.Tensor2D };
}

const base: MemoryReconOptions = {
  radius: 16,
  nHead: 1,
  addressType: 'dot',
  dinoTempS: 0.05,
  dinoTempT: 0.05,
  byolTemperature: 0.5,
  lossSourceRecon: 0.1,
  lossTargetRecon: 0.1,
  lossKl: 0.01,
};

describe('MemoryRecon sparse top-k addressing', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('k = N gives the dense loss, prediction and gradients', () => {
    const { p, inputs, center } = setup(21);
    const [src, tgt, feat, featT] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const run = (o: MemoryReconOptions): { total: number; pred: Float32Array; grads: Float32Array[] } => {
      const f = (x: tf.Tensor, key: tf.Tensor, mem: tf.Tensor): tf.Scalar =>
        memoryRecon(
          x as tf.Tensor2D,
          tgt,
          feat,
          featT,
          center,
          { ...p, crossKey: key as tf.Tensor2D, crossMem: mem as tf.Tensor2D },
          o,
        ).total;
      const terms = memoryRecon(src, tgt, feat, featT, center, p, o);
      const grads = tf.grads(f)([src, p.crossKey, p.crossMem]);
      const out = {
        total: terms.total.dataSync()[0] ?? NaN,
        pred: terms.prediction.dataSync() as Float32Array,
        grads: grads.map((g) => g.dataSync() as Float32Array),
      };
      tf.dispose([...grads, ...tensorsOf(terms)]);
      return out;
    };
    const dense = run(base);
    const sparse = run({ ...base, topK: S });
    expect(Math.abs(dense.total - sparse.total)).toBeLessThan(1e-6);
    expectAllClose(sparse.pred, dense.pred, 1e-6, 'prediction');
    sparse.grads.forEach((g, i) => expectAllClose(g, dense.grads[i] ?? [], 1e-6, `grad ${i}`));
    // a real top-k changes the answer and still has finite, non-zero gradients on the memory values
    const k3 = run({ ...base, topK: 3 });
    expect(Math.abs(k3.total - dense.total)).toBeGreaterThan(1e-6);
    expect(k3.grads.every((g) => g.every(Number.isFinite))).toBe(true);
    expect(Math.max(...Array.from(k3.grads[2] ?? []).map(Math.abs))).toBeGreaterThan(0);
  });

  it('k < N: exactly k non-zero weights per row, equal to a softmax over the k most similar slots', () => {
    const { p, inputs, center } = setup(22);
    const [src, tgt, feat, featT] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const k = 4;
    const sparse = memoryRecon(src, tgt, feat, featT, center, p, { ...base, topK: k });
    const dense = memoryRecon(src, tgt, feat, featT, center, p, base);
    const a = sparse.address.arraySync();
    const d = dense.address.arraySync();
    expect(a.length).toBe(B);
    a.forEach((row, b) => {
      const r = row[0] ?? [];
      const dr = d[b]?.[0] ?? [];
      expect(r.filter((v) => v > 0).length).toBe(k);
      // the dense weights are monotone in the similarity, so the k best slots are the dense top-k
      const best = dr
        .map((v, i) => [v, i] as const)
        .sort((x, y) => y[0] - x[0])
        .slice(0, k);
      const z = best.reduce((s, [v]) => s + v, 0);
      for (const [v, i] of best) expect(Math.abs((r[i] ?? 0) - v / z)).toBeLessThan(1e-5);
    });
    tf.dispose([...tensorsOf(sparse), ...tensorsOf(dense)]);
  });
});
