// Two small models for the built-in Toy Actions set (compute worker), sized so a software adapter trains them in
// minutes, with the module names and PyTorch default initialisation of scripts/toy-learnability/train.py (their
// PyTorch twins):
// - toy_r3d: three 3×3×3 conv-BN-ReLU blocks (strides 1, 2, 2) and global max pooling. Max pooling because the
//   moving object is small: an average over the whole clip dilutes it and learns far slower.
// - toy_avg2d: the frame-averaging 2-D baseline: the clip is averaged over time first, then three 3×3 conv-BN-ReLU
//   blocks. It can tell which pair of classes moves (translate/rotate/scale) from the blur, never the direction.
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { BatchNorm3d, Conv3d, Linear, ReLU, type Triple } from '../nn/layers.ts';
import { isSymbolic, Module, Sequential, SymbolicTensor, type Act, type RunContext } from '../nn/module.ts';
import { scaled, ZooModel, type ModelConfig } from './zooModel.ts';

/** Channel widths of the three blocks at width multiplier 1. */
export const TOY_WIDTHS: Triple = [8, 16, 32];

function block(rng: Rng, inC: number, outC: number, kernel: Triple, stride: Triple): Sequential {
  const padding: Triple = [(kernel[0] - 1) / 2, (kernel[1] - 1) / 2, (kernel[2] - 1) / 2];
  return new Sequential(
    new Conv3d(rng, inC, outC, { kernel, stride, padding, bias: false, init: 'torch_default' }),
    new BatchNorm3d(outC),
    new ReLU(),
  );
}

/** Max over T, H, W: f32[N,T,H,W,C] → f32[N,C] (reduced on the [N, T·H·W, C] view). */
function globalMax(x: Act): Act {
  const [n = 0, t = 0, h = 0, w = 0, c = 0] = x.shape;
  if (isSymbolic(x)) return new SymbolicTensor([n, c]);
  return tf.max(tf.reshape(x, [n, t * h * w, c]), 1);
}

/**
 * Mean over T keeping the axis: f32[N,T,H,W,C] → f32[N,1,H,W,C], as a running sum of the T frame slices.
 * Not tf.mean: TF.js webgpu reduces a non-innermost axis by a transpose and one barrier-synchronised
 * workgroup per output element, ~0.7 s for the toy batch on the software adapter (these slices: a few ms).
 */
function temporalMean(x: Act): Act {
  const [n = 0, t = 0, h = 0, w = 0, c = 0] = x.shape;
  if (isSymbolic(x)) return new SymbolicTensor([n, 1, h, w, c]);
  return tf.tidy(() => {
    const frame = (i: number): tf.Tensor => tf.slice(x, [0, i, 0, 0, 0], [n, 1, h, w, c]);
    let sum = frame(0);
    for (let i = 1; i < t; i++) sum = tf.add(sum, frame(i));
    return tf.mul(sum, 1 / t);
  });
}

class ToyNet extends Module {
  private readonly f: Sequential;
  private readonly h: Linear;
  constructor(
    rng: Rng,
    widths: Triple,
    numClasses: number,
    private readonly averageFrames: boolean,
  ) {
    super();
    const k: Triple = averageFrames ? [1, 3, 3] : [3, 3, 3];
    const s2: Triple = averageFrames ? [1, 2, 2] : [2, 2, 2];
    this.f = this.child(
      'f',
      new Sequential(
        block(rng, 3, widths[0], k, [1, 1, 1]),
        block(rng, widths[0], widths[1], k, s2),
        block(rng, widths[1], widths[2], k, s2),
      ),
    );
    this.h = this.child('h', new Linear(rng, widths[2], numClasses));
  }
  forward(x: Act, ctx: RunContext): Act {
    const input = this.averageFrames ? temporalMean(x) : x;
    return this.h.forward(globalMax(this.f.forward(input, ctx)), ctx);
  }
}

function buildToy(name: string, averageFrames: boolean, config: ModelConfig): ZooModel {
  const m = config.widthMultiplier ?? 1;
  const widths: Triple = [scaled(TOY_WIDTHS[0], m), scaled(TOY_WIDTHS[1], m), scaled(TOY_WIDTHS[2], m)];
  const net = new ToyNet(new Rng(config.seed ?? 0), widths, config.numClasses, averageFrames);
  return new ZooModel(name, config, 'h', net);
}

/** The Toy Actions 3-D CNN (the tiny preset is the same network: it is tiny already). */
export const buildToyR3d = (config: ModelConfig): ZooModel => buildToy('toy_r3d', false, config);

/** The frame-averaging 2-D baseline for Toy Actions. */
export const buildToyAvg2d = (config: ModelConfig): ZooModel => buildToy('toy_avg2d', true, config);
