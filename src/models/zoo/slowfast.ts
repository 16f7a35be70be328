// MMAction2's SlowFast-R50 (compute worker): ResNet3dSlowFast with `slow_path` (ResNet3dPathway with lateral
// convs conv1_lateral, layer1…3_lateral) and `fast_path`, then SlowFastHead's fc_cls on the concatenated pools
// (fast first, then slow, as MMAction2 concatenates). One clip in; the pathways sample it in time by striding
// (MMAction2's nearest interpolation by 1/resample_rate and speed_ratio/resample_rate). x: f32[N,T,H,W,C].
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { F, GlobalAvgPool } from '../nn/layers.ts';
import { isSymbolic, Module, SymbolicTensor, type Act, type RunContext } from '../nn/module.ts';
import { Recognizer3D, type PooledBackbone } from './mmaction.ts';
import { ResNet3d, type ResNet3dSpec } from './resnet3d.ts';
import { RESNET3D_SPECS, tinyResNet3dSpec } from './resnet3dModels.ts';
import { scaled, ZooModel, type ModelConfig } from './zooModel.ts';

/**
 * Every r-th frame from the first: F.interpolate(mode='nearest', scale_factor=(1/r, 1, 1)) for an integer r, which
 * keeps ⌊T/r⌋ frames, frame i from source frame i·r. Runs on rank-3 views (TF.js webgpu mishandles rank-5 slices).
 */
export function strideTime(x: Act, r: number): Act {
  const [n = 0, t = 0, h = 0, w = 0, c = 0] = x.shape;
  const out = Math.floor(t / r);
  if (out < 1) throw new RangeError(`SlowFast: ${t} frames are too few for a temporal stride of ${r}`);
  if (r === 1) return x;
  if (isSymbolic(x)) return new SymbolicTensor([n, out, h, w, c]);
  const frame = h * w * c;
  const kept = tf.slice(tf.reshape(x, [n, t, frame]), [0, 0, 0], [n, out * r, frame]);
  const first = tf.slice(tf.reshape(kept, [n, out, r * frame]), [0, 0, 0], [n, out, frame]);
  return tf.reshape(first, [n, out, h, w, c]);
}

export interface SlowFastSpec {
  /** tau: the slow pathway sees every resample_rate-th frame */
  readonly resampleRate: number;
  /** alpha: the fast pathway has speed_ratio times the frames of the slow one */
  readonly speedRatio: number;
  /** 1/beta: the fast pathway is channel_ratio times narrower */
  readonly channelRatio: number;
  readonly fusionKernel: number;
  readonly slow: ResNet3dSpec;
  readonly fast: ResNet3dSpec;
}

class SlowFastBackbone extends Module implements PooledBackbone {
  readonly featureChannels: number;
  private readonly slow: ResNet3d;
  private readonly fast: ResNet3d;
  private readonly pool = new GlobalAvgPool();
  constructor(
    rng: Rng,
    private readonly spec: SlowFastSpec,
    m: number,
  ) {
    super();
    // the fast pathway's widths: its stem and the outputs of layer1…3 feed the lateral convs
    const fastBase = scaled(spec.fast.baseChannels, m);
    const fastChannels = [fastBase, ...[0, 1, 2].map((i) => scaled(spec.fast.baseChannels * 2 ** i, m) * 4)];
    this.slow = new ResNet3d(rng, spec.slow, m, {
      fastChannels,
      fusionKernel: spec.fusionKernel,
      speedRatio: spec.speedRatio,
    });
    this.fast = new ResNet3d(rng, spec.fast, m);
    this.child('slow_path', this.slow);
    this.child('fast_path', this.fast);
    this.featureChannels = this.slow.featureChannels + this.fast.featureChannels;
  }
  forward(x: Act, ctx: RunContext): Act {
    const { resampleRate: tau, speedRatio: alpha } = this.spec;
    let xs = this.slow.stem(strideTime(x, tau), ctx);
    let xf = this.fast.stem(strideTime(x, tau / alpha), ctx);
    xs = F.concatChannels([xs, this.slow.lateral(0, xf, ctx)]);
    const stages = this.slow.numStages;
    for (let i = 0; i < stages; i++) {
      xs = this.slow.stage(i, xs, ctx);
      xf = this.fast.stage(i, xf, ctx);
      if (i < stages - 1) xs = F.concatChannels([xs, this.slow.lateral(i + 1, xf, ctx)]);
    }
    return F.concatChannels([this.pool.forward(xf), this.pool.forward(xs)]);
  }
}

/** configs/_base_/models/slowfast_r50.py pathways: the slow one is SlowOnly-R50's ResNet3d (MMAction2 derives
 *  ResNet3dSlowOnly from the same pathway class); the fast one is 8 wide with a 5×7×7 stem and inflation everywhere.
 *  pool2 is never applied by ResNet3dSlowFast.forward. */
const SLOW: ResNet3dSpec = RESNET3D_SPECS.slowonly_r50;
const FAST: ResNet3dSpec = { ...SLOW, baseChannels: 8, conv1Kernel: [5, 7, 7], inflate: [1, 1, 1, 1] };

export const SLOWFAST_SPECS = {
  /** slowfast_r50_8xb8-4x16x1: tau 8, alpha 8, fusion kernel 5 (ResNet3dPathway's default) */
  slowfast_r50_4x16: {
    resampleRate: 8,
    speedRatio: 8,
    channelRatio: 8,
    fusionKernel: 5,
    slow: SLOW,
    fast: FAST,
  },
  /** slowfast_r50_8xb8-8x8x1: tau 4, alpha 4, fusion kernel 7 */
  slowfast_r50_8x8: {
    resampleRate: 4,
    speedRatio: 4,
    channelRatio: 8,
    fusionKernel: 7,
    slow: SLOW,
    fast: FAST,
  },
} as const satisfies Record<string, SlowFastSpec>;

/** SlowFast recognizer; tiny: one block per stage, width × 1/8 (the fast pathway's stem is then 1 channel wide). */
export function buildSlowFast(name: keyof typeof SLOWFAST_SPECS, config: ModelConfig): ZooModel {
  const tiny = config.preset === 'tiny';
  const base = SLOWFAST_SPECS[name];
  const spec: SlowFastSpec = tiny
    ? { ...base, slow: tinyResNet3dSpec(base.slow), fast: tinyResNet3dSpec(base.fast) }
    : base;
  const m = config.widthMultiplier ?? (tiny ? 1 / 8 : 1);
  const rng = new Rng(config.seed ?? 0);
  const backbone = new SlowFastBackbone(rng, spec, m);
  return new ZooModel(name, config, 'cls_head.fc_cls', new Recognizer3D(rng, backbone, config.numClasses));
}
