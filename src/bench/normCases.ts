// Benchmark cases for the fused LayerNorm and GELU kernels (compute worker, TF.js webgpu backend already
// initialised): ours (layerNorm, gelu) vs the stock TF.js compositions (layerNormComposed, geluComposed).
// `_fwd` times the forward; `_bwd` times forward + backward through tf.grads (as attention_bwd does).
import { tf } from '../models/tf.ts';
import { layerNorm, layerNormComposed } from '../models/ops/layerNorm.ts';
import { gelu, geluComposed } from '../models/ops/gelu.ts';
import { maxAbsDiff } from '../gpu/kernels/parity.ts';
import { Rng } from '../shared/random.ts';

import type { BenchCase } from './harness.ts';

/** Nominal FLOPs per element: LayerNorm forward 8 (mean 1, variance 3, normalise + affine 4), + backward 11. */
const LN_FLOPS = { fwd: 8, bwd: 19 };
/** Nominal FLOPs per element: GELU forward 20 (erf polynomial + exp), forward + backward 45. */
const GELU_FLOPS = { fwd: 20, bwd: 45 };

type Kind = 'fwd' | 'bwd';

function runCase(
  op: string,
  shape: [number, number],
  flops: number,
  seed: number,
  build: (rng: Rng) => { run: (fused: boolean) => tf.Tensor[]; inputs: tf.Tensor[] },
): BenchCase {
  return {
    op,
    shape: shape.join('x'),
    flops: shape[0] * shape[1] * flops,
    prepare: () => {
      const { run, inputs } = build(new Rng(seed));
      const enqueue = (fused: boolean) => (): void => {
        tf.dispose(run(fused));
      };
      return Promise.resolve({
        ours: enqueue(true),
        stock: enqueue(false),
        maxError: async () => {
          const [a, b] = [run(true), run(false)];
          let err = 0;
          for (const [i, t] of a.entries()) {
            const u = b[i];
            if (u) err = Math.max(err, maxAbsDiff(await t.data(), await u.data()));
          }
          tf.dispose([...a, ...b]);
          return err;
        },
        dispose: () => {
          tf.dispose(inputs);
        },
      });
    },
  };
}

function layerNormCase(kind: Kind, shape: [number, number]): BenchCase {
  return runCase(`layernorm_${kind}`, shape, LN_FLOPS[kind], shape[0] + shape[1], (rng) => {
    const [rows, cols] = shape;
    const x = tf.tensor2d(rng.float32(rows * cols, -2, 2), shape);
    const dy = tf.tensor2d(rng.float32(rows * cols), shape);
    const gamma = tf.tensor1d(rng.float32(cols, 0.5, 1.5));
    const beta = tf.tensor1d(rng.float32(cols));
    const f = (fused: boolean) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      fused
        ? layerNorm(a, g as tf.Tensor1D, b as tf.Tensor1D)
        : layerNormComposed(a, g as tf.Tensor1D, b as tf.Tensor1D);
    const run = (fused: boolean): tf.Tensor[] =>
      kind === 'fwd'
        ? [f(fused)(x, gamma, beta)]
        : tf.grads((a, g, b) => f(fused)(a, g, b).mul(dy).sum())([x, gamma, beta]);
    return { run, inputs: [x, dy, gamma, beta] };
  });
}

function geluCase(kind: Kind, shape: [number, number]): BenchCase {
  return runCase(`gelu_${kind}`, shape, GELU_FLOPS[kind], shape[0] * 3 + shape[1], (rng) => {
    const x = tf.tensor2d(rng.float32(shape[0] * shape[1], -4, 4), shape);
    const dy = tf.tensor2d(rng.float32(shape[0] * shape[1]), shape);
    const f = (fused: boolean) => (a: tf.Tensor) => (fused ? gelu(a) : geluComposed(a));
    const run = (fused: boolean): tf.Tensor[] =>
      kind === 'fwd' ? [f(fused)(x)] : [tf.grad((a) => f(fused)(a).mul(dy).sum())(x)];
    return { run, inputs: [x, dy] };
  });
}

/**
 * ViT-B/TimeSformer-B tokens [8·197, 768] and ViT-S-sized video tokens [1568, 384] for LayerNorm; GELU on the
 * MLP hidden activation (4× width) on hardware adapters, on the token width on the software adapter.
 */
export function normBenchCases(options: { readonly hardware: boolean }): BenchCase[] {
  const lnShapes: [number, number][] = [
    [8 * 197, 768],
    [1568, 384],
  ];
  const geluShapes: [number, number][] = options.hardware
    ? [
        [8 * 197, 3072],
        [1568, 1536],
      ]
    : lnShapes;
  return (['fwd', 'bwd'] as const).flatMap((kind) => [
    ...lnShapes.map((s) => layerNormCase(kind, s)),
    ...geluShapes.map((s) => geluCase(kind, s)),
  ]);
}
