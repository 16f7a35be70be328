// MMAction2's TPN (temporal pyramid network, necks/tpn.py) and TPNHead on SlowOnly-R50 and TSM-R50 (compute
// worker): the backbone's layer3/layer4 features (out_indices (2, 3)) → spatial modulation → temporal modulation
// (grouped 3×1×1 conv, ceil-mode temporal max pool) → top-down and cascade bottom-up flows → level fusions →
// pyramid fusion → TPNHead. The auxiliary head on layer3 adds 0.5 · CE to the training loss (`auxLoss`).
import { Rng } from '../../shared/random.ts';
import { Dropout, F, Linear } from '../nn/layers.ts';
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
import { ConvModule, type ConvModuleOptions } from './convModule.ts';
import { RESNET3D_SPECS, tinyResNet3dSpec } from './resnet3dModels.ts';
import { ResNet3d } from './resnet3d.ts';
import { ResNet2d } from './resnet2d.ts';
import { scaled, ZooModel, type ModelConfig } from './zooModel.ts';

/** mmcv xavier_init(distribution='uniform') on every neck conv (TPN.init_weights, AuxHead.init_weights). */
const xavier = (o: ConvModuleOptions): ConvModuleOptions => ({ init: 'xavier_uniform', ...o });

/** nn.MaxPool3d((s,1,1), (s,1,1), ceil_mode=True): the max over each run of s frames (the last may be shorter). */
export function temporalMaxPool(x: Act, s: number): Act {
  const [n = 0, t = 0, h = 0, w = 0, c = 0] = x.shape;
  const out = Math.ceil(t / s);
  if (s === 1) return x;
  if (isSymbolic(x)) return new SymbolicTensor([n, out, h, w, c]);
  // rank-3 views (TF.js webgpu's rank-5 slice gradients are wrong)
  const x3 = tf.reshape(real(x, 'TPN'), [n, t, h * w * c]);
  const windows = Array.from({ length: out }, (_, i) =>
    tf.max(tf.slice(x3, [0, i * s, 0], [n, Math.min(s, t - i * s), h * w * c]), 1, true),
  );
  const y = windows.length === 1 ? (windows[0] as tf.Tensor) : tf.concat(windows, 1);
  return tf.reshape(y, [n, out, h, w, c]);
}

/** nn.Identity (a list slot without parameters). */
class Identity extends Module {
  forward(x: Act): Act {
    return x;
  }
}

/** A module holding one ConvModule as `conv` (TemporalModulation, DownSample with scale 1: its pool is identity). */
class ConvHolder extends Module {
  private readonly conv: ConvModule;
  constructor(
    rng: Rng,
    inC: number,
    outC: number,
    o: ConvModuleOptions,
    private readonly poolT = 1,
  ) {
    super();
    this.conv = this.child('conv', new ConvModule(rng, inC, outC, xavier(o)));
  }
  forward(x: Act, ctx: RunContext): Act {
    return temporalMaxPool(this.conv.forward(x, ctx), this.poolT);
  }
}

/** LevelFusion: per level a grouped 1×1×1 ConvModule (BN, ReLU), concatenated, `fusion_conv` (BN, ReLU). */
class LevelFusion extends Module {
  private readonly downs: ConvHolder[];
  private readonly fusion: ConvModule;
  constructor(rng: Rng, inC: number, mid: number, outC: number, groups: number) {
    super();
    const list = this.child('downsamples', new Sequential());
    this.downs = [0, 1].map(() => new ConvHolder(rng, inC, mid, { kernel: 1, groups }));
    for (const d of this.downs) list.push(d);
    this.fusion = this.child('fusion_conv', new ConvModule(rng, 2 * mid, outC, xavier({ kernel: 1 })));
  }
  forward(): Act {
    throw new Error('LevelFusion: call fuse([levels])');
  }
  fuse(xs: readonly Act[], ctx: RunContext): Act {
    return this.fusion.forward(F.concatChannels(xs.map((x, i) => this.downs[i]?.forward(x, ctx) ?? x)), ctx);
  }
}

/** AuxHead on layer3: ConvModule 1×3×3 stride 2 (BN, ReLU) to 2·C, mean, dropout 0.5, fc N(0, 0.01). */
class AuxHead extends Module {
  private readonly conv: ConvModule;
  private readonly dropout = new Dropout(0.5);
  private readonly fc: Linear;
  constructor(rng: Rng, inC: number, numClasses: number) {
    super();
    const o = { kernel: [1, 3, 3], stride: [1, 2, 2], padding: [0, 1, 1] } as const;
    this.conv = this.child('conv', new ConvModule(rng, inC, 2 * inC, xavier(o)));
    this.fc = this.child('fc', new Linear(rng, 2 * inC, numClasses, 'normal_0.01'));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.fc.forward(this.dropout.forward(F.meanThw(this.conv.forward(x, ctx)), ctx), ctx);
  }
}

/** SpatialModulation: per level a list of stride-2 ConvModules (log2(c4 / c3) of them on layer3), or Identity. */
class SpatialModulation extends Module {
  readonly steps = new Sequential();
  constructor(rng: Rng, c3: number, c4: number) {
    super();
    for (let c = c3; c < c4; c *= 2) {
      const o = { kernel: [1, 3, 3], stride: [1, 2, 2], padding: [0, 1, 1] } as const;
      this.steps.push(new ConvModule(rng, c, 2 * c, xavier(o)));
    }
    this.child('spatial_modulation', new Sequential(this.steps, new Identity()));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.steps.forward(x, ctx);
  }
}

/** TPN widths before the width multiplier: the published configs' in (1024, 2048), out 1024, fusions 2048. */
interface TPNWidths {
  readonly c3: number;
  readonly c4: number;
  readonly out: number;
  readonly fused: number;
  readonly groups: number;
  readonly temporalScale: number;
}

/** The TPN neck (cascade flow; upsample/downsample scales 1 as in the published configs). */
export class TPNNeck extends Module {
  private readonly temporal: ConvHolder[];
  private readonly down: ConvHolder;
  private readonly fusion1: LevelFusion;
  private readonly spatial: SpatialModulation;
  private readonly fusion2: LevelFusion;
  private readonly pyramidFusion: ConvModule;
  readonly aux: AuxHead;
  constructor(rng: Rng, w: TPNWidths, numClasses: number) {
    super();
    const temporal = this.child('temporal_modulation_ops', new Sequential());
    this.temporal = [0, 1].map(
      () =>
        new ConvHolder(
          rng,
          w.c4,
          w.out,
          { kernel: [3, 1, 1], padding: [1, 0, 0], groups: w.groups, norm: false, relu: false },
          w.temporalScale,
        ),
    );
    for (const t of this.temporal) temporal.push(t);
    const down = { kernel: [3, 1, 1], padding: [1, 0, 0], norm: false, relu: false } as const;
    this.down = new ConvHolder(rng, w.out, w.out, down);
    this.child('downsample_ops', new Sequential(this.down));
    this.fusion1 = this.child('level_fusion_1', new LevelFusion(rng, w.out, w.out, w.fused, w.groups));
    this.spatial = this.child('spatial_modulation', new SpatialModulation(rng, w.c3, w.c4));
    this.fusion2 = this.child('level_fusion_2', new LevelFusion(rng, w.out, w.out, w.fused, w.groups));
    this.pyramidFusion = this.child(
      'pyramid_fusion',
      new ConvModule(rng, 2 * w.fused, w.fused, xavier({ kernel: 1 })),
    );
    this.aux = this.child('aux_head', new AuxHead(rng, w.c3, numClasses));
  }
  /** [layer3, layer4] features → f32[N, ⌈T/scale⌉, h4, w4, fused]. */
  forward(): Act {
    throw new Error('TPN: call pyramid([layer3, layer4])');
  }
  pyramid(feats: readonly Act[], ctx: RunContext): Act {
    const [x3, x4] = feats;
    if (!x3 || !x4) throw new RangeError('TPN: needs the layer3 and layer4 features');
    const tm = [this.spatial.forward(x3, ctx), x4].map((x, i) => this.temporal[i]?.forward(x, ctx) ?? x);
    const [t0, t1] = tm as [Act, Act];
    const top0 = F.add(t0, t1); // top-down: outs[0] += upsample(outs[1]) (scale 1)
    const topDown = this.fusion1.fuse([top0, t1], ctx);
    const bottom1 = F.add(t1, this.down.forward(top0, ctx)); // cascade: bottom-up on the top-down outs
    const bottomUp = this.fusion2.fuse([top0, bottom1], ctx);
    return this.pyramidFusion.forward(F.concatChannels([topDown, bottomUp]), ctx);
  }
}

/** TPNHead (TSNHead with a 3-D average pool): mean over T, H, W, dropout 0.5, fc_cls N(0, 0.01). */
class TPNHead extends Module {
  private readonly dropout = new Dropout(0.5);
  private readonly fc: Linear;
  constructor(rng: Rng, inC: number, numClasses: number) {
    super();
    this.fc = this.child('fc_cls', new Linear(rng, inC, numClasses, 'normal_0.01'));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.fc.forward(this.dropout.forward(F.meanThw(x), ctx), ctx);
  }
}

export type TPNBackbone = 'slowonly' | 'tsm';

class TPNRecognizer extends Module {
  private readonly backbone: ResNet3d | ResNet2d;
  readonly neck: TPNNeck;
  private readonly head: TPNHead;
  /** the auxiliary head's logits of the last training forward (kept until taken or replaced) */
  auxLogits: tf.Tensor2D | null = null;
  constructor(rng: Rng, kind: TPNBackbone, m: number, tiny: boolean, numClasses: number) {
    super();
    const spec = RESNET3D_SPECS.slowonly_r50;
    this.backbone = this.child(
      'backbone',
      kind === 'slowonly'
        ? new ResNet3d(rng, tiny ? tinyResNet3dSpec(spec) : spec, m)
        : new ResNet2d(rng, { blocks: tiny ? [1, 1, 1, 1] : [3, 4, 6, 3], widthMultiplier: m, shiftDiv: 8 }),
    );
    const c4 = scaled(512, m) * 4;
    const widths: TPNWidths = {
      c3: scaled(256, m) * 4,
      c4,
      out: scaled(1024, m),
      fused: scaled(2048, m),
      groups: 32,
      temporalScale: 8,
    };
    this.neck = this.child('neck', new TPNNeck(rng, widths, numClasses));
    this.head = this.child('cls_head', new TPNHead(rng, widths.fused, numClasses));
  }
  /** layer3 and layer4 outputs (out_indices (2, 3)). */
  private features(x: Act, ctx: RunContext): Act[] {
    const b = this.backbone;
    if (b instanceof ResNet2d) return b.stageOutputs(x, ctx).slice(2);
    const outs: Act[] = [];
    let y = b.stem(x, ctx);
    for (let i = 0; i < b.numStages; i++) outs.push((y = b.stage(i, y, ctx)));
    return outs.slice(2);
  }
  forward(x: Act, ctx: RunContext): Act {
    const feats = this.features(x, ctx);
    const [x3] = feats;
    if (ctx.training && x3 && !isSymbolic(x3)) {
      this.auxLogits?.dispose();
      this.auxLogits = tf.keep(real(this.neck.aux.forward(x3, ctx), 'TPN') as tf.Tensor2D);
    }
    return this.head.forward(this.neck.pyramid(feats, ctx), ctx);
  }
  override dispose(): void {
    this.auxLogits?.dispose();
    this.auxLogits = null;
    super.dispose();
  }
}

/** A TPN recognizer: a ZooModel whose training forward also leaves the auxiliary head's logits to take. */
export class TPNModel extends ZooModel {
  constructor(
    name: string,
    config: ModelConfig,
    private readonly recognizer: TPNRecognizer,
  ) {
    super(name, config, 'cls_head', recognizer);
  }
  /** The auxiliary logits of the last training forward (the caller owns them) and loss_weight 0.5. */
  takeAuxLogits(): { logits: tf.Tensor2D; weight: number } | null {
    const logits = this.recognizer.auxLogits;
    this.recognizer.auxLogits = null;
    return logits ? { logits, weight: 0.5 } : null;
  }
}

/** TPN on SlowOnly-R50 (8×8 clips) or TSM-R50 (8 segments); tiny: width × 1/16 (the neck's 3×3 convs on res4
 *  dominate), one block per stage: ~0.27 M parameters. */
export function buildTPN(kind: TPNBackbone, config: ModelConfig): TPNModel {
  const tiny = config.preset === 'tiny';
  const m = config.widthMultiplier ?? (tiny ? 1 / 16 : 1);
  const net = new TPNRecognizer(new Rng(config.seed ?? 0), kind, m, tiny, config.numClasses);
  return new TPNModel(kind === 'slowonly' ? 'tpn_slowonly_r50' : 'tpn_tsm_r50', config, net);
}
