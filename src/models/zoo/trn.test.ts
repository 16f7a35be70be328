// TRN's multi-scale relation head (trn.ts TRNHead) against a PyTorch twin (fixtures/torch_trn_head.py, Debian's
// PyTorch, float64) on the cpu backend: logits and the gradients of the input and of every head parameter.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../shared/random.ts';
import { tf } from '../tf.ts';
import { assignTorchParams, maxAbs, maxDiff, runTwin, torchLayoutGrad } from './fixtures/twin.ts';
import { combinations, pickRelations, TRNHead } from './trn.ts';

describe('TRN multi-scale relation head', () => {
  it('relations: itertools.combinations order; eval picks are fixed, training picks distinct and seeded', () => {
    expect(combinations(4, 3)).toEqual([
      [0, 1, 2],
      [0, 1, 3],
      [0, 2, 3],
      [1, 2, 3],
    ]);
    expect(combinations(8, 2).length).toBe(28);
    expect(pickRelations(28, false, new Rng(1))).toEqual([4, 14, 23]);
    const a = pickRelations(28, true, new Rng(5));
    expect(new Set(a).size).toBe(3);
    expect(a).toEqual(pickRelations(28, true, new Rng(5)));
  });

  it('equals the PyTorch twin within 1e-4, forward and gradients (2 videos × 4 segments)', async () => {
    const [n, t, h, w, c, hidden, bottleneck, classes] = [2, 4, 3, 3, 6, 5, 7, 3];
    const picks = [[0], [0, 2, 3], [1, 3, 5]]; // scale 3: 4 relations, scale 2: 6
    const args = [n, t, h, w, c, hidden, bottleneck, classes].map(String);
    const ref = await runTwin('torch_trn_head.py', [...args, JSON.stringify(picks)]);
    const head = new TRNHead(new Rng(0), c, hidden, t, classes, bottleneck);
    try {
      const params = head.namedParameters();
      expect([...params.keys()].sort()).toEqual(Object.keys(ref.params).sort());
      assignTorchParams(params, ref.params);
      const x = tf.tensor5d(ref.x, [n, t, h, w, c]);
      const g = tf.tensor2d(ref.g, [n, classes]);
      const f = (xi: tf.Tensor): tf.Scalar =>
        tf.sum(tf.mul(head.forward(xi, { training: false }, picks) as tf.Tensor, g));
      const out = head.forward(x, { training: false }, picks) as tf.Tensor;
      expect(maxDiff(await out.data(), ref.out)).toBeLessThan(1e-4 * maxAbs(ref.out) + 1e-6);
      const { grads } = tf.variableGrads(() => f(x));
      const gx = tf.grad(f)(x);
      expect(maxDiff(await gx.data(), ref.grads.x ?? [])).toBeLessThan(
        1e-4 * maxAbs(ref.grads.x ?? []) + 1e-6,
      );
      for (const [name, nv] of params) {
        const got = grads[nv.variable.name];
        const want = ref.grads[name] ?? [];
        expect(got, name).toBeDefined();
        const inTorch = got ? await torchLayoutGrad(nv, got) : [];
        expect(maxDiff(inTorch, want), name).toBeLessThan(1e-4 * maxAbs(want) + 1e-6);
      }
      tf.dispose([x, g, out, gx, ...Object.values(grads)]);
    } finally {
      head.dispose();
    }
  }, 120_000);
});
