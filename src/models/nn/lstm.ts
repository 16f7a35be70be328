// nn.LSTM for the zoo (compute worker): batch-first sequences x f32[N,T,C] → outputs of the last layer f32[N,T,H],
// zero initial states, PyTorch's gate order (i, f, g, o) and state_dict names (weight_ih_l0 [4H, in],
// weight_hh_l0 [4H, H], bias_ih_l0, bias_hh_l0, … per layer), PyTorch's init U(±1/√H). Runs on rank ≤ 3 tensors.
import { tf } from '../tf.ts';
import type { Rng } from '../../shared/random.ts';
import { torchDefaultUniform } from './init.ts';
import { isSymbolic, Module, real, SymbolicTensor, type Act, type RunContext } from './module.ts';

interface LayerWeights {
  readonly wih: tf.Variable; // [in, 4H]
  readonly whh: tf.Variable; // [H, 4H]
  readonly bias: [tf.Variable, tf.Variable];
}

export class LSTM extends Module {
  private readonly layers: LayerWeights[] = [];
  constructor(
    rng: Rng,
    readonly inputSize: number,
    readonly hiddenSize: number,
    readonly numLayers = 1,
  ) {
    super();
    const h = hiddenSize;
    const u = (n: number, shape: number[]): tf.Tensor => tf.tensor(torchDefaultUniform(rng, n, h), shape);
    for (let l = 0; l < numLayers; l++) {
      const inF = l === 0 ? inputSize : h;
      this.layers.push({
        wih: this.param(`weight_ih_l${l}`, u(inF * 4 * h, [inF, 4 * h]), { kind: 'linear' }),
        whh: this.param(`weight_hh_l${l}`, u(h * 4 * h, [h, 4 * h]), { kind: 'linear' }),
        bias: [
          this.param(`bias_ih_l${l}`, u(4 * h, [4 * h])),
          this.param(`bias_hh_l${l}`, u(4 * h, [4 * h])),
        ],
      });
    }
  }

  /** x: f32[N,T,inputSize] → f32[N,T,hiddenSize]. */
  forward(x: Act, ctx: RunContext): Act {
    const [n = 0, t = 0, c = 0] = x.shape;
    if (x.shape.length !== 3 || c !== this.inputSize) {
      throw new RangeError(`LSTM: expected f32[N,T,${this.inputSize}], got [${x.shape.join(', ')}]`);
    }
    const h = this.hiddenSize;
    if (isSymbolic(x)) {
      if (ctx.counter)
        ctx.counter.macs += n * t * 4 * h * (this.inputSize + h + (this.numLayers - 1) * 2 * h);
      return new SymbolicTensor([n, t, h]);
    }
    let seq = real(x, 'LSTM') as tf.Tensor3D;
    for (const { wih, whh, bias } of this.layers) {
      const inF = seq.shape[2];
      // input projections of every step at once: [N·T, in]·[in, 4H] + b_ih + b_hh
      const xw = tf.reshape(tf.add(tf.matMul(tf.reshape(seq, [n * t, inF]), wih), tf.add(bias[0], bias[1])), [
        n,
        t,
        4 * h,
      ]);
      let hPrev: tf.Tensor2D = tf.zeros([n, h]);
      let cPrev: tf.Tensor2D = tf.zeros([n, h]);
      const outs: tf.Tensor2D[] = [];
      for (let s = 0; s < t; s++) {
        const z = tf.add(
          tf.reshape(tf.slice(xw, [0, s, 0], [n, 1, 4 * h]), [n, 4 * h]),
          tf.matMul(hPrev, whh),
        );
        const [i, f, g, o] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        cPrev = tf.add(tf.mul(tf.sigmoid(f), cPrev), tf.mul(tf.sigmoid(i), tf.tanh(g)));
        hPrev = tf.mul(tf.sigmoid(o), tf.tanh(cPrev));
        outs.push(hPrev);
      }
      seq = tf.stack(outs, 1) as tf.Tensor3D;
    }
    return seq;
  }
}
