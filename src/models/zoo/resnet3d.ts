// MMAction2's ResNet3d backbone (compute worker) with its module tree, so parameter names equal its state_dict keys
// (backbone.conv1.conv.weight, backbone.layer3.0.conv2.bn.running_var, backbone.layer4.2.downsample.conv.weight, …):
// BasicBlock3d / Bottleneck3d ('pytorch' style: the stride sits on conv2), per-block inflation, optional CSN
// bottlenecks (conv2 → [1×1×1 conv (ip),] depthwise 3×3×3) and SlowFast lateral inputs. x: f32[N,T,H,W,C].
import type { Rng } from '../../shared/random.ts';
import { GlobalAvgPool, MaxPool3d, type Triple } from '../nn/layers.ts';
import { Module, Sequential, type Act, type RunContext } from '../nn/module.ts';
import { ConvModule, type ConvModuleOptions } from './convModule.ts';
import { addRelu, type PooledBackbone } from './mmaction.ts';
import { NonLocal3d, type NonLocalOptions } from './nonLocal.ts';
import { scaled } from './zooModel.ts';

export type CsnMode = 'ir' | 'ip';

/** What the blocks share: BN eps, zero-initialised last BN, 2-D storage (C2D), CSN mode. */
interface BlockOptions {
  readonly bnEps: number;
  readonly zeroInitResidual: boolean;
  readonly layout2d: boolean;
  readonly csn: CsnMode | null;
  readonly nonLocal: NonLocalOptions | null;
}

interface BlockArgs {
  readonly inplanes: number;
  readonly planes: number;
  readonly spatialStride: number;
  readonly temporalStride: number;
  readonly inflate: boolean;
  readonly inflateStyle: '3x1x1' | '3x3x3';
  readonly downsample: boolean;
  /** a NonLocal3d after the block's ReLU (`non_local_block`) */
  readonly nonLocal: boolean;
}

/** The block's optional non-local module, on its output channels. */
function nonLocalOf(rng: Rng, a: BlockArgs, channels: number, o: BlockOptions): NonLocal3d | null {
  if (!a.nonLocal) return null;
  if (!o.nonLocal) throw new RangeError('ResNet3d: a block asks for a non-local module without its options');
  return new NonLocal3d(rng, channels, o.nonLocal);
}

const conv = (o: BlockOptions, extra: ConvModuleOptions): ConvModuleOptions => ({
  bnEps: o.bnEps,
  layout2d: o.layout2d,
  ...extra,
});

function downsampleOf(rng: Rng, a: BlockArgs, outC: number, o: BlockOptions): ConvModule {
  return new ConvModule(
    rng,
    a.inplanes,
    outC,
    conv(o, { kernel: 1, stride: [a.temporalStride, a.spatialStride, a.spatialStride], relu: false }),
  );
}

/** MMAction2 BasicBlock3d: conv1 (stride) → conv2 (no ReLU), + identity or downsample, ReLU. */
class BasicBlock3d extends Module {
  static readonly expansion = 1;
  private readonly conv1: ConvModule;
  private readonly conv2: ConvModule;
  private readonly downsample: ConvModule | null;
  private readonly nonLocal: NonLocal3d | null;
  constructor(rng: Rng, a: BlockArgs, o: BlockOptions) {
    super();
    const k: Triple = a.inflate ? [3, 3, 3] : [1, 3, 3];
    const p: Triple = a.inflate ? [1, 1, 1] : [0, 1, 1];
    const s: Triple = [a.temporalStride, a.spatialStride, a.spatialStride];
    this.conv1 = this.child(
      'conv1',
      new ConvModule(rng, a.inplanes, a.planes, conv(o, { kernel: k, stride: s, padding: p })),
    );
    this.conv2 = this.child(
      'conv2',
      new ConvModule(
        rng,
        a.planes,
        a.planes,
        conv(o, { kernel: k, padding: p, relu: false, bnGamma: o.zeroInitResidual ? 0 : 1 }),
      ),
    );
    this.downsample = a.downsample ? this.child('downsample', downsampleOf(rng, a, a.planes, o)) : null;
    const nl = nonLocalOf(rng, a, a.planes, o);
    this.nonLocal = nl ? this.child('non_local_block', nl) : null;
  }
  forward(x: Act, ctx: RunContext): Act {
    const out = this.conv2.forward(this.conv1.forward(x, ctx), ctx);
    const y = addRelu(out, this.downsample ? this.downsample.forward(x, ctx) : x);
    return this.nonLocal ? this.nonLocal.forward(y, ctx) : y;
  }
}

/** MMAction2 Bottleneck3d (expansion 4) and, with `o.csn`, CSNBottleneck3d. */
class Bottleneck3d extends Module {
  static readonly expansion = 4;
  private readonly conv1: ConvModule;
  private readonly conv2: Module;
  private readonly conv3: ConvModule;
  private readonly downsample: ConvModule | null;
  private readonly nonLocal: NonLocal3d | null;
  constructor(rng: Rng, a: BlockArgs, o: BlockOptions) {
    super();
    let k1: Triple = [1, 1, 1];
    let k2: Triple = [1, 3, 3];
    if (a.inflate && a.inflateStyle === '3x1x1') k1 = [3, 1, 1];
    if (a.inflate && a.inflateStyle === '3x3x3') k2 = [3, 3, 3];
    const pad = (k: Triple): Triple => [(k[0] - 1) / 2, (k[1] - 1) / 2, (k[2] - 1) / 2];
    const s2: Triple = [a.temporalStride, a.spatialStride, a.spatialStride];
    this.conv1 = this.child(
      'conv1',
      new ConvModule(rng, a.inplanes, a.planes, conv(o, { kernel: k1, padding: pad(k1) })),
    );
    if (o.csn) {
      const seq = new Sequential();
      if (o.csn === 'ip')
        seq.push(new ConvModule(rng, a.planes, a.planes, conv(o, { kernel: 1, relu: false })));
      seq.push(
        new ConvModule(
          rng,
          a.planes,
          a.planes,
          conv(o, { kernel: k2, stride: s2, padding: pad(k2), groups: a.planes }),
        ),
      );
      this.conv2 = this.child('conv2', seq);
    } else {
      this.conv2 = this.child(
        'conv2',
        new ConvModule(rng, a.planes, a.planes, conv(o, { kernel: k2, stride: s2, padding: pad(k2) })),
      );
    }
    const out = a.planes * Bottleneck3d.expansion;
    this.conv3 = this.child(
      'conv3',
      new ConvModule(
        rng,
        a.planes,
        out,
        conv(o, { kernel: 1, relu: false, bnGamma: o.zeroInitResidual ? 0 : 1 }),
      ),
    );
    this.downsample = a.downsample ? this.child('downsample', downsampleOf(rng, a, out, o)) : null;
    const nl = nonLocalOf(rng, a, out, o);
    this.nonLocal = nl ? this.child('non_local_block', nl) : null;
  }
  forward(x: Act, ctx: RunContext): Act {
    const out = this.conv3.forward(this.conv2.forward(this.conv1.forward(x, ctx), ctx), ctx);
    const y = addRelu(out, this.downsample ? this.downsample.forward(x, ctx) : x);
    return this.nonLocal ? this.nonLocal.forward(y, ctx) : y;
  }
}

/** One ResNet3d configuration, before the width multiplier (MMAction2 argument names in comments). */
export interface ResNet3dSpec {
  readonly block: 'basic' | 'bottleneck';
  /** blocks per stage (arch_settings of the depth) */
  readonly stageBlocks: readonly number[];
  /** base_channels (stem width; stage i has base·2^i planes) */
  readonly baseChannels: number;
  readonly conv1Kernel: Triple;
  readonly conv1StrideT: number;
  readonly pool1StrideT: number;
  /** spatial padding of the stem max pool: 1 (ResNet3d) or 0 (C2D) */
  readonly pool1Padding: number;
  /** MaxPool3d((2,1,1)) after layer1 */
  readonly withPool2: boolean;
  /** per stage: one flag for every block, or one per block (1 = inflated temporal kernel) */
  readonly inflate: readonly (number | readonly number[])[];
  readonly inflateStyle: '3x1x1' | '3x3x3';
  readonly temporalStrides: readonly number[];
  readonly bnEps: number;
  readonly csn: CsnMode | null;
  /** C2D: every conv is an nn.Conv2d in MMAction2 */
  readonly layout2d: boolean;
  readonly zeroInitResidual: boolean;
  /** per stage, like inflate: 1 = a NonLocal3d after that block (MMAction2 `non_local`); null: none */
  readonly nonLocal: readonly (number | readonly number[])[] | null;
  readonly nonLocalOptions: NonLocalOptions | null;
}

export const RESNET3D_DEFAULTS = {
  pool1Padding: 1,
  withPool2: true,
  inflateStyle: '3x1x1',
  temporalStrides: [1, 1, 1, 1],
  bnEps: 1e-5,
  csn: null,
  layout2d: false,
  nonLocal: null,
  nonLocalOptions: null,
} as const satisfies Partial<ResNet3dSpec>;

/** Channels SlowFast's lateral convs add to the stage inputs of this pathway (one per stage but the last). */
export interface LateralInputs {
  /** channels of the fast pathway entering each lateral conv: [stem, layer1, layer2, layer3] */
  readonly fastChannels: readonly number[];
  readonly fusionKernel: number;
  /** alpha: the lateral convs' temporal stride */
  readonly speedRatio: number;
}

/**
 * ResNet3d (and ResNet3dPathway with lateral inputs): `conv1`, `maxpool`, `layer1…4`, optional `pool2` after
 * layer1, optional `conv1_lateral` / `layer{i}_lateral` (time-strided fusion convs without BN). As a backbone it
 * ends in a global average pool: f32[N,T,H,W,3] → f32[N, featureChannels].
 */
export class ResNet3d extends Module implements PooledBackbone {
  readonly featureChannels: number;
  private readonly conv1: ConvModule;
  private readonly maxpool: MaxPool3d;
  private readonly pool2: MaxPool3d | null;
  private readonly layers: Sequential[] = [];
  private readonly laterals: ConvModule[] = [];
  private readonly pool = new GlobalAvgPool();

  constructor(rng: Rng, spec: ResNet3dSpec, m: number, lateral: LateralInputs | null = null) {
    super();
    const o: BlockOptions = {
      bnEps: spec.bnEps,
      zeroInitResidual: spec.zeroInitResidual,
      layout2d: spec.layout2d,
      csn: spec.csn,
      nonLocal: spec.nonLocalOptions,
    };
    const base = scaled(spec.baseChannels, m);
    const [kt, kh, kw] = spec.conv1Kernel;
    this.conv1 = this.child(
      'conv1',
      new ConvModule(
        rng,
        3,
        base,
        conv(o, {
          kernel: spec.conv1Kernel,
          stride: [spec.conv1StrideT, 2, 2],
          padding: [(kt - 1) / 2, (kh - 1) / 2, (kw - 1) / 2],
        }),
      ),
    );
    const p1 = spec.pool1Padding;
    this.maxpool = new MaxPool3d([1, 3, 3], [spec.pool1StrideT, 2, 2], [0, p1, p1]);
    this.pool2 = spec.withPool2 ? new MaxPool3d([2, 1, 1], [2, 1, 1]) : null;
    const expansion = spec.block === 'basic' ? BasicBlock3d.expansion : Bottleneck3d.expansion;
    const lateralOut = (lateral?.fastChannels ?? []).map((c) => 2 * c);
    let inplanes = base;
    spec.stageBlocks.forEach((blocks, i) => {
      const planes = scaled(spec.baseChannels * 2 ** i, m);
      const flags = spec.inflate[i] ?? 0;
      const nlFlags = spec.nonLocal?.[i] ?? 0;
      const flag = (f: number | readonly number[], b: number): boolean =>
        (typeof f === 'number' ? f : (f[b] ?? 0)) === 1;
      const layer = new Sequential();
      for (let b = 0; b < blocks; b++) {
        const extra = b === 0 ? (lateralOut[i] ?? 0) : 0;
        const spatialStride = b === 0 && i > 0 ? 2 : 1;
        const args: BlockArgs = {
          inplanes: inplanes + extra,
          planes,
          spatialStride,
          temporalStride: b === 0 ? (spec.temporalStrides[i] ?? 1) : 1,
          inflate: flag(flags, b),
          inflateStyle: spec.inflateStyle,
          downsample: b === 0 && (spatialStride !== 1 || inplanes + extra !== planes * expansion),
          nonLocal: flag(nlFlags, b),
        };
        layer.push(spec.block === 'basic' ? new BasicBlock3d(rng, args, o) : new Bottleneck3d(rng, args, o));
        inplanes = planes * expansion;
      }
      this.layers.push(this.child(`layer${i + 1}`, layer));
    });
    this.featureChannels = inplanes;
    if (lateral) {
      const k = lateral.fusionKernel;
      lateral.fastChannels.forEach((c, i) => {
        const lat = new ConvModule(rng, c, 2 * c, {
          kernel: [k, 1, 1],
          stride: [lateral.speedRatio, 1, 1],
          padding: [(k - 1) / 2, 0, 0],
          norm: false,
          relu: false,
        });
        this.laterals.push(this.child(i === 0 ? 'conv1_lateral' : `layer${i}_lateral`, lat));
      });
    }
  }

  /** conv1 then maxpool. */
  stem(x: Act, ctx: RunContext): Act {
    return this.maxpool.forward(this.conv1.forward(x, ctx));
  }

  /** Stage i (0-based), with pool2 after the first when configured. */
  stage(i: number, x: Act, ctx: RunContext): Act {
    const layer = this.layers[i];
    if (!layer) throw new RangeError(`ResNet3d has no stage ${i}`);
    const y = layer.forward(x, ctx);
    return i === 0 && this.pool2 ? this.pool2.forward(y) : y;
  }

  /** The lateral conv that feeds stage i (0: conv1_lateral, after the stem; i: layer{i}_lateral). */
  lateral(i: number, xFast: Act, ctx: RunContext): Act {
    const lat = this.laterals[i];
    if (!lat) throw new RangeError(`ResNet3d has no lateral connection ${i}`);
    return lat.forward(xFast, ctx);
  }

  get numStages(): number {
    return this.layers.length;
  }

  forward(x: Act, ctx: RunContext): Act {
    let y = this.stem(x, ctx);
    for (let i = 0; i < this.layers.length; i++) y = this.stage(i, y, ctx);
    return this.pool.forward(y);
  }
}

/** Blocks per stage of MMAction2's arch_settings. */
export const DEPTHS = {
  18: { block: 'basic', stageBlocks: [2, 2, 2, 2] },
  50: { block: 'bottleneck', stageBlocks: [3, 4, 6, 3] },
  152: { block: 'bottleneck', stageBlocks: [3, 8, 36, 3] },
} as const satisfies Record<number, Pick<ResNet3dSpec, 'block' | 'stageBlocks'>>;
