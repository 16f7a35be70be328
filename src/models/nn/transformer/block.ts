// The pre-norm ViT block (compute worker): x + DropPath(attn(norm1(x))), then x + DropPath(mlp(norm2(x))), with
// timm names (norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2). Tokens f32[B, L, C]; optional attention capture.
import { tf } from '../../tf.ts';
import type { Rng } from '../../../shared/random.ts';
import { Dropout, Linear, type LinearInit } from '../layers.ts';
import {
  isSymbolic,
  Module,
  real,
  Sequential,
  SymbolicTensor,
  type Act,
  type RunContext,
} from '../module.ts';
import { dropPath } from './dropPath.ts';
import { Gelu, LayerNorm } from './norms.ts';
import { SelfAttention, type AttentionImpl, type QkvBias } from './selfAttention.ts';

export interface BlockOptions {
  readonly dim: number;
  readonly numHeads: number;
  readonly mlpRatio?: number;
  readonly qkvBias: QkvBias;
  readonly eps?: number;
  readonly dropPath?: number;
  readonly impl?: AttentionImpl;
  readonly init?: LinearInit;
  /** 'timm' (default): mlp.fc1 / mlp.fc2; 'mmcv': MMCV's FFN, mlp.layers.0.0 / mlp.layers.1 (VideoMAE in MMAction2) */
  readonly mlpNames?: 'timm' | 'mmcv';
}

/** A Linear applied to every token: x f32[B, N, in] → f32[B, N, out]. */
export function tokenLinear(lin: Module, x: Act, ctx: RunContext): Act {
  const [b = 0, n = 0, c = 0] = x.shape;
  const flat = isSymbolic(x) ? new SymbolicTensor([b * n, c]) : tf.reshape(x, [b * n, c]);
  const y = lin.forward(flat, ctx);
  const out = y.shape[1] ?? 0;
  return isSymbolic(y) ? new SymbolicTensor([b, n, out]) : tf.reshape(real(y, 'tokenLinear'), [b, n, out]);
}

/** timm's Mlp: fc1 → GELU → fc2 (dropout 0). */
export class Mlp extends Module {
  private readonly fc1: Linear;
  private readonly act = new Gelu();
  private readonly fc2: Linear;
  constructor(rng: Rng, dim: number, hidden: number, init: LinearInit) {
    super();
    this.fc1 = this.child('fc1', new Linear(rng, dim, hidden, init));
    this.fc2 = this.child('fc2', new Linear(rng, hidden, dim, init));
  }
  forward(x: Act, ctx: RunContext): Act {
    return tokenLinear(this.fc2, this.act.forward(tokenLinear(this.fc1, x, ctx)), ctx);
  }
}

/** MMCV's FFN (add_identity=False, dropout 0): layers = [[fc1, GELU, Dropout], fc2, Dropout] → layers.0.0, layers.1. */
export class FfnMlp extends Module {
  private readonly layers: Sequential;
  constructor(rng: Rng, dim: number, hidden: number, init: LinearInit) {
    super();
    this.layers = this.child(
      'layers',
      new Sequential(
        new Sequential(new Linear(rng, dim, hidden, init), new Gelu(), new Dropout(0)),
        new Linear(rng, hidden, dim, init),
        new Dropout(0),
      ),
    );
  }
  forward(x: Act, ctx: RunContext): Act {
    return tokenLinear(this.layers, x, ctx);
  }
}

function add(a: Act, b: Act): Act {
  return isSymbolic(a) || isSymbolic(b) ? new SymbolicTensor([...a.shape]) : tf.add(a, b);
}

export class PreNormBlock extends Module {
  readonly norm1: LayerNorm;
  readonly attn: SelfAttention;
  readonly norm2: LayerNorm;
  readonly mlp: Mlp | FfnMlp;
  private readonly pDrop: number;

  constructor(rng: Rng, opts: BlockOptions) {
    super();
    const eps = opts.eps ?? 1e-6;
    const init = opts.init ?? 'normal_0.02';
    this.pDrop = opts.dropPath ?? 0;
    this.norm1 = this.child('norm1', new LayerNorm(opts.dim, eps));
    this.attn = this.child(
      'attn',
      new SelfAttention(rng, {
        dim: opts.dim,
        numHeads: opts.numHeads,
        qkvBias: opts.qkvBias,
        init,
        ...(opts.impl ? { impl: opts.impl } : {}),
      }),
    );
    this.norm2 = this.child('norm2', new LayerNorm(opts.dim, eps));
    const hidden = Math.round(opts.dim * (opts.mlpRatio ?? 4));
    this.mlp = this.child(
      'mlp',
      opts.mlpNames === 'mmcv'
        ? new FfnMlp(rng, opts.dim, hidden, init)
        : new Mlp(rng, opts.dim, hidden, init),
    );
  }

  forward(x: Act, ctx: RunContext): Act {
    return this.run(x, ctx).y;
  }

  /** x f32[B, L, C] → f32[B, L, C]; `capture` also returns this block's attention probabilities f32[B, H, L, L]. */
  run(x: Act, ctx: RunContext, capture = false): { y: Act; probs: tf.Tensor4D | null } {
    const drop = (t: Act): Act => (isSymbolic(t) ? t : dropPath(t, this.pDrop, ctx));
    const a = this.attn.run(this.norm1.forward(x), ctx, capture);
    const mid = add(x, drop(a.y));
    return { y: add(mid, drop(this.mlp.forward(this.norm2.forward(mid), ctx))), probs: a.probs };
  }
}

/** Attention capture: which block indices to record; `run` fills `probs` (block index → f32[B, H, L, L]). */
export interface AttentionCapture {
  readonly layers: ReadonlySet<number>;
  readonly probs: Map<number, tf.Tensor4D>;
}

/** Runs blocks in order, recording the probabilities of the captured layers (no extra work for the others). */
export function runBlocks(
  blocks: readonly PreNormBlock[],
  x: Act,
  ctx: RunContext,
  capture?: AttentionCapture,
): Act {
  let z = x;
  blocks.forEach((block, i) => {
    const r = block.run(z, ctx, capture?.layers.has(i) ?? false);
    if (r.probs && capture) capture.probs.set(i, r.probs);
    z = r.y;
  });
  return z;
}
