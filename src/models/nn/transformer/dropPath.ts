// DropPath (stochastic depth, timm's per-sample "row" mode) for the transformer blocks (compute worker): identity at
// eval or p = 0; in training each sample is zeroed with probability p, else scaled 1/(1−p), drawn from the seeded Rng.
import { tf } from '../../tf.ts';
import { Rng } from '../../../shared/random.ts';
import type { RunContext } from '../module.ts';

/** x f32[B, …] → same shape. Without ctx.rng a fixed Rng(0) keeps runs reproducible. */
export function dropPath<T extends tf.Tensor>(x: T, p: number, ctx: RunContext): T {
  if (!ctx.training || p === 0) return x;
  const b = x.shape[0];
  const rng = ctx.rng ?? new Rng(0);
  const keep = Float32Array.from({ length: b }, () => (rng.next() >= p ? 1 / (1 - p) : 0));
  return tf.mul<T>(x, tf.tensor(keep, [b, ...x.shape.slice(1).map(() => 1)]));
}
