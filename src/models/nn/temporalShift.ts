// TSM's temporal shift (compute worker), as MMAction2's TemporalShift: of C channels, the first ⌊C/shift_div⌋ move
// one frame back in time (frame t takes t+1, the last gets zeros), the next ⌊C/shift_div⌋ one frame forward (frame t
// takes t−1, the first gets zeros), the rest stay. x: f32[N,T,H,W,C], segments = T. Runs on rank ≤ 3 views (TF.js
// webgpu's rank-5 slice gradients are wrong).
import { tf } from '../tf.ts';
import { isSymbolic, Module, real, type Act, type RunContext } from './module.ts';

/** Shifts along T: `by` = +1 moves frame t+1 into t (zeros at the end), −1 moves t−1 into t (zeros at the start). */
function shiftTime(x3: tf.Tensor3D, by: 1 | -1): tf.Tensor3D {
  const [n, t, f] = x3.shape;
  const padded = tf.pad(x3, [[0, 0], by === 1 ? [0, 1] : [1, 0], [0, 0]]);
  return tf.slice(padded, [0, by === 1 ? 1 : 0, 0], [n, t, f]);
}

/** The shift alone: x f32[N,T,H,W,C] → f32[N,T,H,W,C]. */
export function temporalShift(x: tf.Tensor5D, shiftDiv: number): tf.Tensor5D {
  const [n, t, h, w, c] = x.shape;
  const fold = Math.floor(c / shiftDiv);
  if (fold === 0) return x;
  return tf.tidy(() => {
    const rows = tf.reshape<tf.Rank.R2>(x, [n * t * h * w, c]);
    const part = (from: number, size: number, by: 1 | -1 | 0): tf.Tensor2D => {
      const p = tf.slice(rows, [0, from], [-1, size]);
      if (by === 0) return p;
      return tf.reshape(shiftTime(tf.reshape(p, [n, t, h * w * size]), by), [n * t * h * w, size]);
    };
    const parts = [part(0, fold, 1), part(fold, fold, -1)];
    if (c > 2 * fold) parts.push(part(2 * fold, c - 2 * fold, 0));
    return tf.reshape(tf.concat(parts, 1), x.shape);
  });
}

/** MMAction2's TemporalShift wrapper: shift, then the wrapped module (registered as `net`). */
export class TemporalShift extends Module {
  private readonly net: Module;
  constructor(
    net: Module,
    readonly shiftDiv = 8,
  ) {
    super();
    this.net = this.child('net', net);
  }
  forward(x: Act, ctx: RunContext): Act {
    const y = isSymbolic(x) ? x : temporalShift(real(x, 'TemporalShift') as tf.Tensor5D, this.shiftDiv);
    return this.net.forward(y, ctx);
  }
}
