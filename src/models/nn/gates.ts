// Activations and per-sample channel gates of the zoo (compute worker): Sigmoid, Swish, and x·g with a gate g per
// (sample, channel), as squeeze-excitation and temporal gates need. All also run on symbolic shapes.
import { tf } from '../tf.ts';
import { isSymbolic, Module, real, SymbolicTensor, type Act } from './module.ts';

export class Sigmoid extends Module {
  forward(x: Act): Act {
    return isSymbolic(x) ? x : tf.sigmoid(x);
  }
}

/** Swish (SiLU): x·σ(x). */
export class Swish extends Module {
  forward(x: Act): Act {
    if (isSymbolic(x)) return x;
    const t = real(x, 'Swish');
    return tf.mul(t, tf.sigmoid(t));
  }
}

/**
 * x·g per sample and channel: x f32[N,…,C], g f32[N,C] → f32[N,…,C]. Computed on the rank-3 view [N, rest, C]
 * (TF.js's webgpu backend broadcasts rank-5 binary ops wrongly).
 */
export function gateChannels(x: Act, g: Act): Act {
  const [n = 0, c = 0] = g.shape;
  if (g.shape.length !== 2 || x.shape[0] !== n || x.shape[x.shape.length - 1] !== c) {
    throw new RangeError(`gateChannels: gate [${g.shape.join(', ')}] does not fit x [${x.shape.join(', ')}]`);
  }
  if (isSymbolic(x) || isSymbolic(g)) return new SymbolicTensor([...x.shape]);
  const xt = real(x, 'gateChannels');
  const y = tf.mul(tf.reshape(xt, [n, -1, c]), tf.reshape(real(g, 'gateChannels'), [n, 1, c]));
  return tf.reshape(y, xt.shape);
}

/** f32[N,C] ↔ f32[N,1,1,1,C]: lets 1×1×1 Conv3d modules (PyTorch's SE "fc" layers) act on pooled vectors. */
export function toPoint5d(v: Act): Act {
  const [n = 0, c = 0] = v.shape;
  return isSymbolic(v) ? new SymbolicTensor([n, 1, 1, 1, c]) : tf.reshape(v, [n, 1, 1, 1, c]);
}

export function fromPoint5d(v: Act): Act {
  const [n = 0, , , , c = 0] = v.shape;
  return isSymbolic(v) ? new SymbolicTensor([n, c]) : tf.reshape(v, [n, c]);
}
