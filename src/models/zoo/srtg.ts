// SRTG ResNets (compute worker) as Stergiou & Poppe's reference (github alexandrosstergiou/
// Squeeze-and-Recursion-Temporal-Gates, network/srtg_resnet.py): torchvision-style R3D-18/34 whose every
// BasicBlock ends with `sar` = Squeeze_and_Recursion: per-frame global spatial average pool, a 2-layer LSTM over
// time (hidden = channels), and the block output multiplied by the LSTM's features frame by frame. Names:
// stem.0.weight, layer1.0.conv1.0.0.weight (its Conv3DSimple is a Sequential), layer1.0.sar.lstm.weight_ih_l0, …,
// fc.weight.
// The reference's srtg_r3d_18/34 builders pass gates=False, so its cyclic-consistency gate (soft_nnc) is not part
// of these networks; see README.md (models/zoo) for why it is not ported.
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { LSTM } from '../nn/lstm.ts';
import { isSymbolic, Module, real, SymbolicTensor, type Act, type RunContext } from '../nn/module.ts';
import { VIDEO_RESNET_SPECS, VideoResNet, type VideoResNetSpec } from './videoResnet.ts';
import { ZooModel, type ModelConfig } from './zooModel.ts';

/** Squeeze_and_Recursion: x f32[N,T,H,W,C] → x · LSTM(mean_HW x) per (sample, frame, channel). */
export class SqueezeAndRecursion extends Module {
  private readonly lstm: LSTM;
  constructor(rng: Rng, planes: number) {
    super();
    this.lstm = this.child('lstm', new LSTM(rng, planes, planes, 2));
  }
  forward(x: Act, ctx: RunContext): Act {
    const [n = 0, t = 0, h = 0, w = 0, c = 0] = x.shape;
    if (isSymbolic(x)) {
      this.lstm.forward(new SymbolicTensor([n, t, c]), ctx);
      return x;
    }
    const xt = real(x, 'SqueezeAndRecursion');
    const rows = tf.reshape(xt, [n * t, h * w, c]); // rank-3 views: TF.js webgpu rank-5 broadcasts are wrong
    const squeezed = tf.reshape(tf.mean(rows, 1), [n, t, c]);
    const sr = real(this.lstm.forward(squeezed, ctx), 'SqueezeAndRecursion');
    return tf.reshape(tf.mul(rows, tf.reshape(sr, [n * t, 1, c])), xt.shape);
  }
}

const SIMPLE_SEQ = ['simple_seq', 'simple_seq', 'simple_seq', 'simple_seq'] as const;
const SRTG_SPECS = {
  srtg_r3d_18: { ...VIDEO_RESNET_SPECS.r3d_18, convs: SIMPLE_SEQ },
  srtg_r3d_34: { ...VIDEO_RESNET_SPECS.r3d_18, convs: SIMPLE_SEQ, blocks: [3, 4, 6, 3] },
} as const satisfies Record<string, VideoResNetSpec>;

/** SRTG R3D-18/34 (kaiming fan_out convs, BN 1/0, fc N(0, 0.01) as the reference); tiny: one block per stage,
 *  width × 1/8. */
export function buildSRTG(name: keyof typeof SRTG_SPECS, config: ModelConfig): ZooModel {
  const tiny = config.preset === 'tiny';
  const base = SRTG_SPECS[name];
  const spec: VideoResNetSpec = tiny ? { ...base, blocks: [1, 1, 1, 1] } : base;
  const m = config.widthMultiplier ?? (tiny ? 1 / 8 : 1);
  const net = new VideoResNet(
    new Rng(config.seed ?? 0),
    spec,
    m,
    config.numClasses,
    (rng, planes) => new SqueezeAndRecursion(rng, planes),
  );
  return new ZooModel(name, config, 'fc', net);
}
