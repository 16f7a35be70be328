// Benchmark cases for the HOG-target kernel and training-mode BatchNorm5d (compute worker, TF.js webgpu backend
// already initialised): ours vs a TF.js composition of the same maths. Nominal FLOP counts are documented below.
import { tf } from '../models/tf.ts';
import { hogTargets } from '../models/ops/hog.ts';
import { batchNorm5dTrain } from '../models/ops/batchNorm5d.ts';
import { maxAbsDiff } from '../gpu/kernels/parity.ts';
import { HOG_EDGE_COS, HOG_EDGE_SIN } from '../gpu/kernels/hog/hog.ref.ts';
import { Rng } from '../shared/random.ts';

import type { BenchCase } from './harness.ts';

/** Nominal FLOPs per pixel and channel of HOG: 2 differences, |g| (3 + sqrt), 8 bin-edge tests × 3, 1 vote. */
const HOG_FLOPS_PER_VALUE = 31;
/** Nominal FLOPs per element of a BN training forward: mean 1, variance 3, normalise 3. */
const BN_FLOPS_PER_ELEMENT = 7;

/**
 * The HOG of hog.wgsl written with stock TF.js ops: central differences as depthwise conv2d with zeroed frame
 * borders, the same f32 cross-product binning, one-hot votes summed over 8×8 cells, L2 normalisation.
 * x: f32[B,H,W,3] → f32[B,H/8,W/8,3,9].
 */
export function hogComposed(x: tf.Tensor4D): tf.Tensor {
  return tf.tidy(() => {
    const [b, h, w] = x.shape;
    const [hc, wc] = [Math.floor(h / 8), Math.floor(w / 8)];
    const colFilter = tf.tensor4d([-1, -1, -1, 0, 0, 0, 1, 1, 1], [1, 3, 3, 1]);
    const rowFilter = tf.tensor4d([-1, -1, -1, 0, 0, 0, 1, 1, 1], [3, 1, 3, 1]);
    const border = (n: number): tf.Tensor1D =>
      tf.tensor1d(Float32Array.from({ length: n }, (_, i) => (i > 0 && i < n - 1 ? 1 : 0)));
    const gCol = tf.depthwiseConv2d(x, colFilter, 1, 'same').mul(border(w).reshape([1, 1, w, 1]));
    const gRow = tf.depthwiseConv2d(x, rowFilter, 1, 'same').mul(border(h).reshape([1, h, 1, 1]));
    const crop = (t: tf.Tensor): tf.Tensor => t.slice([0, 0, 0, 0], [b, hc * 8, wc * 8, 3]);
    let gx = crop(gCol);
    let gy = crop(gRow);
    const flip = tf.logicalOr(tf.less(gy, 0), tf.logicalAnd(tf.equal(gy, 0), tf.less(gx, 0)));
    gx = tf.where(flip, tf.neg(gx), gx);
    gy = tf.where(flip, tf.neg(gy), gy);
    const mag = tf.sqrt(gx.square().add(gy.square()));
    let bin: tf.Tensor = tf.zerosLike(mag);
    for (let k = 0; k < 8; k++) {
      const cross = gy.mul(HOG_EDGE_COS[k] ?? 0).sub(gx.mul(HOG_EDGE_SIN[k] ?? 0));
      bin = bin.add(tf.cast(tf.greaterEqual(cross, 0), 'float32'));
    }
    const votes = tf.oneHot(tf.cast(bin, 'int32'), 9).mul(mag.expandDims(-1)); // [B,H',W',3,9]
    // rank ≤ 5 throughout: TF.js's webgpu backend rejects rank-7 tensors
    const cells = votes
      .reshape([b * hc, 8, wc, 8, 27])
      .sum([1, 3])
      .div(64)
      .reshape([b, hc, wc, 3, 9]);
    const norm = tf.sqrt(cells.square().sum(-1, true).add(1e-10));
    return cells.div(norm);
  });
}

function hogCase(batch: number, size: number): BenchCase {
  return {
    op: 'hog',
    shape: `${batch}x${size}x${size}x3`,
    flops: batch * size * size * 3 * HOG_FLOPS_PER_VALUE,
    prepare: () => {
      const rng = new Rng(17);
      const x = tf.tensor4d(rng.float32(batch * size * size * 3, 0, 1), [batch, size, size, 3]);
      return Promise.resolve({
        ours: () => {
          hogTargets(x).dispose();
        },
        stock: () => {
          hogComposed(x).dispose();
        },
        maxError: async () => {
          const [a, b] = [hogTargets(x), hogComposed(x)];
          const err = maxAbsDiff(await a.data(), await b.data());
          a.dispose();
          b.dispose();
          return err;
        },
        dispose: () => {
          x.dispose();
        },
      });
    },
  };
}

function bnCase(shape: [number, number, number, number, number]): BenchCase {
  const c = shape[4];
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    op: 'batchnorm5d_train',
    shape: shape.join('x'),
    flops: size * BN_FLOPS_PER_ELEMENT,
    prepare: () => {
      const rng = new Rng(18);
      const x = tf.tensor5d(rng.float32(size), shape);
      const gamma = tf.tensor1d(rng.float32(c, 0.5, 1.5));
      const beta = tf.tensor1d(rng.float32(c));
      const runningMean = tf.zeros<tf.Rank.R1>([c]);
      const runningVar = tf.ones<tf.Rank.R1>([c]);
      const ours = (): tf.Tensor[] => {
        const r = batchNorm5dTrain(x, gamma, beta, { runningMean, runningVar });
        return [r.y, r.mean, r.variance, r.newRunningMean, r.newRunningVar];
      };
      const stock = (): tf.Tensor[] =>
        tf.tidy(() => {
          const { mean, variance } = tf.moments(x, [0, 1, 2, 3]);
          const y = tf.batchNorm(x.reshape([-1, c]), mean, variance, beta, gamma, 1e-5);
          const unbias = size / c / (size / c - 1);
          return [
            y,
            mean,
            variance,
            runningMean.mul(0.9).add(mean.mul(0.1)),
            runningVar.mul(0.9).add(variance.mul(0.1 * unbias)),
          ];
        });
      const run = (f: () => tf.Tensor[]) => () => {
        for (const t of f()) t.dispose();
      };
      return Promise.resolve({
        ours: run(ours),
        stock: run(stock),
        maxError: async () => {
          const [a, b] = [ours(), stock()];
          const [ya, yb] = [a[0], b[0]];
          const err = ya && yb ? maxAbsDiff(await ya.data(), await yb.data()) : Number.NaN;
          for (const t of [...a, ...b]) t.dispose();
          return err;
        },
        dispose: () => {
          for (const t of [x, gamma, beta, runningMean, runningVar]) t.dispose();
        },
      });
    },
  };
}

/** Hardware adapter: 16 frames of 224² and a [8,8,28,28,64] activation; software adapter: small CI shapes. */
export function hogBnBenchCases(options: { readonly hardware: boolean }): BenchCase[] {
  return options.hardware
    ? [hogCase(16, 224), bnCase([8, 8, 28, 28, 64]), bnCase([8, 4, 56, 56, 3])]
    : [hogCase(2, 64), bnCase([2, 2, 8, 8, 16])];
}
