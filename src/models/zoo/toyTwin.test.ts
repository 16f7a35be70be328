// The toy models against their PyTorch twins in training mode (cpu backend; Debian's /usr/bin/python3 with torch
// at test time): same initial weights, same batch → same logits, loss, every parameter gradient and the updated
// BatchNorm running statistics. This checks what training depends on beyond the eval-mode logits parity of the
// torchvision models: batch-statistics BatchNorm, its backward, max pooling's gradient and the layouts.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import type { WeightTensor } from '../weights/dtypes.ts';
import { conv3dWeightFromTf, linearWeightFromTf } from '../weights/layout.ts';
import { buildModel } from './registry.ts';
import { loadStateDict } from './stateDict.ts';

type Nested = number | Nested[];
interface Twin {
  state: Record<string, Nested>;
  x: Nested;
  y: number[];
  logits: Nested;
  loss: number;
  grads: Record<string, Nested>;
  after: Record<string, Nested>;
}

const SCRIPT = new URL('./fixtures/toy_twin.py', import.meta.url).pathname;

function shapeOf(v: Nested): number[] {
  const s: number[] = [];
  for (let c: Nested = v; Array.isArray(c); c = c[0] ?? []) s.push(c.length);
  return s;
}
function flat(v: Nested): Float32Array {
  const out: number[] = [];
  const walk = (x: Nested): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else out.push(x);
  };
  walk(v);
  return Float32Array.from(out);
}
const weight = (v: Nested): WeightTensor => ({ dtype: 'float32', shape: shapeOf(v), data: flat(v) });

function maxRelErr(got: Float32Array, want: Float32Array): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs((got[i] ?? NaN) - (want[i] ?? 0)));
    scale = Math.max(scale, Math.abs(want[i] ?? 0));
  }
  return err / (scale + 1e-6);
}

describe.each(['r3d', 'avg2d'] as const)('toy_%s vs its PyTorch twin in training mode', (kind) => {
  let twin: Twin;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    twin = JSON.parse(
      execFileSync('/usr/bin/python3', [SCRIPT, kind], { encoding: 'utf8', maxBuffer: 1 << 26 }),
    ) as Twin;
  }, 120_000);

  it('gives the same logits, loss, gradients and running statistics', () => {
    const model = buildModel(`toy_${kind}`, { numClasses: 8, seed: 5 });
    const weights = new Map(
      Object.entries(twin.state)
        .filter(([k]) => !k.endsWith('num_batches_tracked'))
        .map(([k, v]) => [k, weight(v)] as const),
    );
    const report = loadStateDict(model, weights, { strict: false });
    expect(report.unexpected).toEqual([]);
    expect(report.mismatched).toEqual([]);
    expect(report.missing.every((k) => k.endsWith('num_batches_tracked'))).toBe(true);

    const x = tf.tidy(() => tf.transpose(tf.tensor(flat(twin.x), shapeOf(twin.x)), [0, 2, 3, 4, 1]));
    const n = twin.y.length;
    const targets = tf.oneHot(twin.y, 8).toFloat() as tf.Tensor2D;
    let logits: tf.Tensor2D | null = null;
    const params = model.parameters();
    const { value, grads } = tf.variableGrads(() => {
      logits = tf.keep(model.forward(x as tf.Tensor5D, { training: true }));
      return tf.neg<tf.Scalar>(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1)));
    }, [...params.values()]);
    expect(logits).not.toBeNull();
    expect(
      maxRelErr((logits as unknown as tf.Tensor).dataSync() as Float32Array, flat(twin.logits)),
    ).toBeLessThan(1e-4);
    expect(Math.abs((value.dataSync()[0] ?? NaN) - twin.loss)).toBeLessThan(1e-5 * n);

    const entries = model.stateEntries();
    for (const [key, want] of Object.entries(twin.grads)) {
      const nv = entries.get(key);
      const variable = params.get(key);
      expect(nv && variable, key).toBeTruthy();
      const g = grads[variable?.name ?? ''];
      expect(g, `gradient of ${key}`).toBeDefined();
      const ours: WeightTensor = {
        dtype: 'float32',
        shape: g?.shape ?? [],
        data: g?.dataSync() as Float32Array,
      };
      const torchLayout =
        nv?.layout.kind === 'conv3d'
          ? conv3dWeightFromTf(ours)
          : nv?.layout.kind === 'linear'
            ? linearWeightFromTf(ours)
            : ours;
      expect(torchLayout.shape, key).toEqual(shapeOf(want));
      expect(maxRelErr(torchLayout.data as Float32Array, flat(want)), `gradient of ${key}`).toBeLessThan(
        1e-4,
      );
    }
    for (const [key, want] of Object.entries(twin.after)) {
      const got = entries.get(key)?.variable.dataSync() as Float32Array;
      expect(maxRelErr(got, flat(want)), key).toBeLessThan(1e-4);
    }
    tf.dispose([x, targets, value, logits as unknown as tf.Tensor, ...Object.values(grads)]);
    model.dispose();
  });
});
