// ViViT factorised encoder (model 2) with tubelet embedding (compute worker), with the names of VideoTransformer-
// pytorch's LightningModule (`model` = ViViT(attention_type='fact_encoder'), `cls_head` = ClassificationHead):
// per-frame-group spatial transformer with a cls token, frame means + cls → temporal transformer → norm → cls.
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { normal } from '../nn/init.ts';
import { Dropout, Linear } from '../nn/layers.ts';
import {
  isSymbolic,
  Module,
  real,
  Sequential,
  SymbolicTensor,
  type Act,
  type RunContext,
} from '../nn/module.ts';
import { tokenLinear } from '../nn/transformer/block.ts';
import { dropPath } from '../nn/transformer/dropPath.ts';
import { Gelu, LayerNorm } from '../nn/transformer/norms.ts';
import { poolTokens, prependToken } from '../nn/transformer/pooling.ts';
import { resizePositionTable } from '../nn/transformer/posTables.ts';
import { SelfAttention, type AttentionImpl } from '../nn/transformer/selfAttention.ts';
import { TubeletEmbed } from '../nn/transformer/tubeletEmbed.ts';
import { ZooModel, type ModelConfig } from './zooModel.ts';

export interface ViViTSpec {
  readonly embed: number;
  /** spatial transformer layers */
  readonly depth: number;
  readonly temporalDepth: number;
  readonly heads: number;
  readonly patch: number;
  readonly tubelet: number;
  readonly frames: number;
  readonly size: number;
  /** TransformerContainer's drop_path_rate (linear over each container's layers) */
  readonly dropPath: number;
  readonly impl?: AttentionImpl;
}

const reshape = (x: Act, shape: number[]): Act =>
  isSymbolic(x) ? new SymbolicTensor(shape) : tf.reshape(real(x, 'ViViT'), shape);
const addAct = (a: Act, b: Act): Act => (isSymbolic(a) || isSymbolic(b) ? a : tf.add(a, b));

/** MultiheadAttentionWithPreNorm: x + DropPath(attn(norm(x))); nn.LayerNorm default eps 1e-5, qkv with bias. */
class AttentionWithPreNorm extends Module {
  private readonly norm: LayerNorm;
  private readonly attn: SelfAttention;
  constructor(
    rng: Rng,
    dim: number,
    heads: number,
    private readonly p: number,
    impl: AttentionImpl,
  ) {
    super();
    this.norm = this.child('norm', new LayerNorm(dim, 1e-5));
    this.attn = this.child('attn', new SelfAttention(rng, { dim, numHeads: heads, qkvBias: 'full', impl }));
  }
  forward(x: Act, ctx: RunContext): Act {
    const y = this.attn.run(this.norm.forward(x), ctx).y;
    return addAct(x, isSymbolic(y) ? y : dropPath(y, this.p, ctx));
  }
}

/** FFNWithPreNorm: x + DropPath(layers(norm(x))), layers = [[fc1, GELU, Dropout], fc2, Dropout]. */
class FfnWithPreNorm extends Module {
  private readonly norm: LayerNorm;
  private readonly layers: Sequential;
  constructor(
    rng: Rng,
    dim: number,
    private readonly p: number,
  ) {
    super();
    this.norm = this.child('norm', new LayerNorm(dim, 1e-5));
    const lin = (i: number, o: number): Linear => new Linear(rng, i, o, 'normal_0.02');
    this.layers = this.child(
      'layers',
      new Sequential(
        new Sequential(lin(dim, 4 * dim), new Gelu(), new Dropout(0)),
        lin(4 * dim, dim),
        new Dropout(0),
      ),
    );
  }
  forward(x: Act, ctx: RunContext): Act {
    const y = tokenLinear(this.layers, this.norm.forward(x), ctx);
    return addAct(x, isSymbolic(y) ? y : dropPath(y, this.p, ctx));
  }
}

/** BasicTransformerBlock(operator_order=['self_attn', 'ffn']): attentions.0 then ffns.0. */
class BasicTransformerBlock extends Module {
  private readonly attentions: Sequential;
  private readonly ffns: Sequential;
  constructor(rng: Rng, dim: number, heads: number, p: number, impl: AttentionImpl) {
    super();
    this.attentions = this.child(
      'attentions',
      new Sequential(new AttentionWithPreNorm(rng, dim, heads, p, impl)),
    );
    this.ffns = this.child('ffns', new Sequential(new FfnWithPreNorm(rng, dim, p)));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.ffns.forward(this.attentions.forward(x, ctx), ctx);
  }
}

/** TransformerContainer: `layers`, drop path linear from 0 to drop_path_rate. */
class TransformerContainer extends Module {
  private readonly layers: Sequential;
  constructor(rng: Rng, depth: number, dim: number, heads: number, rate: number, impl: AttentionImpl) {
    super();
    this.layers = this.child('layers', new Sequential());
    for (let i = 0; i < depth; i++)
      this.layers.push(
        new BasicTransformerBlock(rng, dim, heads, depth > 1 ? (rate * i) / (depth - 1) : 0, impl),
      );
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.layers.forward(x, ctx);
  }
}

/** A [1, 1 + n, C] table whose rows after the first are resized along a grid (cls row kept). */
function resizeWithCls(
  table: tf.Tensor,
  from: [number, number, number],
  to: [number, number, number],
): tf.Tensor {
  const c = table.shape[2] ?? 0;
  const rows = from[0] * from[1] * from[2];
  const cls = tf.slice(table, [0, 0, 0], [1, 1, c]);
  const rest = tf.reshape<tf.Rank.R2>(tf.slice(table, [0, 1, 0], [1, rows, c]), [rows, c]);
  const resized = resizePositionTable(rest, from, to);
  return tf.concat([cls, tf.reshape(resized, [1, -1, c])], 1);
}

export class ViViTBackbone extends Module {
  private readonly patchEmbed: TubeletEmbed;
  private readonly spatial: TransformerContainer;
  private readonly temporal: TransformerContainer;
  private readonly norm: LayerNorm;
  private readonly clsToken: tf.Variable;
  private readonly posEmbed: tf.Variable;
  private readonly timeEmbed: tf.Variable;
  private readonly grid: [number, number, number];

  constructor(
    rng: Rng,
    readonly spec: ViViTSpec,
  ) {
    super();
    const { embed: c, heads, tubelet, patch } = spec;
    const impl = spec.impl ?? 'auto';
    this.patchEmbed = this.child('patch_embed', new TubeletEmbed(rng, { dim: c, tubelet, patch }));
    const layers = this.child('transformer_layers', new Sequential());
    this.spatial = new TransformerContainer(rng, spec.depth, c, heads, spec.dropPath, impl);
    this.temporal = new TransformerContainer(rng, spec.temporalDepth, c, heads, spec.dropPath, impl);
    layers.push(this.spatial).push(this.temporal);
    this.norm = this.child('norm', new LayerNorm(c, 1e-6));
    this.grid = [
      Math.floor(spec.frames / tubelet),
      Math.floor(spec.size / patch),
      Math.floor(spec.size / patch),
    ];
    const [t, h, w] = this.grid;
    const table = (rows: number): tf.Tensor => tf.tensor3d(normal(rng, rows * c, 0.02), [1, rows, c]);
    this.clsToken = this.param('cls_token', table(1));
    this.posEmbed = this.param('pos_embed', table(1 + h * w));
    this.timeEmbed = this.param('time_embed', table(1 + t));
  }

  /** x f32[N,T,H,W,3] → the temporal cls token after `norm`, f32[N, C]. */
  forward(x: Act, ctx: RunContext): Act {
    const { tokens, grid } = this.patchEmbed.run(x, ctx);
    const [t, h, w] = grid;
    const [n = 0] = x.shape;
    const c = this.spec.embed;
    const [t0, h0, w0] = this.grid;
    // spatial transformer over each tubelet slice: [(N·T'), 1 + H'W', C]
    let z = prependToken(this.clsToken, reshape(tokens, [n * t, h * w, c]));
    if (!isSymbolic(z)) {
      const pos = h === h0 && w === w0 ? this.posEmbed : resizeWithCls(this.posEmbed, [1, h0, w0], [1, h, w]);
      z = tf.add(z, pos);
    }
    z = this.spatial.forward(z, ctx);
    // each clip's first-slice cls token, then the slices' mean patch tokens: [N, 1 + T', C]
    let s: Act;
    if (isSymbolic(z)) s = new SymbolicTensor([n, 1 + t, c]);
    else {
      const g = tf.reshape(real(z, 'ViViT'), [n, t, 1 + h * w, c]);
      const cls = tf.reshape(tf.slice(g, [0, 0, 0, 0], [n, 1, 1, c]), [n, 1, c]);
      const means = tf.mean(tf.slice(g, [0, 0, 1, 0], [n, t, h * w, c]), 2);
      const time = t === t0 ? this.timeEmbed : resizeWithCls(this.timeEmbed, [t0, 1, 1], [t, 1, 1]);
      s = tf.add(tf.concat([cls, means], 1), time);
    }
    return poolTokens(this.norm.forward(this.temporal.forward(s, ctx)), 'cls');
  }
}

/** VideoTransformer-pytorch ClassificationHead: `cls_head` (trunc-normal std 0.02, bias 0). */
class ClassificationHead extends Module {
  private readonly fc: Linear;
  constructor(rng: Rng, dim: number, numClasses: number) {
    super();
    this.fc = this.child('cls_head', new Linear(rng, dim, numClasses, 'normal_0.02'));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.fc.forward(x, ctx);
  }
}

export class ViViTNet extends Module {
  private readonly model: ViViTBackbone;
  private readonly head: ClassificationHead;
  constructor(rng: Rng, spec: ViViTSpec, numClasses: number) {
    super();
    this.model = this.child('model', new ViViTBackbone(rng, spec));
    this.head = this.child('cls_head', new ClassificationHead(rng, spec.embed, numClasses));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.head.forward(this.model.forward(x, ctx), ctx);
  }
}

/** ViViT-B/16×2 FE: 16×224², 12 spatial + 4 temporal layers of width 768 (VideoTransformer-pytorch defaults). */
export const VIVIT_B: ViViTSpec = {
  embed: 768,
  depth: 12,
  temporalDepth: 4,
  heads: 12,
  patch: 16,
  tubelet: 2,
  frames: 16,
  size: 224,
  dropPath: 0.1,
};

/** Tiny preset: width 64 (2 heads of 32), 2 spatial + 1 temporal layers, 8×8 patches, for 4×32×32 clips. */
export const VIVIT_TINY: ViViTSpec = {
  embed: 64,
  depth: 2,
  temporalDepth: 1,
  heads: 2,
  patch: 8,
  tubelet: 2,
  frames: 4,
  size: 32,
  dropPath: 0,
};

export function buildViViT(config: ModelConfig, opts: { readonly impl?: AttentionImpl } = {}): ZooModel {
  const base = config.preset === 'tiny' ? VIVIT_TINY : VIVIT_B;
  const spec = opts.impl ? { ...base, impl: opts.impl } : base;
  return new ZooModel(
    'vivit_b',
    config,
    'cls_head',
    new ViViTNet(new Rng(config.seed ?? 0), spec, config.numClasses),
  );
}
