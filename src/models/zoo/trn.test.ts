// TRN's multi-scale relation head (trn.ts TRNHead) against a PyTorch twin (fixtures/torch_trn_head.py, Debian's
// PyTorch, float64) on the cpu backend: logits and the gradients of the input and of every head parameter.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../shared/random.ts';
import { tf } from '../tf.ts';
import { PYTHON } from '../weights/fixtures/python.ts';
import { nodeModules } from './fixtures/nodeModules.ts';
import { combinations, pickRelations, TRNHead } from './trn.ts';

interface TwinOut {
  x: number[];
  g: number[];
  out: number[];
  params: Record<string, number[]>;
  grads: Record<string, number[]>;
}

const maxDiff = (a: ArrayLike<number>, b: readonly number[]): number =>
  b.reduce((m, v, i) => Math.max(m, Math.abs(v - (a[i] ?? NaN))), 0);
const maxAbs = (b: readonly number[]): number => b.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

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
    const node = await nodeModules();
    const [n, t, h, w, c, hidden, bottleneck, classes] = [2, 4, 3, 3, 6, 5, 7, 3];
    const picks = [[0], [0, 2, 3], [1, 3, 5]]; // scale 3: 4 relations, scale 2: 6
    const script = decodeURIComponent(new URL('./fixtures/torch_trn_head.py', import.meta.url).pathname);
    const args = [n, t, h, w, c, hidden, bottleneck, classes].map(String);
    const ref = JSON.parse(
      node.cp.execFileSync(PYTHON, [script, ...args, JSON.stringify(picks)], {
        encoding: 'utf8',
        timeout: 120_000,
      }),
    ) as TwinOut;
    const head = new TRNHead(new Rng(0), c, hidden, t, classes, bottleneck);
    try {
      const params = head.namedParameters();
      expect([...params.keys()].sort()).toEqual(Object.keys(ref.params).sort());
      for (const [name, { variable }] of params) {
        const v = ref.params[name] ?? [];
        const [a = 0, b = 0] = variable.shape;
        // Linear weights: PyTorch [out, in] → ours [in, out]
        const value = variable.shape.length === 2 ? tf.transpose(tf.tensor2d(v, [b, a])) : tf.tensor(v);
        variable.assign(value);
        value.dispose();
      }
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
      for (const [name, { variable }] of params) {
        const got = grads[variable.name];
        const want = ref.grads[name] ?? [];
        expect(got, name).toBeDefined();
        const inTorch = got && got.shape.length === 2 ? tf.transpose(got) : got;
        expect(maxDiff((await inTorch?.data()) ?? [], want), name).toBeLessThan(1e-4 * maxAbs(want) + 1e-6);
      }
      tf.dispose([x, g, out, gx, ...Object.values(grads)]);
    } finally {
      head.dispose();
    }
  }, 120_000);
});
