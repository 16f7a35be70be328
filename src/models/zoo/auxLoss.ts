// Auxiliary losses of zoo models with a training-only head (compute worker; used by train/loop.ts; TPN's aux_head, MMAction2's loss_aux):
// the loss the training step differentiates is loss + weight · CE(auxiliary logits, targets).
import { tf } from '../tf.ts';

/** A model whose training forward leaves auxiliary logits (the caller takes and owns them). */
export interface AuxLogitsModel {
  takeAuxLogits(): { logits: tf.Tensor2D; weight: number } | null;
}

function hasAuxLogits(m: object): m is AuxLogitsModel {
  return typeof (m as Partial<AuxLogitsModel>).takeAuxLogits === 'function';
}

/** `loss` plus the model's auxiliary loss from its last training forward; `loss` itself for other models. */
export function withAuxLoss(model: object, loss: tf.Scalar, targets: tf.Tensor): tf.Scalar {
  const aux = hasAuxLogits(model) ? model.takeAuxLogits() : null;
  if (!aux) return loss;
  const total = tf.tidy(() => {
    const y = tf.cast(targets, 'float32') as tf.Tensor2D;
    // soft-target cross-entropy (mixed targets too), averaged over the batch
    const ce = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(aux.logits)), 1)));
    return tf.add(loss, tf.mul(ce, aux.weight));
  });
  aux.logits.dispose(); // the tape keeps what the backward pass needs
  return total as tf.Scalar;
}
