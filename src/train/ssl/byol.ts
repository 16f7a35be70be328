// BYOL core (compute worker; pure TF.js math): the FGKVMemPred/PySlowFast cosine momentum schedule, the
// normalised-similarity loss (symmetric over two clips) and the target-network EMA update over parameters only.
import { tf } from '../../models/tf.ts';
import { TubeletError } from '../../shared/errors.ts';

/** FGKVMemPred's `momentum_anneal_cosine`: m(e) = 1 − (1 − base)·(cos(π·e/maxEpoch) + 1)/2, e fractional. */
export function byolMomentum(epoch: number, maxEpoch: number, base = 0.996): number {
  const e = Math.min(Math.max(epoch, 0), maxEpoch);
  return 1 - ((1 - base) * (Math.cos((Math.PI * e) / maxEpoch) + 1)) / 2;
}

/** `sim_loss`: −mean_b cos(p_b, z_b)/T with both rows L2-normalised; z is a stop-gradient key. p, z: f32[B,D]. */
export function byolSimLoss(p: tf.Tensor2D, z: tf.Tensor2D, temperature = 0.5): tf.Scalar {
  return tf.tidy(() => {
    const eps = 1e-12;
    const pn = tf.div(p, tf.maximum(tf.norm(p, 2, 1, true), eps));
    const zn = tf.div(z, tf.maximum(tf.norm(z, 2, 1, true), eps));
    return tf.neg(tf.div(tf.mean(tf.sum(tf.mul(pn, zn), 1)), temperature));
  });
}

/** Symmetric BYOL loss L = ℓ(p₁, z₂) + ℓ(p₂, z₁) (the sum the per-clip backward accumulates). */
export function byolSymmetricLoss(
  p1: tf.Tensor2D,
  p2: tf.Tensor2D,
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  temperature = 0.5,
): tf.Scalar {
  return tf.tidy(() => tf.add(byolSimLoss(p1, z2, temperature), byolSimLoss(p2, z1, temperature)));
}

/** θ_t ← m·θ_t + (1−m)·θ_o in place, for parameters only (BN running statistics are not EMA'd). */
export function emaUpdate(target: readonly tf.Variable[], online: readonly tf.Tensor[], m: number): void {
  if (target.length !== online.length)
    throw new TubeletError(
      'INVALID_ARGUMENT',
      `emaUpdate: ${target.length} target vs ${online.length} online tensors`,
    );
  target.forEach((t, i) => {
    const o = online[i];
    if (o === undefined) return;
    if (o.size !== t.size)
      throw new TubeletError(
        'INVALID_ARGUMENT',
        `emaUpdate: tensor ${i} has ${o.size} vs ${t.size} elements`,
      );
    t.assign(tf.tidy(() => tf.add(tf.mul(t, m), tf.mul(o, 1 - m))));
  });
}
