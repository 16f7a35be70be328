// nn.LayerNorm and nn.GELU as zoo modules (compute worker), on our fused ops (src/models/ops/layerNorm.ts, gelu.ts):
// shared by every transformer family (MViT, ViT blocks). Symbolic runs pass shapes through uncounted.
import { tf } from '../../tf.ts';
import { layerNorm } from '../../ops/layerNorm.ts';
import { gelu } from '../../ops/gelu.ts';
import { isSymbolic, Module, type Act } from '../module.ts';

/** nn.LayerNorm(C, eps) over the last axis: weight, bias. */
export class LayerNorm extends Module {
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;
  constructor(
    readonly channels: number,
    readonly eps: number,
  ) {
    super();
    this.weight = this.param('weight', tf.ones([channels]));
    this.bias = this.param('bias', tf.zeros([channels]));
  }
  forward(x: Act): Act {
    if (x.shape[x.shape.length - 1] !== this.channels)
      throw new RangeError(`LayerNorm: expected ${this.channels} channels, got [${x.shape.join(', ')}]`);
    if (isSymbolic(x)) return x;
    return layerNorm(x, this.weight as tf.Tensor as tf.Tensor1D, this.bias as tf.Tensor as tf.Tensor1D, {
      eps: this.eps,
    });
  }
}

/** nn.GELU() (erf). */
export class Gelu extends Module {
  forward(x: Act): Act {
    return isSymbolic(x) ? x : gelu(x);
  }
}
