// torchvision's S3D (compute worker) with its module tree, so parameter names equal its state_dict keys
// (features.0.0.0.weight, features.5.branch1.1.0.0.weight, …, classifier.1.weight). BN eps 1e-3, momentum 1e-3;
// PyTorch's default initialisation (torchvision's S3D has no init of its own).
import { Rng } from '../../shared/random.ts';
import { AvgPool3d, BatchNorm3d, Conv3d, Dropout, F, MaxPool3d, ReLU, type Triple } from '../nn/layers.ts';
import { Module, Sequential, type Act, type RunContext } from '../nn/module.ts';
import { scaled, ZooModel, type ModelConfig } from './zooModel.ts';

const BN = { eps: 1e-3, momentum: 1e-3 };

/** torchvision.ops.Conv3dNormActivation: Sequential(conv without bias, BN, ReLU). */
function convBnRelu(
  rng: Rng,
  inP: number,
  outP: number,
  kernel: number | Triple,
  stride: number | Triple = 1,
  padding?: number | Triple,
): Sequential {
  const k: Triple = typeof kernel === 'number' ? [kernel, kernel, kernel] : kernel;
  const pad = padding ?? ([(k[0] - 1) >> 1, (k[1] - 1) >> 1, (k[2] - 1) >> 1] as const);
  return new Sequential(
    new Conv3d(rng, inP, outP, { kernel: k, stride, padding: pad, bias: false, init: 'torch_default' }),
    new BatchNorm3d(outP, BN),
    new ReLU(),
  );
}

/** TemporalSeparableConv: (1,k,k) spatial then (k,1,1) temporal, each with BN and ReLU. */
function sepConv(rng: Rng, inP: number, outP: number, k: number, s: number, p: number): Sequential {
  return new Sequential(
    convBnRelu(rng, inP, outP, [1, k, k], [1, s, s], [0, p, p]),
    convBnRelu(rng, outP, outP, [k, 1, 1], [s, 1, 1], [p, 0, 0]),
  );
}

class SepInceptionBlock3D extends Module {
  private readonly branches: Module[];
  constructor(rng: Rng, inP: number, widths: readonly number[], m: number) {
    super();
    const [b0, b1m, b1, b2m, b2, b3] = widths.map((w) => scaled(w, m)) as [number, ...number[]];
    const w = (v: number | undefined): number => v ?? 1;
    this.branches = [
      this.child('branch0', convBnRelu(rng, inP, b0, 1)),
      this.child(
        'branch1',
        new Sequential(convBnRelu(rng, inP, w(b1m), 1), sepConv(rng, w(b1m), w(b1), 3, 1, 1)),
      ),
      this.child(
        'branch2',
        new Sequential(convBnRelu(rng, inP, w(b2m), 1), sepConv(rng, w(b2m), w(b2), 3, 1, 1)),
      ),
      this.child('branch3', new Sequential(new MaxPool3d(3, 1, 1), convBnRelu(rng, inP, w(b3), 1))),
    ];
  }
  forward(x: Act, ctx: RunContext): Act {
    return F.concatChannels(this.branches.map((b) => b.forward(x, ctx)));
  }
}

/** [b0, b1_mid, b1, b2_mid, b2, b3] of torchvision's nine inception blocks, before the width multiplier. */
const INCEPTION: readonly (readonly number[])[] = [
  [64, 96, 128, 16, 32, 32],
  [128, 128, 192, 32, 96, 64],
  [192, 96, 208, 16, 48, 64],
  [160, 112, 224, 24, 64, 64],
  [128, 128, 256, 24, 64, 64],
  [112, 144, 288, 32, 64, 64],
  [256, 160, 320, 32, 128, 128],
  [256, 160, 320, 32, 128, 128],
  [384, 192, 384, 48, 128, 128],
];

const outWidth = (w: readonly number[], m: number): number =>
  [w[0], w[2], w[4], w[5]].reduce<number>((s, v) => s + scaled(v ?? 0, m), 0);

class S3DNet extends Module {
  private readonly features: Sequential;
  private readonly avgpool: AvgPool3d;
  private readonly classifier: Sequential;
  constructor(rng: Rng, m: number, numClasses: number, tiny: boolean) {
    super();
    const c64 = scaled(64, m);
    const c192 = scaled(192, m);
    const f = new Sequential(
      sepConv(rng, 3, c64, 7, 2, 3),
      new MaxPool3d([1, 3, 3], [1, 2, 2], [0, 1, 1]),
      convBnRelu(rng, c64, c64, 1),
      sepConv(rng, c64, c192, 3, 1, 1),
      new MaxPool3d([1, 3, 3], [1, 2, 2], [0, 1, 1]),
    );
    // the tiny preset keeps one inception block per resolution
    const plan: (number | 'pool3' | 'pool2')[] = tiny
      ? [0, 'pool3', 2, 'pool2', 7]
      : [0, 1, 'pool3', 2, 3, 4, 5, 6, 'pool2', 7, 8];
    let inP = c192;
    for (const step of plan) {
      if (step === 'pool3') f.push(new MaxPool3d(3, 2, 1));
      else if (step === 'pool2') f.push(new MaxPool3d(2, 2, 0));
      else {
        const widths = INCEPTION[step] ?? [];
        f.push(new SepInceptionBlock3D(rng, inP, widths, m));
        inP = outWidth(widths, m);
      }
    }
    this.features = this.child('features', f);
    this.avgpool = tiny ? new AvgPool3d([1, 1, 1], 1) : new AvgPool3d([2, 7, 7], 1);
    this.classifier = this.child(
      'classifier',
      new Sequential(
        new Dropout(0.2),
        new Conv3d(rng, inP, numClasses, { kernel: 1, bias: true, init: 'torch_default' }),
      ),
    );
  }
  forward(x: Act, ctx: RunContext): Act {
    const y = this.classifier.forward(this.avgpool.forward(this.features.forward(x, ctx)), ctx);
    return F.meanThw(y);
  }
}

/** torchvision's s3d (needs ≥ 224² and ≥ 9 frames: its final AvgPool3d is (2, 7, 7)); tiny: width × 1/8,
 *  three inception blocks, a 1×1×1 average pool so that small inputs pass. */
export function buildS3D(config: ModelConfig): ZooModel {
  const tiny = config.preset === 'tiny';
  const m = config.widthMultiplier ?? (tiny ? 1 / 8 : 1);
  return new ZooModel(
    's3d',
    config,
    'classifier.1',
    new S3DNet(new Rng(config.seed ?? 0), m, config.numClasses, tiny),
  );
}
