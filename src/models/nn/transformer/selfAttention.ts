// Multi-head self-attention of the ViT-family blocks (compute worker), timm/MMAction2 names: `qkv` (one Linear,
// its bias full, absent, or VideoMAE's separate q_bias/v_bias with k's bias zero) and `proj`. The product runs
// through fusedAttention on webgpu (our kernels) and composedAttention elsewhere; capture adds softmax(q·kᵀ).
import { tf } from '../../tf.ts';
import { composedAttention, fusedAttention } from '../../ops/attention.ts';
import { HEAD_DIMS } from '../../../gpu/kernels/attention/layout.ts';
import type { Rng } from '../../../shared/random.ts';
import { Linear, type LinearInit } from '../layers.ts';
import { isSymbolic, Module, real, SymbolicTensor, type Act, type RunContext } from '../module.ts';

/** 'auto' = fused kernels on webgpu, the composed TF.js ops on other backends. */
export type AttentionImpl = 'auto' | 'fused' | 'composed';
/** 'full': qkv.bias; 'none': no bias; 'qv': VideoMAE's q_bias and v_bias (k's bias is zero). */
export type QkvBias = 'full' | 'none' | 'qv';

export interface SelfAttentionOptions {
  readonly dim: number;
  readonly numHeads: number;
  readonly qkvBias: QkvBias;
  readonly impl?: AttentionImpl;
  readonly init?: LinearInit;
}

/** Whether attention of head width `headDim` runs on the fused kernels (webgpu, a kernel width) for `impl`. */
export function useFused(impl: AttentionImpl, headDim: number): boolean {
  if (impl === 'composed') return false;
  const fits = HEAD_DIMS.some((d) => d === headDim);
  if (impl === 'fused') {
    if (!fits) throw new RangeError(`SelfAttention: fused needs head dim in ${HEAD_DIMS.join(', ')}`);
    return true;
  }
  return fits && tf.getBackend() === 'webgpu';
}

/** softmax(scale·q·kᵀ): q, k f32[B, H, L, d] → f32[B, H, L, L] (the small composed path of attention capture). */
export function attentionProbabilities(q: tf.Tensor4D, k: tf.Tensor4D, scale: number): tf.Tensor4D {
  return tf.tidy(() => tf.softmax(tf.mul(tf.matMul(q, k, false, true), scale)));
}

export class SelfAttention extends Module {
  readonly numHeads: number;
  readonly headDim: number;
  readonly scale: number;
  private readonly qkv: Linear;
  private readonly qBias: tf.Variable | null = null;
  private readonly vBias: tf.Variable | null = null;
  private readonly proj: Linear;
  private readonly impl: AttentionImpl;

  constructor(rng: Rng, opts: SelfAttentionOptions) {
    super();
    const { dim, numHeads } = opts;
    if (dim % numHeads !== 0) throw new RangeError(`SelfAttention: ${numHeads} heads do not divide ${dim}`);
    this.numHeads = numHeads;
    this.headDim = dim / numHeads;
    this.scale = 1 / Math.sqrt(this.headDim);
    this.impl = opts.impl ?? 'auto';
    const init = opts.init ?? 'normal_0.02';
    this.qkv = this.child('qkv', new Linear(rng, dim, 3 * dim, init, opts.qkvBias === 'full'));
    if (opts.qkvBias === 'qv') {
      this.qBias = this.param('q_bias', tf.zeros([dim]));
      this.vBias = this.param('v_bias', tf.zeros([dim]));
    }
    this.proj = this.child('proj', new Linear(rng, dim, dim, init));
  }

  forward(): Act {
    throw new Error('SelfAttention: call run(x, ctx)');
  }

  /**
   * x f32[B, L, C] → f32[B, L, C]. With `capture`, also returns the attention probabilities f32[B, H, L, L]
   * (a separate composed softmax(q·kᵀ); the caller owns the tensor). Symbolic runs count the projections and
   * the two attention matmuls (2·B·H·L²·d MACs).
   */
  run(x: Act, ctx: RunContext, capture = false): { y: Act; probs: tf.Tensor4D | null } {
    const [b = 0, l = 0, c = 0] = x.shape;
    const h = this.numHeads;
    const d = this.headDim;
    if (isSymbolic(x)) {
      this.qkv.forward(new SymbolicTensor([b * l, c]), ctx);
      if (ctx.counter) ctx.counter.macs += 2 * b * h * l * l * d;
      this.proj.forward(new SymbolicTensor([b * l, c]), ctx);
      return { y: new SymbolicTensor([b, l, c]), probs: null };
    }
    const xt = real(x, 'SelfAttention');
    let qkv = real(this.qkv.forward(tf.reshape(xt, [b * l, c]), ctx), 'SelfAttention');
    if (this.qBias && this.vBias)
      qkv = tf.add(qkv, tf.concat([this.qBias, tf.zerosLike(this.qBias), this.vBias]));
    // [B, L, 3, H, d] → [3, B, H, L, d]
    const split = tf.transpose(tf.reshape(qkv, [b, l, 3, h, d]), [2, 0, 3, 1, 4]);
    const [q, k, v] = tf.unstack(split).map((t) => t as tf.Tensor4D);
    if (!q || !k || !v) throw new Error('unreachable');
    const probs = capture ? tf.keep(attentionProbabilities(q, k, this.scale)) : null;
    const o = useFused(this.impl, d) ? fusedAttention(q, k, v) : composedAttention(q, k, v);
    const merged = tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [b * l, c]);
    const y = tf.reshape(real(this.proj.forward(merged, ctx), 'SelfAttention'), [b, l, c]);
    return { y, probs };
  }
}
