// The batchNorm5dTrain TF.js op on the cpu backend (Node): forward and tf.grads against TF.js's composed
// tf.moments + tf.batchNorm, PyTorch running statistics, no tensor leaks.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { maxAbsDiff, parityTolerance } from '../../gpu/kernels/parity.ts';
import { batchNorm5dTrain } from './batchNorm5d.ts';

type Shape5 = [number, number, number, number, number];

function data(shape: Shape5, seed: number) {
  const rng = new Rng(seed);
  const c = shape[4];
  const size = shape.reduce((a, b) => a * b, 1);
  const offset = rng.float32(c, -2, 2);
  return {
    x: tf.tensor5d(
      Float32Array.from(
        { length: size },
        (_, i) => (offset[i % c] ?? 0) + rng.normal() * (0.5 + (i % c) / c),
      ),
      shape,
    ),
    gamma: tf.tensor1d(rng.float32(c, 0.5, 1.5)),
    beta: tf.tensor1d(rng.float32(c, -0.5, 0.5)),
    runningMean: tf.tensor1d(rng.float32(c)),
    runningVar: tf.tensor1d(rng.float32(c, 0.5, 2)),
    wy: tf.tensor5d(
      Float32Array.from({ length: size }, () => rng.normal()),
      shape,
    ),
    wm: tf.tensor1d(rng.float32(c)),
    wv: tf.tensor1d(rng.float32(c)),
  };
}

const EPS = 1e-3;

/** TF.js's own composition; tf.batchNorm's gradient handles rank ≤ 4, so x is viewed as [N·D·H·W, C]. */
function composedBn(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) {
  const x2 = x.reshape([-1, x.shape[4] ?? 0]);
  const { mean, variance } = tf.moments(x2, [0]);
  const y = tf.batchNorm(x2, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, EPS).reshape(x.shape);
  return { mean, variance, y };
}

function expectClose(got: tf.Tensor, want: tf.Tensor, what: string): void {
  const [g, w] = [got.dataSync(), want.dataSync()];
  expect(got.shape, what).toEqual(want.shape);
  expect(maxAbsDiff(g, w), what).toBeLessThanOrEqual(parityTolerance(w));
}

describe('batchNorm5dTrain on the cpu backend', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const shapes: Shape5[] = [
    [2, 3, 4, 4, 3],
    [1, 1, 1, 1, 8],
    [2, 2, 3, 3, 65],
  ];
  for (const shape of shapes) {
    it(`matches tf.moments + tf.batchNorm forward and gradients for [${shape.join(',')}]`, () => {
      const d = data(shape, shape[4]);
      tf.tidy(() => {
        const ours = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar => {
          const r = batchNorm5dTrain(x as tf.Tensor5D, g as tf.Tensor1D, b as tf.Tensor1D, {
            eps: EPS,
            runningMean: d.runningMean,
            runningVar: d.runningVar,
          });
          return tf
            .sum(r.y.mul(d.wy))
            .add(tf.sum(r.mean.mul(d.wm)))
            .add(tf.sum(r.variance.mul(d.wv)));
        };
        const composed = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar => {
          const { mean, variance, y } = composedBn(x, g, b);
          return tf
            .sum(y.mul(d.wy))
            .add(tf.sum(mean.mul(d.wm)))
            .add(tf.sum(variance.mul(d.wv)));
        };
        const r = batchNorm5dTrain(d.x, d.gamma, d.beta, {
          eps: EPS,
          runningMean: d.runningMean,
          runningVar: d.runningVar,
        });
        const m = composedBn(d.x, d.gamma, d.beta);
        expectClose(r.y, m.y, 'y');
        expectClose(r.mean, m.mean, 'mean');
        expectClose(r.variance, m.variance, 'variance');
        const a = tf.grads(ours)([d.x, d.gamma, d.beta]);
        const b = tf.grads(composed)([d.x, d.gamma, d.beta]);
        ['dx', 'dgamma', 'dbeta'].forEach((what, i) => {
          const [ga, gb] = [a[i], b[i]];
          if (!ga || !gb) throw new Error(`missing ${what}`);
          expectClose(ga, gb, what);
        });
      });
      for (const t of Object.values(d)) t.dispose();
    });
  }

  it('updates running statistics like PyTorch (momentum on the new batch, unbiased running_var)', () => {
    const d = data([2, 2, 2, 2, 4], 5);
    const r = batchNorm5dTrain(d.x, d.gamma, d.beta, {
      momentum: 0.25,
      runningMean: d.runningMean,
      runningVar: d.runningVar,
    });
    const n = 2 * 2 * 2 * 2;
    const wantMean = tf.tidy(() => d.runningMean.mul(0.75).add(r.mean.mul(0.25)));
    const wantVar = tf.tidy(() => d.runningVar.mul(0.75).add(r.variance.mul((0.25 * n) / (n - 1))));
    expectClose(r.newRunningMean, wantMean, 'running mean');
    expectClose(r.newRunningVar, wantVar, 'running var');
    for (const t of [
      r.y,
      r.mean,
      r.variance,
      r.newRunningMean,
      r.newRunningVar,
      ...Object.values(d),
      wantMean,
      wantVar,
    ])
      t.dispose();
  });

  it('leaks no tensors over 50 training steps', () => {
    const d = data([1, 2, 3, 3, 8], 6);
    let runningMean: tf.Tensor1D = d.runningMean.clone();
    let runningVar: tf.Tensor1D = d.runningVar.clone();
    const step = (): void => {
      const { value, grads } = tf.valueAndGrads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const r = batchNorm5dTrain(x as tf.Tensor5D, g as tf.Tensor1D, b as tf.Tensor1D, {
          runningMean,
          runningVar,
        });
        const [nm, nv] = [tf.keep(r.newRunningMean), tf.keep(r.newRunningVar)];
        runningMean.dispose();
        runningVar.dispose();
        [runningMean, runningVar] = [nm, nv];
        return tf.sum(r.y.mul(d.wy));
      })([d.x, d.gamma, d.beta]);
      value.dispose();
      for (const g of grads) g.dispose();
    };
    step(); // first call registers kernels and warms caches
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    runningMean.dispose();
    runningVar.dispose();
    for (const t of Object.values(d)) t.dispose();
  });

  it('rejects mismatched channel counts', () => {
    const x = tf.zeros<tf.Rank.R5>([1, 1, 2, 2, 3]);
    const c4 = tf.ones<tf.Rank.R1>([4]);
    expect(() => batchNorm5dTrain(x, c4, c4, { runningMean: c4, runningVar: c4 })).toThrow(
      /gamma must be f32\[3\]/,
    );
    x.dispose();
    c4.dispose();
  });
});
