// UniFormerV2's building blocks (compute worker) with MMAction2 uniformerv2.py names: nn.MultiheadAttention
// (in_proj_weight/in_proj_bias, out_proj), the CLIP MLP (c_fc, QuickGELU, c_proj), Local_MHRA (pos_embed.0..3:
// BN3d, 1×1×1 down, depthwise 3×1×1, 1×1×1 up), the local UniBlock (ResidualAttentionBlock) and the global one
// (Extractor). Tokens batch-first f32[B, L, C]; clips f32[N, T, H, W, C]. Symbolic runs count MACs.
import { tf } from '../tf.ts';
import type { Rng } from '../../shared/random.ts';
import { normal } from '../nn/init.ts';
import { BatchNorm3d, Conv3d, Dropout, Linear } from '../nn/layers.ts';
import {
  isSymbolic,
  Module,
  real,
  Sequential,
  SymbolicTensor,
  type Act,
  type RunContext,
} from '../nn/module.ts';
import { composedAttention, fusedAttention } from '../ops/attention.ts';
import { tokenLinear } from '../nn/transformer/block.ts';
import { dropPath } from '../nn/transformer/dropPath.ts';
import { LayerNorm } from '../nn/transformer/norms.ts';
import { attentionProbabilities, useFused, type AttentionImpl } from '../nn/transformer/selfAttention.ts';
import type { AttentionTap } from '../nn/attentionTap.ts';

/** The token grid of a clip: N clips of T frames of h×w patches. */
export interface ClipGrid {
  readonly n: number;
  readonly t: number;
  readonly h: number;
  readonly w: number;
}

function zeroParams(m: Module): void {
  for (const { variable } of m.namedParameters().values()) {
    tf.tidy(() => {
      variable.assign(tf.zerosLike(variable));
    });
  }
}

const sym = (shape: number[]): SymbolicTensor => new SymbolicTensor(shape);

/** QuickGELU: x·σ(1.702·x). */
class QuickGelu extends Module {
  forward(x: Act): Act {
    return isSymbolic(x) ? x : tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
  }
}

/** nn.MultiheadAttention (batch-first here): in_proj_weight f32[C, 3C] (PyTorch [3C, C]), in_proj_bias, out_proj. */
export class MultiheadAttention extends Module {
  readonly headDim: number;
  private readonly inProjWeight: tf.Variable;
  private readonly inProjBias: tf.Variable;
  private readonly outProj: Linear;
  constructor(
    rng: Rng,
    readonly dim: number,
    readonly numHeads: number,
    private readonly impl: AttentionImpl,
  ) {
    super();
    if (dim % numHeads !== 0) throw new RangeError(`UniFormerV2: ${numHeads} heads do not divide ${dim}`);
    this.headDim = dim / numHeads;
    // xavier_uniform's variance 2/(fan_in + fan_out) = 2/(4C), drawn normal
    const w = normal(rng, 3 * dim * dim, Math.sqrt(2 / (4 * dim)));
    this.inProjWeight = this.param('in_proj_weight', tf.tensor2d(w, [dim, 3 * dim]), { kind: 'linear' });
    this.inProjBias = this.param('in_proj_bias', tf.zeros([3 * dim]));
    this.outProj = this.child('out_proj', new Linear(rng, dim, dim, 'normal_0.02'));
  }
  forward(): Act {
    throw new Error('MultiheadAttention: call run(q, kv, …)');
  }
  /** The output projection (zeroed by the Extractor's init). */
  get out(): Linear {
    return this.outProj;
  }
  /**
   * xq f32[B, Lq, C] attends to xkv f32[B, Lk, C] (the same tensor for self-attention) → f32[B, Lq, C]; with
   * `capture` also softmax(q·kᵀ/√d) f32[B, H, Lq, Lk] (the caller owns it).
   */
  run(
    xq: Act,
    xkv: Act,
    ctx: RunContext,
    capture = false,
    keyGrid: readonly [number, number, number] | null = null,
  ): { y: Act; probs: tf.Tensor4D | null } {
    const [b = 0, lq = 0, c = 0] = xq.shape;
    const lk = xkv.shape[1] ?? 0;
    const [h, d] = [this.numHeads, this.headDim];
    if (isSymbolic(xq) || isSymbolic(xkv)) {
      if (ctx.counter) ctx.counter.macs += b * (lq + 2 * lk) * c * c + 2 * b * h * lq * lk * d;
      return { y: tokenLinear(this.outProj, sym([b, lq, c]), ctx), probs: null };
    }
    const heads = (x: tf.Tensor, l: number): tf.Tensor4D =>
      tf.transpose<tf.Tensor4D>(tf.reshape(x, [b, l, h, d]), [0, 2, 1, 3]);
    const project = (x: tf.Tensor, l: number, from: number, count: number): tf.Tensor[] => {
      const wt = tf.slice(this.inProjWeight, [0, from * c], [c, count * c]);
      const bias = tf.slice(this.inProjBias, [from * c], [count * c]);
      const y = tf.add(tf.matMul(tf.reshape(x, [b * l, c]), wt), bias);
      return count === 1 ? [y] : tf.split(y, count, 1);
    };
    let q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D;
    if (xq === xkv) {
      const [pq, pk, pv] = project(xq, lq, 0, 3);
      if (!pq || !pk || !pv) throw new Error('unreachable');
      [q, k, v] = [heads(pq, lq), heads(pk, lq), heads(pv, lq)];
    } else {
      const [pq] = project(xq, lq, 0, 1);
      const [pk, pv] = project(xkv, lk, 1, 2);
      if (!pq || !pk || !pv) throw new Error('unreachable');
      [q, k, v] = [heads(pq, lq), heads(pk, lk), heads(pv, lk)];
    }
    const tap = this.tap();
    const probs = capture || tap ? tf.keep(attentionProbabilities(q, k, 1 / Math.sqrt(d))) : null;
    if (tap && probs) tap({ probs: capture ? tf.keep(tf.clone(probs)) : probs, keyGrid, cls: true });
    const o = useFused(this.impl, d) ? fusedAttention(q, k, v) : composedAttention(q, k, v);
    const merged = tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [b, lq, c]);
    return { y: tokenLinear(this.outProj, merged, ctx), probs: capture ? probs : null };
  }
  /** The explanation tap, where this attention has one (the local blocks'). */
  protected tap(): AttentionTap | null {
    return null;
  }
}

/** The local blocks' self-attention: also reports to an explanation tap (src/models/nn/attentionTap.ts) with the
 *  per-frame key grid 1×h×w after the class token. The global blocks' cross-attention has no tap: its query is
 *  the temporal class token over T·(1 + h·w) keys, which rollout cannot chain. */
export class TappedAttention extends MultiheadAttention {
  attentionTap: AttentionTap | null = null;
  protected override tap(): AttentionTap | null {
    return this.attentionTap;
  }
}

/** CLIP's MLP: c_fc → QuickGELU → (Dropout, the Extractor's) → c_proj. */
class ClipMlp extends Module {
  readonly cFc: Linear;
  readonly cProj: Linear;
  private readonly act = new QuickGelu();
  private readonly drop: Dropout;
  constructor(rng: Rng, dim: number, hidden: number, dropout: number) {
    super();
    this.cFc = this.child('c_fc', new Linear(rng, dim, hidden, 'normal_0.02'));
    this.cProj = this.child('c_proj', new Linear(rng, hidden, dim, 'normal_0.02'));
    this.drop = new Dropout(dropout);
  }
  forward(x: Act, ctx: RunContext): Act {
    const y = this.drop.forward(this.act.forward(tokenLinear(this.cFc, x, ctx)), ctx);
    return tokenLinear(this.cProj, y, ctx);
  }
}

/** Local_MHRA: pos_embed = [BN3d(C), Conv3d(C→R, 1), Conv3d(R→R, 3×1×1, groups R), Conv3d(R→C, 1)], R = ⌊C/r⌋. */
class LocalMhra extends Module {
  private readonly posEmbed: Sequential;
  constructor(rng: Rng, dim: number, reduction: number, zeroInit: boolean) {
    super();
    const r = Math.floor(dim / reduction);
    const init = 'torch_default' as const;
    const up = new Conv3d(rng, r, dim, { kernel: 1, bias: true, init });
    this.posEmbed = this.child(
      'pos_embed',
      new Sequential(
        new BatchNorm3d(dim),
        new Conv3d(rng, dim, r, { kernel: 1, bias: true, init }),
        new Conv3d(rng, r, r, { kernel: [3, 1, 1], padding: [1, 0, 0], groups: r, bias: true, init }),
        up,
      ),
    );
    if (zeroInit) zeroParams(up);
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.posEmbed.forward(x, ctx);
  }
}

/** Patch tokens f32[N·T, 1 + h·w, C] → (class rows f32[N·T, 1, C], clip f32[N, T, h, w, C]). */
export function splitTokens(x: tf.Tensor, g: ClipGrid): [tf.Tensor, tf.Tensor5D] {
  const [nt = 0, l = 0, c = 0] = x.shape;
  const cls = tf.slice(x, [0, 0, 0], [nt, 1, c]);
  const feats = tf.reshape<tf.Rank.R5>(tf.slice(x, [0, 1, 0], [nt, l - 1, c]), [g.n, g.t, g.h, g.w, c]);
  return [cls, feats];
}

export function joinTokens(cls: tf.Tensor, feats: tf.Tensor, g: ClipGrid): tf.Tensor {
  const c = feats.shape[feats.shape.length - 1] ?? 0;
  return tf.concat([cls, tf.reshape(feats, [g.n * g.t, g.h * g.w, c])], 1);
}

export type LmhraMode = 'none' | 'single' | 'double';

export interface LocalBlockOptions {
  readonly dim: number;
  readonly heads: number;
  readonly dropPath: number;
  readonly reduction: number;
  readonly lmhra: LmhraMode;
  readonly zeroInit: boolean;
  readonly impl: AttentionImpl;
}

/** The local UniBlock (ResidualAttentionBlock): [x + LMHRA1], x + attn(ln_1 x), [x + LMHRA2], x + mlp(ln_2 x). */
export class LocalUniBlock extends Module {
  private readonly lmhra1: LocalMhra | null;
  private readonly lmhra2: LocalMhra | null;
  private readonly attn: TappedAttention;
  private readonly ln1: LayerNorm;
  private readonly mlp: ClipMlp;
  private readonly ln2: LayerNorm;
  constructor(
    rng: Rng,
    private readonly opts: LocalBlockOptions,
  ) {
    super();
    const { dim } = opts;
    const mhra = (name: string): LocalMhra =>
      this.child(name, new LocalMhra(rng, dim, opts.reduction, opts.zeroInit));
    this.lmhra1 = opts.lmhra === 'none' ? null : mhra('lmhra1');
    this.lmhra2 = opts.lmhra === 'double' ? mhra('lmhra2') : null;
    this.attn = this.child('attn', new TappedAttention(rng, dim, opts.heads, opts.impl));
    this.ln1 = this.child('ln_1', new LayerNorm(dim, 1e-5));
    this.mlp = this.child('mlp', new ClipMlp(rng, dim, 4 * dim, 0));
    this.ln2 = this.child('ln_2', new LayerNorm(dim, 1e-5));
  }
  forward(): Act {
    throw new Error('LocalUniBlock: call run(x, grid, …)');
  }
  private local(m: LocalMhra | null, x: Act, g: ClipGrid, ctx: RunContext): Act {
    if (!m) return x;
    if (isSymbolic(x)) {
      m.forward(sym([g.n, g.t, g.h, g.w, this.opts.dim]), ctx);
      return x;
    }
    const [cls, feats] = splitTokens(x, g);
    return joinTokens(
      cls,
      tf.add(feats, dropPath(real(m.forward(feats, ctx), 'Local_MHRA'), this.opts.dropPath, ctx)),
      g,
    );
  }
  private residual(x: Act, y: Act, ctx: RunContext): Act {
    if (isSymbolic(x) || isSymbolic(y)) return x;
    return tf.add(real(x, 'UniBlock'), dropPath(real(y, 'UniBlock'), this.opts.dropPath, ctx));
  }
  /** x f32[N·T, 1 + h·w, C] → same; `capture` adds the attention probabilities f32[N·T, H, L, L]. */
  run(x: Act, g: ClipGrid, ctx: RunContext, capture = false): { y: Act; probs: tf.Tensor4D | null } {
    let z = this.local(this.lmhra1, x, g, ctx);
    const normed = this.ln1.forward(z);
    const a = this.attn.run(normed, normed, ctx, capture, [1, g.h, g.w]);
    z = this.residual(z, a.y, ctx);
    z = this.local(this.lmhra2, z, g, ctx);
    z = this.residual(z, this.mlp.forward(this.ln2.forward(z), ctx), ctx);
    return { y: z, probs: a.probs };
  }
}

/** The global UniBlock (Extractor): q = ln_1(x), k = v = ln_3(y); x + attn, then x + mlp(ln_2 x). */
export class GlobalUniBlock extends Module {
  private readonly attn: MultiheadAttention;
  private readonly ln1: LayerNorm;
  private readonly mlp: ClipMlp;
  private readonly ln2: LayerNorm;
  private readonly ln3: LayerNorm;
  constructor(
    rng: Rng,
    dim: number,
    heads: number,
    opts: {
      mlpFactor: number;
      dropout: number;
      dropPath: number;
      zeroInit: boolean;
      impl: AttentionImpl;
    },
  ) {
    super();
    this.pDrop = opts.dropPath;
    this.attn = this.child('attn', new MultiheadAttention(rng, dim, heads, opts.impl));
    this.ln1 = this.child('ln_1', new LayerNorm(dim, 1e-5));
    this.mlp = this.child('mlp', new ClipMlp(rng, dim, Math.round(opts.mlpFactor * dim), opts.dropout));
    this.ln2 = this.child('ln_2', new LayerNorm(dim, 1e-5));
    this.ln3 = this.child('ln_3', new LayerNorm(dim, 1e-5));
    if (opts.zeroInit) [this.attn.out, this.mlp.cProj].forEach(zeroParams);
  }
  private readonly pDrop: number;
  forward(): Act {
    throw new Error('GlobalUniBlock: call run(x, y, …)');
  }
  /** x f32[N, 1, C] (the temporal class token) attends to y f32[N, T·(1 + h·w), C] → f32[N, 1, C]. */
  run(x: Act, y: Act, ctx: RunContext, capture = false): { y: Act; probs: tf.Tensor4D | null } {
    const a = this.attn.run(this.ln1.forward(x), this.ln3.forward(y), ctx, capture);
    if (isSymbolic(x) || isSymbolic(a.y)) {
      this.mlp.forward(x, ctx);
      return { y: x, probs: null };
    }
    const z = tf.add(x, dropPath(real(a.y, 'Extractor'), this.pDrop, ctx));
    const m = real(this.mlp.forward(this.ln2.forward(z), ctx), 'Extractor');
    return { y: tf.add(z, dropPath(m, this.pDrop, ctx)), probs: a.probs };
  }
}
