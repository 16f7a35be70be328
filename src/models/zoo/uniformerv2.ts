// UniFormerV2-B/16 (Li et al. 2022) as MMAction2's uniformerv2.py + TimeSformerHead name it (compute worker):
// backbone.conv1 (1×16×16, no bias), class_embedding, positional_embedding, ln_pre, transformer.resblocks.N (CLIP
// ViT blocks with optional lmhra1/lmhra2), transformer.{temporal_cls_token, dpe.J, dec.J, norm, balance},
// cls_head.fc_cls. x f32[N, T, H, W, 3] → logits; attention capture of chosen local blocks.
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { normal } from '../nn/init.ts';
import { Conv3d, Dropout, Linear } from '../nn/layers.ts';
import {
  isSymbolic,
  Module,
  real,
  Sequential,
  SymbolicTensor,
  type Act,
  type RunContext,
} from '../nn/module.ts';
import { LayerNorm } from '../nn/transformer/norms.ts';
import { resizePositionTable } from '../nn/transformer/posTables.ts';
import type { AttentionImpl } from '../nn/transformer/selfAttention.ts';
import {
  GlobalUniBlock,
  joinTokens,
  LocalUniBlock,
  splitTokens,
  type ClipGrid,
  type LmhraMode,
} from './uniformerv2Blocks.ts';
import { ZooModel, type ModelConfig } from './zooModel.ts';

export interface UniFormerV2Spec {
  readonly width: number;
  readonly layers: number;
  readonly heads: number;
  readonly patch: number;
  /** input_resolution: the positional table is built for (img/patch)² patches */
  readonly img: number;
  readonly dwReduction: number;
  readonly lmhra: LmhraMode;
  /** local blocks whose outputs feed the global blocks (n_layers = its length) */
  readonly returnList: readonly number[];
  /** n_head of the global blocks (n_dim = width) */
  readonly decHeads: number;
  readonly mlpFactor: number;
  readonly mlpDropout: number;
  readonly backboneDropPath: number;
  readonly dropPath: number;
  readonly headDropout: number;
  /** uniformerv2.py zero-initialises Local_MHRA's last conv and the Extractors' out_proj and c_proj */
  readonly zeroInit: boolean;
  readonly impl: AttentionImpl;
}

/** MMAction2 uniformerv2-base-p16-res224_clip-kinetics710-pre_u8_kinetics400-rgb.py (no_lmhra=True). */
export const UNIFORMERV2_B16: UniFormerV2Spec = {
  width: 768,
  layers: 12,
  heads: 12,
  patch: 16,
  img: 224,
  dwReduction: 1.5,
  lmhra: 'none',
  returnList: [8, 9, 10, 11],
  decHeads: 12,
  mlpFactor: 4,
  mlpDropout: 0.5,
  backboneDropPath: 0,
  dropPath: 0,
  headDropout: 0.5,
  zeroInit: true,
  impl: 'auto',
};

/** Ours: 2 local blocks of width 64 (2 heads of 32, a fused-kernel width) with double Local MHRA, both feeding a
 *  global block, 8×8 patches of 32² crops; nothing zero-initialised and no dropout, so that every parameter gets
 *  a gradient from the first step and the webgpu and cpu runs see the same network. */
export const UNIFORMERV2_TINY: UniFormerV2Spec = {
  ...UNIFORMERV2_B16,
  width: 64,
  layers: 2,
  heads: 2,
  patch: 8,
  img: 32,
  lmhra: 'double',
  returnList: [0, 1],
  decHeads: 2,
  mlpDropout: 0,
  headDropout: 0,
  zeroInit: false,
};

const linspace = (to: number, n: number): number[] =>
  Array.from({ length: n }, (_, i) => (n > 1 ? (to * i) / (n - 1) : 0));

/** Local block index → attention probabilities f32[N·T, H, 1 + h·w, 1 + h·w]. */
export interface UniFormerV2Capture {
  readonly layers: ReadonlySet<number>;
  readonly probs: Map<number, tf.Tensor4D>;
}

/** uniformerv2.py `Transformer`: the local blocks, then the global blocks over the returned layers. */
class UniTransformer extends Module {
  private readonly blocks: LocalUniBlock[] = [];
  private readonly clsToken: tf.Variable;
  private readonly dpe: Conv3d[] = [];
  private readonly dec: GlobalUniBlock[] = [];
  private readonly norm: LayerNorm;
  private readonly balance: tf.Variable;
  constructor(
    rng: Rng,
    private readonly spec: UniFormerV2Spec,
  ) {
    super();
    const { width: dim, returnList } = spec;
    const resblocks = this.child('resblocks', new Sequential());
    linspace(spec.backboneDropPath, spec.layers).forEach((p) => {
      const opts = { dim, heads: spec.heads, dropPath: p, reduction: spec.dwReduction, lmhra: spec.lmhra };
      const block = new LocalUniBlock(rng, { ...opts, zeroInit: spec.zeroInit, impl: spec.impl });
      resblocks.push(block);
      this.blocks.push(block);
    });
    this.clsToken = this.param('temporal_cls_token', tf.zeros([1, 1, dim]));
    const dpe = this.child('dpe', new Sequential());
    const dec = this.child('dec', new Sequential());
    const dpr = linspace(spec.dropPath, returnList.length);
    returnList.forEach((_, j) => {
      const conv = new Conv3d(rng, dim, dim, {
        kernel: 3,
        padding: 1,
        groups: dim,
        bias: true,
        init: 'torch_default',
      });
      dpe.push(conv);
      this.dpe.push(conv);
      const opts = { mlpFactor: spec.mlpFactor, dropout: spec.mlpDropout, dropPath: dpr[j] ?? 0 };
      const block = new GlobalUniBlock(rng, dim, spec.decHeads, {
        ...opts,
        zeroInit: spec.zeroInit,
        impl: spec.impl,
      });
      dec.push(block);
      this.dec.push(block);
    });
    this.norm = this.child('norm', new LayerNorm(dim, 1e-5));
    this.balance = this.param('balance', tf.zeros([dim]));
    if (!spec.zeroInit) {
      // the tiny preset: a non-zero class token and balance so that both paths carry signal
      tf.tidy(() => {
        this.clsToken.assign(tf.tensor3d(normal(rng, dim, 0.02), [1, 1, dim]));
      });
    }
  }
  forward(): Act {
    throw new Error('UniFormerV2 Transformer: call run(x, grid, …)');
  }
  /** x f32[N·T, 1 + h·w, C] → features f32[N, C]. */
  run(x: Act, g: ClipGrid, ctx: RunContext, capture?: UniFormerV2Capture): Act {
    const c = this.spec.width;
    const l = 1 + g.h * g.w;
    let cls: Act = isSymbolic(x) ? new SymbolicTensor([g.n, 1, c]) : tf.tile(this.clsToken, [g.n, 1, 1]);
    let z = x;
    let j = 0;
    this.blocks.forEach((block, i) => {
      const r = block.run(z, g, ctx, capture?.layers.has(i) ?? false);
      if (r.probs && capture) capture.probs.set(i, r.probs);
      z = r.y;
      if (!this.spec.returnList.includes(i)) return;
      const dpe = this.dpe[j];
      const dec = this.dec[j];
      j += 1;
      if (!dpe || !dec) throw new Error('unreachable');
      let y: Act;
      if (isSymbolic(z)) {
        dpe.forward(new SymbolicTensor([g.n, g.t, g.h, g.w, c]), ctx);
        y = new SymbolicTensor([g.n, g.t * l, c]);
      } else {
        const [rows, feats] = splitTokens(z, g);
        const moved = tf.add(feats, real(dpe.forward(feats, ctx), 'UniFormerV2 dpe'));
        y = tf.reshape(joinTokens(rows, moved, g), [g.n, g.t * l, c]);
      }
      cls = dec.run(cls, y, ctx).y;
    });
    if (isSymbolic(z) || isSymbolic(cls)) return this.norm.forward(new SymbolicTensor([g.n, c]));
    const weight = tf.sigmoid(this.balance);
    const residual = tf.mean(tf.reshape(tf.slice(z, [0, 0, 0], [g.n * g.t, 1, c]), [g.n, g.t, c]), 1);
    const mixed = tf.add(tf.mul(tf.sub(1, weight), tf.reshape(cls, [g.n, c])), tf.mul(weight, residual));
    return this.norm.forward(mixed);
  }
}

/** uniformerv2.py `UniFormerV2` (temporal_downsample=False). */
export class UniFormerV2Backbone extends Module {
  private readonly conv1: Conv3d;
  private readonly classEmbedding: tf.Variable;
  private readonly positional: tf.Variable;
  private readonly lnPre: LayerNorm;
  private readonly transformer: UniTransformer;
  private readonly grid: number;
  constructor(
    rng: Rng,
    readonly spec: UniFormerV2Spec,
  ) {
    super();
    const { width: dim, patch } = spec;
    this.grid = Math.floor(spec.img / patch);
    this.conv1 = this.child(
      'conv1',
      new Conv3d(rng, 3, dim, {
        kernel: [1, patch, patch],
        stride: [1, patch, patch],
        bias: false,
        init: 'torch_default',
      }),
    );
    const scale = dim ** -0.5;
    this.classEmbedding = this.param('class_embedding', tf.tensor1d(normal(rng, dim, scale)));
    const rows = this.grid * this.grid + 1;
    this.positional = this.param(
      'positional_embedding',
      tf.tensor2d(normal(rng, rows * dim, scale), [rows, dim]),
    );
    this.lnPre = this.child('ln_pre', new LayerNorm(dim, 1e-5));
    this.transformer = this.child('transformer', new UniTransformer(rng, spec));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.run(x, ctx);
  }
  /** The patch rows of the table resized bicubically when the clip's h×w differs from the built grid. */
  private table(h: number, w: number): tf.Tensor2D {
    const c = this.spec.width;
    const gg = this.grid;
    const table = this.positional as tf.Tensor as tf.Tensor2D;
    if (h === gg && w === gg) return table;
    const patches = tf.slice(table, [1, 0], [gg * gg, c]);
    const resized = resizePositionTable(patches, [1, gg, gg], [1, h, w]);
    return tf.concat([tf.slice(table, [0, 0], [1, c]), resized], 0);
  }
  /** x f32[N, T, H, W, 3] → features f32[N, C]. */
  run(x: Act, ctx: RunContext, capture?: UniFormerV2Capture): Act {
    const y = this.conv1.forward(x, ctx);
    const [n = 0, t = 0, h = 0, w = 0, c = 0] = y.shape;
    const g: ClipGrid = { n, t, h, w };
    let z: Act;
    if (isSymbolic(y)) {
      z = new SymbolicTensor([n * t, 1 + h * w, c]);
    } else {
      const tokens = tf.reshape(real(y, 'UniFormerV2'), [n * t, h * w, c]);
      const cls = tf.add(tf.reshape(this.classEmbedding, [1, 1, c]), tf.zeros([n * t, 1, c]));
      z = this.lnPre.forward(tf.add(tf.concat([cls, tokens], 1), this.table(h, w)));
    }
    return this.transformer.run(z, g, ctx, capture);
  }
}

/** MMAction2's TimeSformerHead: Dropout(dropout_ratio) → fc_cls (trunc-normal std 0.02). */
class TimeSformerHead extends Module {
  private readonly drop: Dropout;
  private readonly fc: Linear;
  constructor(rng: Rng, inChannels: number, numClasses: number, dropout: number) {
    super();
    this.drop = new Dropout(dropout);
    this.fc = this.child('fc_cls', new Linear(rng, inChannels, numClasses, 'normal_0.02'));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.fc.forward(this.drop.forward(x, ctx), ctx);
  }
}

/** Recognizer3D(backbone=UniFormerV2, cls_head=TimeSformerHead). */
export class UniFormerV2Net extends Module {
  readonly backbone: UniFormerV2Backbone;
  private readonly head: TimeSformerHead;
  constructor(rng: Rng, spec: UniFormerV2Spec, numClasses: number) {
    super();
    this.backbone = this.child('backbone', new UniFormerV2Backbone(rng, spec));
    this.head = this.child('cls_head', new TimeSformerHead(rng, spec.width, numClasses, spec.headDropout));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.head.forward(this.backbone.forward(x, ctx), ctx);
  }
  /** Logits (eval) and the local blocks' attention probabilities f32[N·T, H, L, L] (the caller disposes them). */
  forwardWithAttention(
    x: tf.Tensor5D,
    layers: Iterable<number>,
  ): { logits: tf.Tensor2D; probs: Map<number, tf.Tensor4D> } {
    const capture: UniFormerV2Capture = { layers: new Set(layers), probs: new Map() };
    const ctx = { training: false };
    const logits = tf.tidy(
      () => real(this.head.forward(this.backbone.run(x, ctx, capture), ctx), 'UniFormerV2') as tf.Tensor2D,
    );
    return { logits, probs: capture.probs };
  }
}

export function buildUniFormerV2(config: ModelConfig, overrides: Partial<UniFormerV2Spec> = {}): ZooModel {
  const base = config.preset === 'tiny' ? UNIFORMERV2_TINY : UNIFORMERV2_B16;
  const spec = { ...base, ...overrides };
  const net = new UniFormerV2Net(new Rng(config.seed ?? 0), spec, config.numClasses);
  return new ZooModel('uniformerv2_b16', config, 'cls_head', net);
}
