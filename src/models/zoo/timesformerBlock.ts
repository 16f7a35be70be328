// TimeSformer's divided space-time block (compute worker), facebookresearch/TimeSformer vit.py names: temporal_norm1,
// temporal_attn.{qkv,proj}, temporal_fc, then norm1, attn.{qkv,proj} over each frame with the class token, norm2, mlp.
// Tokens f32[B, 1 + T·S, C] frame-major (1 + t·S + s; vit.py's patch-major order is a permutation of it).
import { tf } from '../tf.ts';
import type { Rng } from '../../shared/random.ts';
import { HEAD_DIMS, type HeadDim } from '../../gpu/kernels/attention/layout.ts';
import {
  spaceTimeAttention,
  spaceTimeAttentionComposed,
  toSequences,
  type SpaceTimeLayout,
  type SpaceTimeMode,
} from '../ops/attentionSpaceTime.ts';
import { Linear } from '../nn/layers.ts';
import { isSymbolic, Module, real, SymbolicTensor, type Act, type RunContext } from '../nn/module.ts';
import { Mlp, tokenLinear } from '../nn/transformer/block.ts';
import { LayerNorm } from '../nn/transformer/norms.ts';
import { attentionProbabilities, type AttentionImpl } from '../nn/transformer/selfAttention.ts';

export type { AttentionImpl };

/** Frames, patches per frame. */
export interface TokenGrid {
  readonly frames: number;
  readonly patches: number;
}

/** Attention probabilities of one block: spatial f32[B·T, H, 1 + S, 1 + S] (class token first), temporal f32[B·S, H, T, T]. */
export interface BlockAttention {
  readonly spatial: tf.Tensor4D;
  readonly temporal: tf.Tensor4D;
}

function add(a: Act, b: Act): Act {
  return isSymbolic(a) || isSymbolic(b) ? new SymbolicTensor([...a.shape]) : tf.add(a, b);
}

/** A keep mask f32[shape] (0 or 1/(1−p)) for stochastic depth per group of samples, drawn from the seeded Rng. */
function keepMask(p: number, shape: readonly number[], ctx: RunContext): tf.Tensor | null {
  if (!ctx.training || p === 0 || !ctx.rng) return null;
  const rng = ctx.rng;
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => (rng.next() >= p ? 1 / (1 - p) : 0)),
    [...shape],
  );
}

/** vit.py's `Attention` (qkv with bias, proj) run as divided space-time attention on token tensors. */
export class SpaceTimeSelfAttention extends Module {
  readonly headDim: number;
  private readonly qkv: Linear;
  private readonly proj: Linear;

  constructor(
    rng: Rng,
    readonly dim: number,
    readonly numHeads: number,
    private readonly impl: AttentionImpl,
  ) {
    super();
    if (dim % numHeads !== 0) throw new RangeError(`TimeSformer: ${numHeads} heads do not divide ${dim}`);
    this.headDim = dim / numHeads;
    this.qkv = this.child('qkv', new Linear(rng, dim, 3 * dim, 'normal_0.02'));
    this.proj = this.child('proj', new Linear(rng, dim, dim, 'normal_0.02'));
  }

  forward(): Act {
    throw new Error('SpaceTimeSelfAttention: call run(x, …)');
  }

  /** Applies `proj` (a Linear of this module) to f32[B, M, C]. */
  project(x: Act, ctx: RunContext): Act {
    return tokenLinear(this.proj, x, ctx);
  }

  private fused(): boolean {
    const fits = HEAD_DIMS.some((d) => d === this.headDim);
    if (this.impl === 'composed') return false;
    if (this.impl === 'fused') {
      if (!fits)
        throw new RangeError(`TimeSformer: fused attention needs head dim in ${HEAD_DIMS.join(', ')}`);
      return true;
    }
    return fits && tf.getBackend() === 'webgpu';
  }

  /**
   * x f32[B, C0 + T·S, C] (C0 class tokens first) → attention outputs before `proj`: f32[B, C0 + T·S, C] (class
   * rows 0) and, spatially with a class token, its per-frame outputs f32[B, T, C0, C]; `capture` adds the mode's
   * probabilities. Symbolic runs count qkv and the two attention matmuls.
   */
  run(
    x: Act,
    mode: SpaceTimeMode,
    grid: TokenGrid,
    clsTokens: number,
    ctx: RunContext,
    capture: boolean,
  ): { out: Act; cls: tf.Tensor4D | null; probs: tf.Tensor4D | null } {
    const [b = 0, n = 0, c = 0] = x.shape;
    const { frames: t, patches: s } = grid;
    if (isSymbolic(x)) {
      this.qkv.forward(new SymbolicTensor([b * n, c]), ctx);
      const [groups, len] = mode === 'temporal' ? [b * s, t] : [b * t, clsTokens + s];
      if (ctx.counter) ctx.counter.macs += 2 * groups * this.numHeads * len * len * this.headDim;
      return { out: new SymbolicTensor([b, n, c]), cls: null, probs: null };
    }
    const qkv = real(tokenLinear(this.qkv, x, ctx), 'SpaceTimeSelfAttention') as tf.Tensor3D;
    const [q, k, v] = tf.split(qkv, 3, 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    const layout: SpaceTimeLayout = {
      frames: t,
      patches: s,
      heads: this.numHeads,
      headDim: this.headDim as HeadDim, // the composed path takes any width; fused() checks it
      clsTokens,
    };
    const probs = capture
      ? tf.keep(
          attentionProbabilities(
            toSequences(q, mode, layout),
            toSequences(k, mode, layout),
            1 / Math.sqrt(this.headDim),
          ),
        )
      : null;
    const r = (this.fused() ? spaceTimeAttention : spaceTimeAttentionComposed)(q, k, v, mode, layout);
    return { out: r.out, cls: r.cls, probs };
  }
}

export interface DividedBlockOptions {
  readonly dim: number;
  readonly numHeads: number;
  readonly dropPath: number;
  readonly impl: AttentionImpl;
}

/** vit.py `Block` with attention_type 'divided_space_time'. */
export class DividedBlock extends Module {
  private readonly norm1: LayerNorm;
  private readonly attn: SpaceTimeSelfAttention;
  private readonly temporalNorm1: LayerNorm;
  private readonly temporalAttn: SpaceTimeSelfAttention;
  private readonly temporalFc: Linear;
  private readonly norm2: LayerNorm;
  private readonly mlp: Mlp;
  private readonly pDrop: number;

  constructor(rng: Rng, opts: DividedBlockOptions) {
    super();
    const { dim, numHeads, impl } = opts;
    this.pDrop = opts.dropPath;
    this.norm1 = this.child('norm1', new LayerNorm(dim, 1e-6));
    this.attn = this.child('attn', new SpaceTimeSelfAttention(rng, dim, numHeads, impl));
    this.temporalNorm1 = this.child('temporal_norm1', new LayerNorm(dim, 1e-6));
    this.temporalAttn = this.child('temporal_attn', new SpaceTimeSelfAttention(rng, dim, numHeads, impl));
    this.temporalFc = this.child('temporal_fc', new Linear(rng, dim, dim, 'normal_0.02'));
    this.norm2 = this.child('norm2', new LayerNorm(dim, 1e-6));
    this.mlp = this.child('mlp', new Mlp(rng, dim, 4 * dim, 'normal_0.02'));
  }

  forward(): Act {
    throw new Error('DividedBlock: call run(x, grid, ctx)');
  }

  /** vit.py's init of every block but the first: temporal_fc weight and bias 0. */
  zeroTemporalFc(): void {
    for (const { variable } of this.temporalFc.namedParameters().values()) {
      tf.tidy(() => {
        variable.assign(tf.zerosLike(variable));
      });
    }
  }

  /** x f32[B, 1 + T·S, C] → same shape; `capture` also returns this block's probabilities (caller owns them). */
  run(
    x: Act,
    grid: TokenGrid,
    ctx: RunContext,
    capture = false,
  ): { y: Act; attention: BlockAttention | null } {
    const [b = 0, n = 0, c = 0] = x.shape;
    const { frames: t, patches: s } = grid;
    if (n !== 1 + t * s) throw new RangeError(`TimeSformer: ${n} tokens, expected 1 + ${t}·${s}`);
    if (isSymbolic(x)) {
      const patches = new SymbolicTensor([b, t * s, c]);
      this.temporalAttn.run(this.temporalNorm1.forward(patches), 'temporal', grid, 0, ctx, false);
      this.temporalAttn.project(patches, ctx);
      tokenLinear(this.temporalFc, patches, ctx);
      this.attn.run(this.norm1.forward(x), 'spatial', grid, 1, ctx, false);
      this.attn.project(new SymbolicTensor([b, t * s + t, c]), ctx);
      return { y: add(x, this.mlp.forward(this.norm2.forward(x), ctx)), attention: null };
    }
    const xt = real(x, 'DividedBlock');
    const cls0 = tf.slice(xt, [0, 0, 0], [b, 1, c]);
    const patches = tf.slice(xt, [0, 1, 0], [b, t * s, c]);
    // temporal: x[:, 1:] + temporal_fc(drop_path(temporal_attn(temporal_norm1(x[:, 1:])))), drop per (b, patch)
    const ta = this.temporalAttn.run(this.temporalNorm1.forward(patches), 'temporal', grid, 0, ctx, capture);
    let res = real(this.temporalAttn.project(ta.out, ctx), 'DividedBlock');
    const tMask = keepMask(this.pDrop, [b, 1, s, 1], ctx);
    if (tMask) res = tf.reshape(tf.mul(tf.reshape(res, [b, t, s, c]), tMask), [b, t * s, c]);
    const mixed = tf.add(patches, real(tokenLinear(this.temporalFc, res, ctx), 'DividedBlock'));
    // spatial: each frame's patches with the class token; the class outputs are averaged over frames
    const sa = this.attn.run(
      this.norm1.forward(tf.concat([cls0, mixed], 1)),
      'spatial',
      grid,
      1,
      ctx,
      capture,
    );
    if (!sa.cls) throw new Error('TimeSformer: spatial attention returned no class outputs');
    const outPatches = tf.slice(real(sa.out, 'DividedBlock'), [0, 1, 0], [b, t * s, c]);
    let rs = real(this.attn.project(outPatches, ctx), 'DividedBlock');
    let rc = real(this.attn.project(tf.reshape(sa.cls, [b, t, c]), ctx), 'DividedBlock'); // [B, T, C]
    const sMask = keepMask(this.pDrop, [b, t, 1, 1], ctx);
    if (sMask) {
      rs = tf.reshape(tf.mul(tf.reshape(rs, [b, t, s, c]), sMask), [b, t * s, c]);
      rc = tf.mul(rc, tf.reshape(sMask, [b, t, 1]));
    }
    const z = tf.concat([tf.add(cls0, tf.mean(rc, 1, true)), tf.add(mixed, rs)], 1);
    let m = real(this.mlp.forward(this.norm2.forward(z), ctx), 'DividedBlock');
    const mMask = keepMask(this.pDrop, [b, 1, 1], ctx);
    if (mMask) m = tf.mul(m, mMask);
    const attention = ta.probs && sa.probs ? { spatial: sa.probs, temporal: ta.probs } : null;
    return { y: tf.add(z, m), attention };
  }
}
