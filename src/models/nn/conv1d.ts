// 1-D layers over time for the zoo's temporal modules (compute worker): nn.Conv1d (weight layout 'conv1d': ours
// [k, in, out], PyTorch [out, in, k]) and nn.BatchNorm1d, both on channels-last x f32[N,L,C] (BatchNorm1d also on
// f32[N,C]). They also run on symbolic shapes; Conv1d counts its multiply-adds.
import { tf } from '../tf.ts';
import type { Rng } from '../../shared/random.ts';
import { convInitValues, type ConvInit } from './init.ts';
import { BatchNorm3d } from './layers.ts';
import { isSymbolic, Module, real, SymbolicTensor, type Act, type RunContext } from './module.ts';

export interface Conv1dOptions {
  readonly kernel: number;
  /** symmetric zero padding; default 0 */
  readonly padding?: number;
  readonly bias?: boolean;
  /** 'kaiming_fan_out' (mmcv kaiming_init) or PyTorch's default U(±1/√fan_in); default the latter */
  readonly init?: ConvInit;
}

/** nn.Conv1d (stride 1): x f32[N,L,in] → f32[N,L+2p−k+1,out]. */
export class Conv1d extends Module {
  readonly kernel: number;
  readonly padding: number;
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable | null;
  constructor(
    rng: Rng,
    readonly inChannels: number,
    readonly outChannels: number,
    o: Conv1dOptions,
  ) {
    super();
    this.kernel = o.kernel;
    this.padding = o.padding ?? 0;
    const init = convInitValues(
      rng,
      o.init ?? 'torch_default',
      o.kernel * inChannels * outChannels,
      { in: o.kernel * inChannels, out: outChannels * o.kernel },
      o.bias ? outChannels : null,
    );
    this.weight = this.param('weight', tf.tensor3d(init.weight, [o.kernel, inChannels, outChannels]), {
      kind: 'conv1d',
    });
    this.bias = init.bias ? this.param('bias', tf.tensor1d(init.bias)) : null;
  }
  forward(x: Act, ctx: RunContext): Act {
    const [n = 0, l = 0, c = 0] = x.shape;
    if (x.shape.length !== 3 || c !== this.inChannels) {
      throw new RangeError(`Conv1d: expected f32[N,L,${this.inChannels}], got [${x.shape.join(', ')}]`);
    }
    const lo = l + 2 * this.padding - this.kernel + 1;
    if (isSymbolic(x)) {
      if (ctx.counter) ctx.counter.macs += n * lo * this.outChannels * this.inChannels * this.kernel;
      return new SymbolicTensor([n, lo, this.outChannels]);
    }
    const p = this.padding;
    const xt = real(x, 'Conv1d') as tf.Tensor3D;
    const padded =
      p === 0
        ? xt
        : tf.pad(xt, [
            [0, 0],
            [p, p],
            [0, 0],
          ]);
    const y = tf.conv1d(padded, this.weight as tf.Tensor as tf.Tensor3D, 1, 'valid');
    return this.bias ? tf.add(y, this.bias) : y;
  }
}

/** nn.BatchNorm1d over the last axis of f32[N,C] or f32[N,L,C] (PyTorch's [N,C] / [N,C,L]); BatchNorm3d's names. */
export class BatchNorm1d extends BatchNorm3d {
  override forward(x: Act, ctx: RunContext): Act {
    if (isSymbolic(x)) return x;
    const xt = real(x, 'BatchNorm1d');
    const c = xt.shape[xt.shape.length - 1] ?? 0;
    const y = super.forward(tf.reshape(xt, [-1, 1, 1, 1, c]), ctx) as tf.Tensor;
    return tf.reshape(y, xt.shape);
  }
}
