// MMAction2's X3D recognizer (compute worker): backbone `X3D` (gamma_w / gamma_b / gamma_d expansion of a 24-wide,
// [1, 2, 5, 3]-block ResNet with depthwise 3×3×3 convs, SE on every other block, swish) and `X3DHead` (fc1 2048
// without bias, ReLU, dropout, fc2), under its state_dict names: backbone.conv1_s.conv.weight,
// backbone.layer1.0.conv2.conv.weight, backbone.layer1.0.se_module.fc1.weight, …, cls_head.fc2.bias.
import { Rng } from '../../shared/random.ts';
import { Conv3d, Dropout, F, Linear } from '../nn/layers.ts';
import { ConvModule } from './convModule.ts';
import { fromPoint5d, gateChannels, Sigmoid, Swish, toPoint5d } from '../nn/gates.ts';
import { Module, Sequential, type Act, type RunContext } from '../nn/module.ts';
import { scaled, ZooModel, type ModelConfig } from './zooModel.ts';

/** X3D's round-width rule: width·multiplier to a multiple of `divisor` (at least `minWidth`), never below 90 %. */
export function roundWidth(width: number, multiplier: number, minWidth = 8, divisor = 8): number {
  const w = width * multiplier;
  let out = Math.max(minWidth, Math.floor(Math.trunc(w + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * w) out += divisor;
  return out;
}

/** SEModule: global average pool, fc1 (1×1×1 conv with bias) → ReLU → fc2 → sigmoid, times the input. */
class SEModule extends Module {
  private readonly fc1: Conv3d;
  private readonly fc2: Conv3d;
  constructor(rng: Rng, channels: number, ratio: number) {
    super();
    const bottleneck = roundWidth(channels, ratio);
    this.fc1 = this.child('fc1', new Conv3d(rng, channels, bottleneck, { kernel: 1, bias: true }));
    this.fc2 = this.child('fc2', new Conv3d(rng, bottleneck, channels, { kernel: 1, bias: true }));
  }
  forward(x: Act, ctx: RunContext): Act {
    const s = F.relu(this.fc1.forward(toPoint5d(F.meanThw(x)), ctx));
    const g = new Sigmoid().forward(this.fc2.forward(s, ctx));
    return gateChannels(x, fromPoint5d(g));
  }
}

/** BlockX3D: 1×1×1 (BN, ReLU) → depthwise 3×3×3 stride (1,s,s) (BN) → [SE] → swish → 1×1×1 (BN) + identity → ReLU. */
class BlockX3D extends Module {
  private readonly conv1: ConvModule;
  private readonly conv2: ConvModule;
  private readonly seModule: SEModule | null;
  private readonly conv3: ConvModule;
  private readonly downsample: ConvModule | null;
  constructor(
    rng: Rng,
    inplanes: number,
    planes: number,
    outplanes: number,
    stride: number,
    se: number | null,
    zeroInitResidual: boolean,
  ) {
    super();
    this.conv1 = this.child('conv1', new ConvModule(rng, inplanes, planes, { kernel: 1 }));
    this.conv2 = this.child(
      'conv2',
      new ConvModule(rng, planes, planes, {
        kernel: 3,
        stride: [1, stride, stride],
        padding: 1,
        groups: planes,
        relu: false,
      }),
    );
    this.seModule = se === null ? null : this.child('se_module', new SEModule(rng, planes, se));
    // MMAction2's init_weights with zero_init_residual: constant_init(conv3.bn, 0)
    this.conv3 = this.child(
      'conv3',
      new ConvModule(rng, planes, outplanes, { kernel: 1, relu: false, bnGamma: zeroInitResidual ? 0 : 1 }),
    );
    this.downsample =
      stride !== 1 || inplanes !== outplanes
        ? this.child(
            'downsample',
            new ConvModule(rng, inplanes, outplanes, { kernel: 1, stride: [1, stride, stride], relu: false }),
          )
        : null;
  }
  forward(x: Act, ctx: RunContext): Act {
    let out = this.conv2.forward(this.conv1.forward(x, ctx), ctx);
    if (this.seModule) out = this.seModule.forward(out, ctx);
    out = this.conv3.forward(new Swish().forward(out), ctx);
    const identity = this.downsample ? this.downsample.forward(x, ctx) : x;
    return F.relu(F.add(out, identity));
  }
}

export interface X3DSpec {
  readonly gammaW: number;
  readonly gammaB: number;
  readonly gammaD: number;
}

class X3DBackbone extends Module {
  private readonly steps: Module[] = [];
  readonly featDim: number;
  constructor(rng: Rng, spec: X3DSpec, m: number, blocks: readonly number[], zeroInitResidual: boolean) {
    super();
    const base = roundWidth(24, spec.gammaW * m);
    this.steps.push(
      this.child(
        'conv1_s',
        new ConvModule(rng, 3, base, {
          kernel: [1, 3, 3],
          stride: [1, 2, 2],
          padding: [0, 1, 1],
          norm: false,
          relu: false,
        }),
      ),
      this.child(
        'conv1_t',
        new ConvModule(rng, base, base, { kernel: [5, 1, 1], padding: [2, 0, 0], groups: base }),
      ),
    );
    let layerIn = base;
    blocks.forEach((count, i) => {
      const inplanes = base * 2 ** i;
      const planes = Math.trunc(inplanes * spec.gammaB);
      const layer = new Sequential();
      for (let b = 0; b < count; b++) {
        const se = b % 2 === 0 ? 1 / 16 : null; // se_style 'half'
        const from = b === 0 ? layerIn : inplanes;
        layer.push(new BlockX3D(rng, from, planes, inplanes, b === 0 ? 2 : 1, se, zeroInitResidual));
      }
      layerIn = inplanes;
      this.steps.push(this.child(`layer${i + 1}`, layer));
    });
    this.featDim = Math.trunc(layerIn * spec.gammaB);
    this.steps.push(this.child('conv5', new ConvModule(rng, layerIn, this.featDim, { kernel: 1 })));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.steps.reduce((y, s) => s.forward(y, ctx), x);
  }
}

/** X3DHead: average pool, fc1 (no bias) → ReLU → dropout 0.5 → fc2; both N(0, 0.01), biases 0. */
class X3DHead extends Module {
  private readonly fc1: Linear;
  private readonly fc2: Linear;
  private readonly dropout = new Dropout(0.5);
  constructor(rng: Rng, inC: number, mid: number, numClasses: number) {
    super();
    this.fc1 = this.child('fc1', new Linear(rng, inC, mid, 'normal_0.01', false));
    this.fc2 = this.child('fc2', new Linear(rng, mid, numClasses, 'normal_0.01'));
  }
  forward(x: Act, ctx: RunContext): Act {
    const h = F.relu(this.fc1.forward(F.meanThw(x), ctx));
    return this.fc2.forward(this.dropout.forward(h, ctx), ctx);
  }
}

class X3DRecognizer extends Module {
  private readonly backbone: X3DBackbone;
  private readonly head: X3DHead;
  constructor(rng: Rng, spec: X3DSpec, m: number, blocks: readonly number[], tiny: boolean, classes: number) {
    super();
    this.backbone = this.child('backbone', new X3DBackbone(rng, spec, m, blocks, !tiny));
    this.head = this.child('cls_head', new X3DHead(rng, this.backbone.featDim, scaled(2048, m), classes));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.head.forward(this.backbone.forward(x, ctx), ctx);
  }
}

/** PySlowFast / PyTorchVideo sizes (XS, S and M share the network and differ in input; L is deeper). */
export const X3D_SPECS = {
  x3d_xs: { gammaW: 1, gammaB: 2.25, gammaD: 2.2 },
  x3d_s: { gammaW: 1, gammaB: 2.25, gammaD: 2.2 },
  x3d_m: { gammaW: 1, gammaB: 2.25, gammaD: 2.2 },
  x3d_l: { gammaW: 1, gammaB: 2.25, gammaD: 5 },
} as const satisfies Record<string, X3DSpec>;

/** Blocks per stage: ⌈gamma_d · [1, 2, 5, 3]⌉. */
export function x3dBlocks(gammaD: number): number[] {
  return [1, 2, 5, 3].map((b) => Math.ceil(gammaD * b));
}

/**
 * An X3D (N·T·H·W with H, W ≥ 32: five stride-2 stages). The width multiplier scales gamma_w (then the round-width
 * rule applies) and the head's 2048. Tiny: width × 1/3 (base 8 channels), blocks [1, 2, 1, 1], and conv3.bn γ = 1
 * instead of MMAction2's zero_init_residual, so that one training step reaches every parameter.
 */
export function buildX3D(name: keyof typeof X3D_SPECS, config: ModelConfig): ZooModel {
  const tiny = config.preset === 'tiny';
  const spec = X3D_SPECS[name];
  const m = config.widthMultiplier ?? (tiny ? 1 / 3 : 1);
  const blocks = tiny ? [1, 2, 1, 1] : x3dBlocks(spec.gammaD);
  const net = new X3DRecognizer(new Rng(config.seed ?? 0), spec, m, blocks, tiny, config.numClasses);
  return new ZooModel(name, config, 'cls_head', net);
}
