// hogTargets and batchNorm5dTrain on TF.js's webgpu backend bound to our device (real Chromium): parity with
// the CPU references / TF.js's composition, ordering with TF.js's own queued work, and no tensor leaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../gpu/device.ts';
import { maxAbsDiff, parityTolerance } from '../../gpu/kernels/parity.ts';
import { hogRef } from '../../gpu/kernels/hog/hog.ref.ts';
import { hogTestImage, stackImages } from '../../gpu/kernels/hog/hog.testImages.ts';
import { batchNorm5dForwardRef } from '../../gpu/kernels/batchnorm5d/batchnorm5d.ref.ts';
import { Rng } from '../../shared/random.ts';
import { initTf, tf } from '../tf.ts';
import { hogTargets } from './hog.ts';
import { batchNorm5dTrain } from './batchNorm5d.ts';

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  expect(maxAbsDiff(got, want), what).toBeLessThanOrEqual(parityTolerance(want));
}

const EPS = 1e-3;

/** TF.js's composition over [N·D·H·W, C] (tf.batchNorm's gradient handles rank ≤ 4). */
function composedBn(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) {
  const x2 = x.reshape([-1, x.shape[4] ?? 0]);
  const { mean, variance } = tf.moments(x2, [0]);
  const y = tf.batchNorm(x2, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, EPS).reshape(x.shape);
  return { mean, variance, y };
}

describe('TF.js ops on the webgpu backend', () => {
  beforeAll(async () => {
    const { device, adapter } = await acquireGpu(); // fails (never skips) without an adapter
    await initTf(device, adapter.info);
    expect(tf.getBackend()).toBe('webgpu');
  });
  afterAll(releaseGpu);

  it('hogTargets matches the reference for CPU-resident and GPU-resident (pending) inputs', async () => {
    const rng = new Rng(21);
    const frames = [0, 1, 2].map((i) =>
      hogTestImage(rng, 24, 40, ['bars', 'noise', 'blobs'], i === 1 ? 255 : 1),
    );
    const values = stackImages(frames);
    const dims = { batch: 3, height: 24, width: 40 };
    const ref = hogRef(values, dims, { binning: 'f32-cross' });
    const x = tf.tensor4d(values, [3, 24, 40, 3]);
    const onCpu = hogTargets(x);
    expect(onCpu.shape).toEqual([3, 3, 5, 3, 9]);
    expectClose(await onCpu.data(), ref, 'CPU-resident input');
    // x·2 − x is recorded in TF.js's encoder, not yet submitted: our kernel must run after it.
    const pending = tf.tidy(() => x.mul<tf.Tensor4D>(2).sub<tf.Tensor4D>(x));
    const onGpu = hogTargets(pending);
    const summed = onGpu.sum([3, 4]); // TF.js work queued after ours consumes our output
    expectClose(await onGpu.data(), ref, 'GPU-resident input');
    const cellSums = await summed.data();
    expect(Math.max(...cellSums)).toBeGreaterThan(0.5);
    for (const t of [x, onCpu, pending, onGpu, summed]) t.dispose();
  });

  it('hogTargets casts int32 frames and leaks no tensors', async () => {
    const rng = new Rng(22);
    const values = stackImages([hogTestImage(rng, 16, 16, ['edges', 'ramp', 'flat'], 255)]);
    const ints = tf.tensor4d(Int32Array.from(values), [1, 16, 16, 3], 'int32');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) hogTargets(ints).dispose();
    expect(tf.memory().numTensors).toBe(before);
    const out = hogTargets(ints);
    expectClose(
      await out.data(),
      hogRef(values, { batch: 1, height: 16, width: 16 }, { binning: 'f32-cross' }),
      'int',
    );
    out.dispose();
    ints.dispose();
  });

  const shapes: [number, number, number, number, number][] = [
    [2, 2, 3, 3, 8],
    [1, 1, 1, 1, 3],
    [2, 4, 6, 6, 65],
  ];
  for (const shape of shapes) {
    // TF.js compiles its composed gradient's pipelines per shape (slow on SwiftShader): grads on one shape only;
    // the cpu-backend test compares the gradients on several.
    const withGrads = shape[4] === 65;
    const what = withGrads
      ? 'forward and tf.grads match the references / TF.js composition'
      : 'forward matches the reference';
    it(`batchNorm5dTrain ${what} on webgpu for [${shape.join(',')}]`, async () => {
      const rng = new Rng(shape[4]);
      const c = shape[4];
      const size = shape.reduce((a, b) => a * b, 1);
      const xv = Float32Array.from({ length: size }, (_, i) => (i % c) * 0.3 - 1 + rng.normal());
      const x = tf.tensor5d(xv, shape);
      const gamma = tf.tensor1d(rng.float32(c, 0.5, 1.5));
      const beta = tf.tensor1d(rng.float32(c));
      const runningMean = tf.zeros<tf.Rank.R1>([c]);
      const runningVar = tf.ones<tf.Rank.R1>([c]);
      const wy = tf.tensor5d(
        Float32Array.from({ length: size }, () => rng.normal()),
        shape,
      );
      const wv = tf.tensor1d(rng.float32(c));
      const r = batchNorm5dTrain(x, gamma, beta, { eps: EPS, momentum: 0.1, runningMean, runningVar });
      const ref = batchNorm5dForwardRef(
        xv,
        await gamma.data(),
        await beta.data(),
        new Float32Array(c),
        new Float32Array(c).fill(1),
        { rows: size / c, channels: c },
        { eps: EPS, momentum: 0.1 },
      );
      for (const key of ['y', 'mean', 'variance', 'newRunningMean', 'newRunningVar'] as const) {
        expectClose(await r[key].data(), ref[key], key);
      }
      const loss =
        (useOurs: boolean) =>
        (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar => {
          const o = useOurs
            ? batchNorm5dTrain(xs as tf.Tensor5D, g as tf.Tensor1D, b as tf.Tensor1D, {
                eps: EPS,
                runningMean,
                runningVar,
              })
            : composedBn(xs, g, b);
          return tf.sum(o.y.mul(wy)).add(tf.sum(o.variance.mul(wv)));
        };
      const ours = withGrads ? tf.grads(loss(true))([x, gamma, beta]) : [];
      const theirs = withGrads ? tf.grads(loss(false))([x, gamma, beta]) : [];
      for (let i = 0; i < ours.length; i++) {
        const [a, b] = [ours[i], theirs[i]];
        if (!a || !b) throw new Error('missing gradient');
        expectClose(await a.data(), await b.data(), ['dx', 'dgamma', 'dbeta'][i] ?? '');
      }
      for (const t of [
        x,
        gamma,
        beta,
        runningMean,
        runningVar,
        wy,
        wv,
        r.y,
        r.mean,
        r.variance,
        r.newRunningMean,
        r.newRunningVar,
        ...ours,
        ...theirs,
      ])
        t.dispose();
    });
  }

  it('batchNorm5dTrain leaks no tensors over 50 training steps on webgpu', async () => {
    const rng = new Rng(7);
    const shape: [number, number, number, number, number] = [1, 2, 4, 4, 8];
    const x = tf.tensor5d(rng.float32(256), shape);
    const gamma = tf.ones<tf.Rank.R1>([8]);
    const beta = tf.zeros<tf.Rank.R1>([8]);
    let runningMean = tf.zeros<tf.Rank.R1>([8]);
    let runningVar = tf.ones<tf.Rank.R1>([8]);
    const step = (): void => {
      const { value, grads } = tf.valueAndGrads((xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const r = batchNorm5dTrain(xs as tf.Tensor5D, g as tf.Tensor1D, b as tf.Tensor1D, {
          runningMean,
          runningVar,
        });
        const [nm, nv] = [tf.keep(r.newRunningMean), tf.keep(r.newRunningVar)];
        runningMean.dispose();
        runningVar.dispose();
        [runningMean, runningVar] = [nm, nv];
        return tf.sum(tf.square(r.y));
      })([x, gamma, beta]);
      value.dispose();
      for (const g of grads) g.dispose();
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    // after 51 momentum-0.1 updates from 0, the running mean has moved ~99.5 % of the way to the batch mean
    const batchMean = tf.moments(x.reshape([-1, 8]), [0]).mean;
    expectClose(
      await runningMean.data(),
      (await batchMean.data()).map((m) => m * (1 - 0.9 ** 51)),
      'running mean',
    );
    for (const t of [x, gamma, beta, runningMean, runningVar, batchMean]) t.dispose();
  });
});
