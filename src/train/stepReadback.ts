// One GPU→CPU readback per optimizer step (compute worker): the micro-batch losses, the gradient norm and the
// logits that train accuracy is counted from are packed into one f32 vector and read with a single data() call.
import { tf } from '../models/tf.ts';

export interface StepReadback {
  /** One loss per micro-batch, in order. */
  readonly losses: number[];
  readonly gradNorm: number;
  /** f32[N_i·K] row-major per micro-batch, in order. */
  readonly logits: Float32Array[];
}

/**
 * Reads losses (scalars, one per micro-batch), the gradient norm (one element) and logits (f32[N_i,K] per
 * micro-batch) back in one transfer. The inputs are not disposed.
 */
export async function readStep(
  losses: readonly tf.Scalar[],
  gradNorm: tf.Tensor,
  logits: readonly tf.Tensor2D[],
): Promise<StepReadback> {
  const packed = tf.tidy(() => tf.concat([...losses, gradNorm, ...logits].map((t) => tf.reshape(t, [-1]))));
  try {
    const data = (await packed.data()) as Float32Array;
    let at = 0;
    const take = (n: number): Float32Array => {
      const part = data.slice(at, at + n);
      at += n;
      return part;
    };
    const lossValues = Array.from(take(losses.length));
    const norm = take(1)[0] ?? NaN;
    return { losses: lossValues, gradNorm: norm, logits: logits.map((l) => take(l.size)) };
  } finally {
    packed.dispose();
  }
}
