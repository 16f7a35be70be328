// MMAction2's TANet-R50 (compute worker): TSN's 2-D ResNet-50 with a temporal adaptive module (TAM, common/tam.py)
// after every Bottleneck's conv1 (TABlock: `backbone.layerN.M.block.*` holds the block, `.tam.{G,L}` the module),
// TSMHead (dropout 0.5, fc N(0, 0.001)). x f32[N,T,H,W,3] with T = num_segments (8; tiny 4).
import type { Rng } from '../../shared/random.ts';
import { BatchNorm1d, Conv1d } from '../nn/conv1d.ts';
import { Sigmoid } from '../nn/gates.ts';
import { Linear, ReLU } from '../nn/layers.ts';
import {
  isSymbolic,
  Module,
  real,
  Sequential,
  SymbolicTensor,
  type Act,
  type RunContext,
} from '../nn/module.ts';
import { tf } from '../tf.ts';
import type { Bottleneck } from './resnet2d.ts';
import { buildRecognizer2D } from './tsn.ts';
import type { ModelConfig, ZooModel } from './zooModel.ts';

/** nn.Softmax(-1). */
class Softmax extends Module {
  forward(x: Act): Act {
    return isSymbolic(x) ? x : tf.softmax(x);
  }
}

/** The adaptive kernel size K and its padding (TAM's defaults: K 3, padding 1, stride 1). */
const K = 3;

/**
 * TAM (α 2, β 4, K 3): per (video, channel) the spatial means θ f32[N,T,C] give a global branch G (Linear T→2T,
 * BN, ReLU, Linear 2T→K, softmax: a K-tap temporal kernel) and a local branch L (Conv1d C→C/4 k3, BN, ReLU,
 * Conv1d C/4→C, sigmoid: a gate per frame); y[t] = Σ_k kernel[k] · (x·gate)[t+k−1], zeros beyond the clip.
 * x f32[N,T,H,W,C] → same shape. `identity` bypasses it (parity tests against a plain ResNet).
 */
export class TAM extends Module {
  identity = false;
  private readonly G: Sequential;
  private readonly L: Sequential;
  constructor(
    rng: Rng,
    readonly channels: number,
    readonly segments: number,
    alpha = 2,
    beta = 4,
  ) {
    super();
    const mid = Math.floor(channels / beta);
    this.G = this.child(
      'G',
      new Sequential(
        new Linear(rng, segments, segments * alpha, 'normal_0.001', false),
        new BatchNorm1d(segments * alpha),
        new ReLU(),
        new Linear(rng, segments * alpha, K, 'normal_0.001', false),
        new Softmax(),
      ),
    );
    this.L = this.child(
      'L',
      new Sequential(
        new Conv1d(rng, channels, mid, { kernel: 3, padding: 1, init: 'kaiming_fan_out' }),
        new BatchNorm1d(mid),
        new ReLU(),
        new Conv1d(rng, mid, channels, { kernel: 1, init: 'kaiming_fan_out' }),
        new Sigmoid(),
      ),
    );
  }
  forward(x: Act, ctx: RunContext): Act {
    if (this.identity) return x;
    const [n = 0, t = 0, h = 0, w = 0, c = 0] = x.shape;
    if (x.shape.length !== 5 || t !== this.segments || c !== this.channels) {
      throw new RangeError(
        `TAM: expected f32[N,${this.segments},H,W,${this.channels}], got [${x.shape.join(', ')}]`,
      );
    }
    if (isSymbolic(x)) {
      this.G.forward(new SymbolicTensor([n * c, t]), ctx);
      this.L.forward(new SymbolicTensor([n, t, c]), ctx);
      return x;
    }
    const xt = real(x, 'TAM');
    const theta = tf.mean<tf.Tensor3D>(xt, [2, 3]); // [n, t, c]
    const rows = tf.reshape(tf.transpose(theta, [0, 2, 1]), [n * c, t]);
    const kernel = tf.reshape(real(this.G.forward(rows, ctx), 'TAM'), [n, c, K]);
    const gate = real(this.L.forward(theta, ctx), 'TAM'); // [n, t, c]
    // rank ≤ 3 views throughout (TF.js webgpu's rank-5 broadcasting and slice gradients are wrong)
    const gated = tf.mul(tf.reshape(xt, [n * t, h * w, c]), tf.reshape(gate, [n * t, 1, c]));
    const padded = tf.pad(tf.reshape(gated, [n, t, h * w * c]), [
      [0, 0],
      [1, 1],
      [0, 0],
    ]);
    let y: tf.Tensor | null = null;
    for (let k = 0; k < K; k++) {
      const frames = tf.reshape(tf.slice(padded, [0, k, 0], [n, t, h * w * c]), [n, t * h * w, c]);
      const tap = tf.reshape(tf.slice(kernel, [0, 0, k], [n, c, 1]), [n, 1, c]);
      const term = tf.mul(frames, tap);
      y = y ? tf.add(y, term) : term;
    }
    return tf.reshape(y as tf.Tensor, xt.shape);
  }
}

/** TABlock: the Bottleneck (`block`) with the TAM (`tam`) between its conv1 and conv2. */
class TABlock extends Module {
  private readonly block: Bottleneck;
  readonly tam: TAM;
  constructor(rng: Rng, block: Bottleneck, segments: number) {
    super();
    this.block = this.child('block', block);
    this.tam = this.child('tam', new TAM(rng, block.planes, segments));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.block.forward(x, ctx, (y) => this.tam.forward(y, ctx));
  }
}

/** TANet-R50 (8 segments); tiny: width × 1/8, one block per stage, 4 segments. */
export function buildTANet(config: ModelConfig): ZooModel {
  return buildRecognizer2D('tanet_r50', config, (rng, tiny) => {
    const segments = tiny ? 4 : 8;
    return {
      backbone: { shiftDiv: null, wrapBlock: (block) => new TABlock(rng, block, segments) },
      dropout: 0.5,
      init: 'normal_0.001',
      segments,
    };
  });
}
