// torchvision's VideoResNet family (compute worker): r3d_18, mc3_18 and r2plus1d_18 with torchvision's module
// tree, so parameter names equal its state_dict keys (stem.0.weight, layer1.0.conv1.0.weight, …, fc.weight).
import { Rng } from '../../shared/random.ts';
import { BatchNorm3d, Conv3d, F, GlobalAvgPool, Linear, ReLU } from '../nn/layers.ts';
import { Module, Sequential, type Act, type RunContext } from '../nn/module.ts';
import { scaled, ZooModel, type ModelConfig } from './zooModel.ts';

/** Which convolution a stage uses (torchvision's conv_makers). */
export type ConvKind = 'simple' | 'no_temporal' | '2plus1d' | 'simple_seq';

/** torchvision's BasicBlock mid-plane count for (2+1)D: ⌊in·out·27 / (in·9 + 3·out)⌋. */
export function midPlanes(inPlanes: number, planes: number): number {
  return Math.floor((inPlanes * planes * 27) / (inPlanes * 9 + 3 * planes));
}

/** Conv3DSimple / Conv3DNoTemporal (one conv) or Conv2Plus1D (a Sequential of conv, BN, ReLU, conv). */
function convBuilder(
  rng: Rng,
  kind: ConvKind,
  inP: number,
  outP: number,
  mid: number,
  stride: number,
): Module {
  if (kind === 'simple') return new Conv3d(rng, inP, outP, { kernel: 3, stride, padding: 1 });
  // SRTG's reference: Conv3DSimple is an nn.Sequential holding the conv (names conv1.0.0.weight)
  if (kind === 'simple_seq')
    return new Sequential(new Conv3d(rng, inP, outP, { kernel: 3, stride, padding: 1 }));
  if (kind === 'no_temporal') {
    return new Conv3d(rng, inP, outP, { kernel: [1, 3, 3], stride: [1, stride, stride], padding: [0, 1, 1] });
  }
  return new Sequential(
    new Conv3d(rng, inP, mid, { kernel: [1, 3, 3], stride: [1, stride, stride], padding: [0, 1, 1] }),
    new BatchNorm3d(mid),
    new ReLU(),
    new Conv3d(rng, mid, outP, { kernel: [3, 1, 1], stride: [stride, 1, 1], padding: [1, 0, 0] }),
  );
}

/** A module run on each block's output (after the final ReLU), registered as `sar` (SRTG's placement 'final'). */
export type BlockTail = (rng: Rng, planes: number) => Module;

class BasicBlock extends Module {
  private readonly conv1: Module;
  private readonly conv2: Module;
  private readonly downsample: Module | null;
  private readonly sar: Module | null;
  constructor(
    rng: Rng,
    kind: ConvKind,
    inPlanes: number,
    planes: number,
    stride: number,
    after: BlockTail | null,
  ) {
    super();
    const mid = midPlanes(inPlanes, planes);
    this.conv1 = this.child(
      'conv1',
      new Sequential(
        convBuilder(rng, kind, inPlanes, planes, mid, stride),
        new BatchNorm3d(planes),
        new ReLU(),
      ),
    );
    this.conv2 = this.child(
      'conv2',
      new Sequential(convBuilder(rng, kind, planes, planes, mid, 1), new BatchNorm3d(planes)),
    );
    this.downsample = null;
    if (stride !== 1 || inPlanes !== planes) {
      const ds: [number, number, number] =
        kind === 'no_temporal' ? [1, stride, stride] : [stride, stride, stride];
      this.downsample = this.child(
        'downsample',
        new Sequential(new Conv3d(rng, inPlanes, planes, { kernel: 1, stride: ds }), new BatchNorm3d(planes)),
      );
    }
    this.sar = after ? this.child('sar', after(rng, planes)) : null;
  }
  forward(x: Act, ctx: RunContext): Act {
    const out = this.conv2.forward(this.conv1.forward(x, ctx), ctx);
    const residual = this.downsample ? this.downsample.forward(x, ctx) : x;
    const y = F.relu(F.add(out, residual));
    return this.sar ? this.sar.forward(y, ctx) : y;
  }
}

export interface VideoResNetSpec {
  readonly stem: 'basic' | 'r2plus1d';
  readonly convs: readonly [ConvKind, ConvKind, ConvKind, ConvKind];
  readonly blocks: readonly [number, number, number, number];
  readonly widths: readonly [number, number, number, number];
}

export class VideoResNet extends Module {
  private readonly body: Module[] = [];
  constructor(rng: Rng, spec: VideoResNetSpec, m: number, numClasses: number, after: BlockTail | null) {
    super();
    const w0 = scaled(64, m);
    const stem =
      spec.stem === 'basic'
        ? new Sequential(
            new Conv3d(rng, 3, w0, { kernel: [3, 7, 7], stride: [1, 2, 2], padding: [1, 3, 3] }),
            new BatchNorm3d(w0),
            new ReLU(),
          )
        : new Sequential(
            new Conv3d(rng, 3, scaled(45, m), { kernel: [1, 7, 7], stride: [1, 2, 2], padding: [0, 3, 3] }),
            new BatchNorm3d(scaled(45, m)),
            new ReLU(),
            new Conv3d(rng, scaled(45, m), w0, { kernel: [3, 1, 1], padding: [1, 0, 0] }),
            new BatchNorm3d(w0),
            new ReLU(),
          );
    this.body.push(this.child('stem', stem));
    let inPlanes = w0;
    spec.widths.forEach((width, i) => {
      const planes = scaled(width, m);
      const layer = new Sequential();
      for (let b = 0; b < (spec.blocks[i] ?? 1); b++) {
        const stride = i > 0 && b === 0 ? 2 : 1;
        layer.push(new BasicBlock(rng, spec.convs[i] ?? 'simple', inPlanes, planes, stride, after));
        inPlanes = planes;
      }
      this.body.push(this.child(`layer${i + 1}`, layer));
    });
    this.body.push(new GlobalAvgPool());
    this.body.push(this.child('fc', new Linear(rng, inPlanes, numClasses, 'normal_0.01')));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.body.reduce((y, m) => m.forward(y, ctx), x);
  }
}

const WIDTHS = [64, 128, 256, 512] as const;
export const VIDEO_RESNET_SPECS = {
  r3d_18: {
    stem: 'basic',
    convs: ['simple', 'simple', 'simple', 'simple'],
    blocks: [2, 2, 2, 2],
    widths: WIDTHS,
  },
  mc3_18: {
    stem: 'basic',
    convs: ['simple', 'no_temporal', 'no_temporal', 'no_temporal'],
    blocks: [2, 2, 2, 2],
    widths: WIDTHS,
  },
  r2plus1d_18: {
    stem: 'r2plus1d',
    convs: ['2plus1d', '2plus1d', '2plus1d', '2plus1d'],
    blocks: [2, 2, 2, 2],
    widths: WIDTHS,
  },
} as const satisfies Record<string, VideoResNetSpec>;

/** Builds one of torchvision's VideoResNets; the tiny preset has one block per stage and width × 1/8. */
export function buildVideoResNet(name: keyof typeof VIDEO_RESNET_SPECS, config: ModelConfig): ZooModel {
  const tiny = config.preset === 'tiny';
  const base = VIDEO_RESNET_SPECS[name];
  const spec: VideoResNetSpec = tiny ? { ...base, blocks: [1, 1, 1, 1] } : base;
  const m = config.widthMultiplier ?? (tiny ? 1 / 8 : 1);
  const net = new VideoResNet(new Rng(config.seed ?? 0), spec, m, config.numClasses, null);
  return new ZooModel(name, config, 'fc', net);
}
