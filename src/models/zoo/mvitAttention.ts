// MViT's pooling attention with torchvision's names (compute worker): `Pool` (depthwise Conv3d + LayerNorm over the
// head dim, cls token kept), `MultiscaleAttention` (qkv, pool_q/k/v, v2's decomposed rel-pos and residual pooling,
// project). Tokens are f32[B, 1 + T·H·W, C] (cls first, then T-major as torch's flatten(2)); symbolic runs count MACs.
import { tf } from '../tf.ts';
import { fusedAttention, composedAttention } from '../ops/attention.ts';
import { Gelu, LayerNorm } from '../nn/transformer/norms.ts';
import { tokenLinear } from '../nn/transformer/block.ts';
import { HEAD_DIMS } from '../../gpu/kernels/attention/layout.ts';
import type { Rng } from '../../shared/random.ts';
import { Conv3d, Linear, type Triple } from '../nn/layers.ts';
import { normal } from '../nn/init.ts';
import type { AttentionTap } from '../nn/attentionTap.ts';
import {
  isSymbolic,
  Module,
  real,
  Sequential,
  SymbolicTensor,
  type Act,
  type RunContext,
} from '../nn/module.ts';
import {
  relExtraDims,
  relPosAttentionByRow,
  relPosKeyIndicators,
  relPosQueryTerms,
  type Thw,
} from './mvitRelPos.ts';

export type { Thw };
const prod = (v: readonly number[]): number => v.reduce((a, b) => a * b, 1);

import type { AttentionImpl } from '../nn/transformer/selfAttention.ts';
export type { AttentionImpl };

export { LayerNorm, Gelu, tokenLinear };

/** trunc_normal_(std=0.02) as torchvision's MViT uses it (its ±2 bounds are 100 σ away: a plain normal). */
export function linear02(rng: Rng, inF: number, outF: number): Linear {
  return new Linear(rng, inF, outF, 'normal_0.02');
}

export function tableParam(rng: Rng, rows: number, cols: number): tf.Tensor {
  return tf.tensor(normal(rng, rows * cols, 0.02), cols === 1 ? [rows] : [rows, cols]);
}

/** Splits the cls token off x f32[B, G, 1 + T·H·W, C] and views the rest as f32[B·G, T, H, W, C]. */
function splitTokens(x: tf.Tensor4D, thw: Thw): [tf.Tensor4D, tf.Tensor5D] {
  const [b, g, n, c] = x.shape;
  const cls = tf.slice(x, [0, 0, 0, 0], [b, g, 1, c]);
  const rest = tf.reshape<tf.Rank.R5>(tf.slice(x, [0, 0, 1, 0], [b, g, n - 1, c]), [b * g, ...thw, c]);
  return [cls, rest];
}

/** torchvision `Pool`: a 3-D pool over the tokens of every head (cls untouched), then the optional LayerNorm. */
export class Pool extends Module {
  constructor(
    private readonly pool: Module & { readonly kernel: Triple; readonly stride: Triple },
    private readonly norm: LayerNorm | null,
  ) {
    super();
    this.child('pool', pool);
    if (norm) this.child('norm_act', new Sequential(norm));
  }
  forward(): Act {
    throw new Error('Pool: call run(x, thw)');
  }
  /** x f32[B, G, 1 + T·H·W, C] → f32[B, G, 1 + T'·H'·W', C] and T'·H'·W'. */
  run(x: Act, thw: Thw, ctx: RunContext): [Act, Thw] {
    const [b = 0, g = 0, , c = 0] = x.shape;
    if (isSymbolic(x)) {
      const y = this.pool.forward(new SymbolicTensor([b * g, ...thw, c]), ctx);
      const out: Thw = [y.shape[1] ?? 0, y.shape[2] ?? 0, y.shape[3] ?? 0];
      return [new SymbolicTensor([b, g, 1 + prod(out), c]), out];
    }
    const [cls, rest] = splitTokens(x as tf.Tensor4D, thw);
    const pooled = real(this.pool.forward(rest, ctx), 'Pool') as tf.Tensor5D;
    const out: Thw = [pooled.shape[1], pooled.shape[2], pooled.shape[3]];
    let y: tf.Tensor = tf.concat([cls, tf.reshape(pooled, [b, g, prod(out), c])], 2);
    if (this.norm) y = real(this.norm.forward(y), 'Pool');
    return [y, out];
  }
}

export interface AttentionSpec {
  readonly inputSize: Thw;
  readonly embedDim: number;
  readonly outputDim: number;
  readonly numHeads: number;
  readonly kernelQ: readonly number[];
  readonly kernelKv: readonly number[];
  readonly strideQ: readonly number[];
  readonly strideKv: readonly number[];
  readonly residualPool: boolean;
  readonly relPos: boolean;
  readonly impl: AttentionImpl;
}

const asTriple = (v: readonly number[]): Triple => [v[0] ?? 1, v[1] ?? 1, v[2] ?? 1];

function poolConv(rng: Rng, headDim: number, kernel: readonly number[], stride: readonly number[]): Pool {
  const k = asTriple(kernel);
  const conv = new Conv3d(rng, headDim, headDim, {
    kernel: k,
    stride: asTriple(stride),
    padding: [Math.floor(k[0] / 2), Math.floor(k[1] / 2), Math.floor(k[2] / 2)],
    groups: headDim,
    init: 'torch_default',
  });
  return new Pool(conv, new LayerNorm(headDim, 1e-6));
}

/** torchvision `MultiscaleAttention`. */
export class MultiscaleAttention extends Module {
  readonly headDim: number;
  /** set by explanations: receives softmax(q·kᵀ [+ rel-pos]) of every call (see src/models/nn/attentionTap.ts) */
  attentionTap: AttentionTap | null = null;
  private readonly relH: tf.Variable | null = null;
  private readonly relW: tf.Variable | null = null;
  private readonly relT: tf.Variable | null = null;
  private readonly qkv: Linear;
  private readonly projectLinear: Linear;
  private readonly poolQ: Pool | null = null;
  private readonly poolK: Pool | null = null;
  private readonly poolV: Pool | null = null;

  constructor(
    rng: Rng,
    private readonly spec: AttentionSpec,
  ) {
    super();
    const { outputDim, numHeads } = spec;
    this.headDim = outputDim / numHeads;
    if (spec.relPos) {
      const size = Math.max(spec.inputSize[1], spec.inputSize[2]);
      const qSize = spec.strideQ.length > 0 ? Math.floor(size / (spec.strideQ[1] ?? 1)) : size;
      const kvSize = spec.strideKv.length > 0 ? Math.floor(size / (spec.strideKv[1] ?? 1)) : size;
      const spatial = 2 * Math.max(qSize, kvSize) - 1;
      const temporal = 2 * spec.inputSize[0] - 1;
      this.relH = this.param('rel_pos_h', tableParam(rng, spatial, this.headDim));
      this.relW = this.param('rel_pos_w', tableParam(rng, spatial, this.headDim));
      this.relT = this.param('rel_pos_t', tableParam(rng, temporal, this.headDim));
    }
    this.qkv = this.child('qkv', linear02(rng, spec.embedDim, 3 * outputDim));
    this.projectLinear = linear02(rng, outputDim, outputDim);
    this.child('project', new Sequential(this.projectLinear));
    const pools = (k: readonly number[], s: readonly number[]): boolean => prod(k) > 1 || prod(s) > 1;
    if (pools(spec.kernelQ, spec.strideQ))
      this.poolQ = this.child('pool_q', poolConv(rng, this.headDim, spec.kernelQ, spec.strideQ));
    if (pools(spec.kernelKv, spec.strideKv)) {
      this.poolK = this.child('pool_k', poolConv(rng, this.headDim, spec.kernelKv, spec.strideKv));
      this.poolV = this.child('pool_v', poolConv(rng, this.headDim, spec.kernelKv, spec.strideKv));
    }
  }

  forward(): Act {
    throw new Error('MultiscaleAttention: call run(x, thw)');
  }

  /** x f32[B, 1 + T·H·W, embedDim] → f32[B, 1 + T'·H'·W', outputDim] and the pooled T'·H'·W'. */
  run(x: Act, thw: Thw, ctx: RunContext): [Act, Thw] {
    const { numHeads: heads, outputDim } = this.spec;
    const hd = this.headDim;
    const [b = 0, n = 0] = x.shape;
    const qkv = tokenLinear(this.qkv, x, ctx);
    let q: Act = new SymbolicTensor([b, heads, n, hd]);
    let k: Act = q;
    let v: Act = q;
    if (!isSymbolic(qkv)) {
      const parts = tf
        .unstack(tf.reshape(tf.transpose(tf.reshape(qkv, [b, n, 3, heads, hd]), [2, 0, 3, 1, 4]), [3, -1]))
        .map((p) => tf.reshape(p, [b, heads, n, hd]));
      const [pq, pk, pv] = parts;
      if (!pq || !pk || !pv) throw new Error('MultiscaleAttention: qkv split failed');
      [q, k, v] = [pq, pk, pv];
    }
    let kThw = thw;
    if (this.poolK) [k, kThw] = this.poolK.run(k, thw, ctx);
    if (this.poolV) [v] = this.poolV.run(v, thw, ctx);
    let qThw = thw;
    if (this.poolQ) [q, qThw] = this.poolQ.run(q, thw, ctx);
    const lq = 1 + prod(qThw);
    const lk = 1 + prod(kThw);
    if (isSymbolic(q) || isSymbolic(k) || isSymbolic(v)) {
      if (ctx.counter) {
        ctx.counter.macs += 2 * b * heads * lq * lk * hd; // q·kᵀ and p·v
        if (this.relH) ctx.counter.macs += b * heads * (lq - 1) * hd * relExtraDims(kThw);
      }
      return [tokenLinear(this.projectLinear, new SymbolicTensor([b, lq, outputDim]), ctx), qThw];
    }
    if (this.attentionTap) {
      const probs = tf.keep(this.probabilities(q as tf.Tensor4D, k as tf.Tensor4D, qThw, kThw));
      this.attentionTap({ probs, keyGrid: kThw, cls: true });
    }
    const o = this.attend(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, qThw, kThw);
    let y: tf.Tensor4D = o;
    if (this.spec.residualPool) {
      // residual_with_cls_embed = False in both torchvision models: x[:, :, 1:] += q[:, :, 1:]
      const qt = q as tf.Tensor4D;
      const rest = tf.add(
        tf.slice(o, [0, 0, 1, 0], [b, heads, lq - 1, hd]),
        tf.slice(qt, [0, 0, 1, 0], [b, heads, lq - 1, hd]),
      );
      y = tf.concat([tf.slice(o, [0, 0, 0, 0], [b, heads, 1, hd]), rest], 2) as tf.Tensor4D;
    }
    const merged = tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [b, lq, outputDim]);
    return [tokenLinear(this.projectLinear, merged, ctx), qThw];
  }

  private useFused(dim: number): boolean {
    const impl = this.spec.impl;
    if (impl === 'composed') return false;
    const fits = (HEAD_DIMS as readonly number[]).some((d) => d >= dim);
    if (impl === 'fused' && !fits) return false; // beyond the kernel's widest head: composed (documented)
    return fits && (impl === 'fused' || tf.getBackend() === 'webgpu');
  }

  /** softmax(scale·q·kᵀ [+ rel-pos]) f32[B, h, Lq, Lk] with the composed ops (attention capture only). */
  private probabilities(q: tf.Tensor4D, k: tf.Tensor4D, qThw: Thw, kThw: Thw): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, heads, lq, d] = q.shape;
      const scale = 1 / Math.sqrt(d);
      if (!this.relH || !this.relW || !this.relT)
        return tf.softmax(tf.mul(tf.matMul(q, k, false, true), scale));
      const tables = {
        h: this.relH as tf.Tensor as tf.Tensor2D,
        w: this.relW as tf.Tensor as tf.Tensor2D,
        t: this.relT as tf.Tensor as tf.Tensor2D,
      };
      const terms = relPosQueryTerms(tf.reshape(q, [b * heads, lq, d]), qThw, kThw, tables);
      const e = relExtraDims(kThw);
      const qAug = tf.concat<tf.Tensor4D>([tf.mul(q, scale), tf.reshape(terms, [b, heads, lq, e])], 3);
      return tf.softmax(tf.matMul(qAug, augmentKeys(k, kThw), false, true));
    });
  }

  /** softmax(scale·q·kᵀ [+ rel-pos]) · v for q f32[B, h, Lq, d], k, v f32[B, h, Lk, d]. */
  private attend(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, qThw: Thw, kThw: Thw): tf.Tensor4D {
    const [b, heads, lq, d] = q.shape;
    const scale = 1 / Math.sqrt(d);
    if (!this.relH || !this.relW || !this.relT) {
      return this.useFused(d) ? fusedAttention(q, k, v, { scale }) : composedAttention(q, k, v, { scale });
    }
    const tables = {
      h: this.relH as tf.Tensor as tf.Tensor2D,
      w: this.relW as tf.Tensor as tf.Tensor2D,
      t: this.relT as tf.Tensor as tf.Tensor2D,
    };
    const e = relExtraDims(kThw);
    if (this.useFused(d + e)) {
      const terms = relPosQueryTerms(tf.reshape(q, [b * heads, lq, d]), qThw, kThw, tables);
      const qAug = tf.concat<tf.Tensor4D>([tf.mul(q, scale), tf.reshape(terms, [b, heads, lq, e])], 3);
      return fusedPadded(qAug, augmentKeys(k, kThw), v, 1);
    }
    // wider than the kernel: one fused call per query row (R_h folded into the keys), else the composed ops
    if (this.useFused(d + kThw[2] + kThw[0]))
      return relPosAttentionByRow(q, k, v, qThw, kThw, tables, fusedPadded);
    const terms = relPosQueryTerms(tf.reshape(q, [b * heads, lq, d]), qThw, kThw, tables);
    const qAug = tf.concat<tf.Tensor4D>([tf.mul(q, scale), tf.reshape(terms, [b, heads, lq, e])], 3);
    return composedAttention(qAug, augmentKeys(k, kThw), v, { scale: 1 });
  }
}

/** k f32[B, h, Lk, d] → [k, one-hot(h), one-hot(w), one-hot(t)] f32[B, h, Lk, d + k_h + k_w + k_t]. */
function augmentKeys(k: tf.Tensor4D, kThw: Thw): tf.Tensor4D {
  const [b, heads, lk] = k.shape;
  const e = relExtraDims(kThw);
  const ind = tf.tensor2d(relPosKeyIndicators(kThw), [lk, e]);
  return tf.concat<tf.Tensor4D>([k, tf.broadcastTo(tf.reshape(ind, [1, 1, lk, e]), [b, heads, lk, e])], 3);
}

/** fusedAttention on q, k zero-padded to the kernel's next width (v too), o sliced back to v's width. */
function fusedPadded(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, scale: number): tf.Tensor4D {
  const [b, heads, lq, from] = q.shape;
  const d = v.shape[3];
  const width = HEAD_DIMS.find((w) => w >= from) ?? from;
  const pad = (t: tf.Tensor4D): tf.Tensor4D =>
    t.shape[3] === width
      ? t
      : tf.pad(t, [
          [0, 0],
          [0, 0],
          [0, 0],
          [0, width - t.shape[3]],
        ]);
  const o = fusedAttention(pad(q), pad(k), pad(v), { scale });
  return width === d ? o : tf.slice(o, [0, 0, 0, 0], [b, heads, lq, d]);
}
