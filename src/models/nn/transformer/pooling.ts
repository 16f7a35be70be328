// Token pooling of the ViT families (compute worker): prepend a learned cls token, then read out either the cls
// token or the mean of the tokens (VideoMAE's use_mean_pooling), optionally through an `fc_norm` LayerNorm.
import { tf } from '../../tf.ts';
import { isSymbolic, real, SymbolicTensor, type Act } from '../module.ts';
import type { LayerNorm } from './norms.ts';

/** [cls; x]: token f32[1, 1, C] (a parameter), x f32[B, L, C] → f32[B, 1 + L, C]. */
export function prependToken(token: tf.Tensor, x: Act): Act {
  const [b = 0, l = 0, c = 0] = x.shape;
  if (isSymbolic(x)) return new SymbolicTensor([b, l + 1, c]);
  const cls = tf.broadcastTo(tf.reshape(token, [1, 1, c]), [b, 1, c]);
  return tf.concat([cls, real(x, 'prependToken')], 1);
}

/**
 * x f32[B, L, C] → f32[B, C]. 'cls': token 0; 'mean': the mean over the tokens (all of them, or with
 * `skipFirst` all but a leading cls token). `fcNorm` (VideoMAE's fc_norm) normalises the pooled vector.
 */
export function poolTokens(
  x: Act,
  mode: 'cls' | 'mean',
  opts: { readonly skipFirst?: boolean; readonly fcNorm?: LayerNorm } = {},
): Act {
  const [b = 0, l = 0, c = 0] = x.shape;
  let y: Act;
  if (isSymbolic(x)) y = new SymbolicTensor([b, c]);
  else if (mode === 'cls') y = tf.reshape(tf.slice(x, [0, 0, 0], [b, 1, c]), [b, c]);
  else {
    const from = opts.skipFirst ? 1 : 0;
    if (l - from < 1) throw new RangeError('poolTokens: no tokens to average');
    y = tf.mean(from === 0 ? x : tf.slice(x, [0, from, 0], [b, l - from, c]), 1);
  }
  return opts.fcNorm ? opts.fcNorm.forward(y) : y;
}
