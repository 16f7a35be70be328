// Multi-head attention as TF.js ops (compute worker): `fusedAttention` runs our fused kernels ('webgpu', with a
// CPU-reference kernel on 'cpu') and has its own gradient; `composedAttention` is the stock matMul + softmax +
// matMul version (reference and benchmark baseline) with identical masking and dropout semantics.
import { tf } from '../tf.ts';
import { dropKeepMask } from '../../gpu/kernels/attention/dropout.ts';
import {
  contiguousViews,
  HEAD_DIMS,
  type AttentionGeometry,
  type HeadDim,
} from '../../gpu/kernels/attention/layout.ts';
import {
  ATTENTION_GRAD_KERNEL,
  ATTENTION_KERNEL,
  encodeAttrs,
  registerAttentionKernels,
  type AttentionCallSpec,
} from './attentionKernels.ts';

export { registerAttentionKernels };

export interface AttentionOpOptions {
  /** Additive mask f32[lq, lk] broadcast over batch and heads; entries ≤ −1e30 (or −∞) remove the key. */
  readonly mask?: tf.Tensor2D;
  /**
   * Key padding: number of valid keys per batch element (length B); keys j ≥ lengths[b] are removed.
   * Rows with no key left produce o = 0 and zero gradients (composedAttention does the same; plain softmax
   * would give NaN).
   */
  readonly keyPaddingMask?: readonly number[] | Int32Array;
  /** Multiplies q·kᵀ; default 1/sqrt(d). */
  readonly scale?: number;
  /** Dropout on attention probabilities with a seeded counter-based mask (same seed → same mask). */
  readonly dropout?: { readonly rate: number; readonly seed: number };
}

function headDimOf(d: number): HeadDim {
  const found = HEAD_DIMS.find((x) => x === d);
  if (found === undefined)
    throw new RangeError(`fusedAttention: head dim must be one of ${HEAD_DIMS.join(', ')}, got ${d}`);
  return found;
}

function checkOptions(opts: AttentionOpOptions, batch: number, lq: number, lk: number): void {
  if (opts.mask && (opts.mask.rank !== 2 || opts.mask.shape[0] !== lq || opts.mask.shape[1] !== lk)) {
    throw new RangeError(`attention: mask must be [${lq}, ${lk}], got [${opts.mask.shape.join(', ')}]`);
  }
  if (opts.keyPaddingMask && opts.keyPaddingMask.length !== batch) {
    throw new RangeError(
      `attention: keyPaddingMask needs ${batch} lengths, got ${opts.keyPaddingMask.length}`,
    );
  }
  if (opts.dropout && !(opts.dropout.rate >= 0 && opts.dropout.rate < 1)) {
    throw new RangeError(`attention: dropout rate must be in [0, 1), got ${opts.dropout.rate}`);
  }
}

function activeDropout(opts: AttentionOpOptions): AttentionCallSpec['dropout'] {
  return opts.dropout && opts.dropout.rate > 0
    ? { rate: opts.dropout.rate, seed: opts.dropout.seed >>> 0 }
    : null;
}

/**
 * Runs the fused kernels on q, k, v read through `spec.views`, differentiable with respect to q, k and v.
 * Returns o flat (f32[spec.sizes.o]). The mask is treated as a constant (no gradient). `fold` maps a flat
 * gradient output (f32[spec.sizes.q|k|v]) to its input's shape (default: reshape).
 */
export function attentionCall(
  spec: AttentionCallSpec,
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  opts: Pick<AttentionOpOptions, 'mask' | 'keyPaddingMask'> = {},
  fold: (grad: tf.Tensor1D, input: tf.Tensor) => tf.Tensor = (grad, input) => grad.reshape(input.shape),
): tf.Tensor1D {
  registerAttentionKernels();
  const attrs = encodeAttrs(spec);
  const lengths = opts.keyPaddingMask ? Int32Array.from(opts.keyPaddingMask) : null;
  const maskFlat = (m: tf.Tensor): tf.Tensor => m.reshape([spec.geometry.lq * spec.geometry.lk]);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [qi, ki, vi, save] = args;
    if (!(qi instanceof tf.Tensor && ki instanceof tf.Tensor && vi instanceof tf.Tensor)) {
      throw new Error('attention: q, k and v must be tensors');
    }
    if (typeof save !== 'function') throw new Error('attention: customGrad passed no save function');
    const mask = opts.mask ? maskFlat(opts.mask) : null;
    const extras = (m: tf.Tensor | undefined): tf.NamedTensorMap => ({
      ...(m ? { mask: m } : {}),
      ...(lengths ? { keyLengths: tf.tensor1d(lengths, 'int32') } : {}),
    });
    const [o, lse] = tf
      .engine()
      .runKernel<tf.Tensor[]>(ATTENTION_KERNEL, { q: qi, k: ki, v: vi, ...extras(mask ?? undefined) }, attrs);
    if (!o || !lse) throw new Error('attention: forward kernel returned too few outputs');
    // The mask is saved too, so the caller may dispose it before the backward pass.
    save(mask ? [qi, ki, vi, o, lse, mask] : [qi, ki, vi, o, lse]);
    return {
      value: o as tf.Tensor1D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
        const [sq, sk, sv, so, slse, smask] = saved;
        if (!sq || !sk || !sv || !so || !slse) throw new Error('attention: saved tensors missing');
        const inputs = { q: sq, k: sk, v: sv, o: so, lse: slse, dy, ...extras(smask) };
        const grads = tf.engine().runKernel<tf.Tensor[]>(ATTENTION_GRAD_KERNEL, inputs, attrs);
        const [dq, dk, dv] = grads;
        if (!dq || !dk || !dv) throw new Error('attention: gradient kernel returned too few outputs');
        return [fold(dq as tf.Tensor1D, sq), fold(dk as tf.Tensor1D, sk), fold(dv as tf.Tensor1D, sv)];
      },
    };
  });
  return op(q, k, v);
}

/**
 * Fused multi-head attention. q: f32[B, H, Lq, d], k, v: f32[B, H, Lk, d] (contiguous), d ∈ {32, 64, 96, 128}
 * → o: f32[B, H, Lq, d] = softmax(scale·q·kᵀ + mask) · v. Gradients flow to q, k, v (tf.grads, variableGrads).
 */
export function fusedAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  opts: AttentionOpOptions = {},
): tf.Tensor4D {
  const [batch, heads, lq, d] = q.shape;
  const lk = k.shape[2];
  if (
    k.shape[0] !== batch ||
    k.shape[1] !== heads ||
    k.shape[3] !== d ||
    v.shape.some((x, i) => x !== k.shape[i])
  ) {
    throw new RangeError(
      `fusedAttention: q [${q.shape.join(',')}], k [${k.shape.join(',')}], v [${v.shape.join(',')}] do not agree`,
    );
  }
  checkOptions(opts, batch, lq, lk);
  const geometry: AttentionGeometry = { batch, inner: 1, heads, lq, lk, headDim: headDimOf(d), prefix: 0 };
  const qSize = batch * heads * lq * d;
  const kSize = batch * heads * lk * d;
  const spec: AttentionCallSpec = {
    geometry,
    views: contiguousViews(geometry),
    scale: opts.scale ?? 1 / Math.sqrt(d),
    dropout: activeDropout(opts),
    sizes: { o: qSize, q: qSize, k: kSize, v: kSize },
    clear: false,
  };
  return tf.tidy(() => attentionCall(spec, q, k, v, opts).reshape([batch, heads, lq, d]));
}

/**
 * The same attention from stock TF.js ops (materialises the [B, H, Lq, Lk] scores). Masked keys get exactly
 * zero probability and fully masked rows give o = 0, as in fusedAttention; dropout uses the same hash.
 */
export function composedAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  opts: AttentionOpOptions = {},
): tf.Tensor4D {
  const [batch, heads, lq, d] = q.shape;
  const lk = k.shape[2];
  checkOptions(opts, batch, lq, lk);
  return tf.tidy(() => {
    let scores = tf.matMul(q, k, false, true).mul(opts.scale ?? 1 / Math.sqrt(d));
    let valid: tf.Tensor | null = null;
    if (opts.mask) {
      valid = opts.mask.greater(-1e30);
      scores = scores.add(tf.where(valid, opts.mask, tf.zerosLike(opts.mask)));
    }
    if (opts.keyPaddingMask) {
      const keys = tf.range(0, lk, 1, 'int32').reshape([1, 1, 1, lk]);
      const lens = tf.tensor1d(Int32Array.from(opts.keyPaddingMask), 'int32').reshape([batch, 1, 1, 1]);
      const padValid = keys.less(lens);
      valid = valid ? tf.logicalAnd(valid, padValid) : padValid;
    }
    let probs: tf.Tensor;
    if (valid) {
      const big = tf.fill(scores.shape, -1e30);
      const validFull = tf.broadcastTo(valid, scores.shape);
      probs = tf.softmax(tf.where(validFull, scores, big)).mul(validFull.cast('float32'));
    } else {
      probs = tf.softmax(scores);
    }
    const dropout = activeDropout(opts);
    if (dropout) {
      const keep = dropKeepMask(dropout.seed, dropout.rate, batch * heads, lq, lk);
      probs = probs.mul(tf.tensor4d(keep, [batch, heads, lq, lk]).mul(1 / (1 - dropout.rate)));
    }
    return tf.matMul<tf.Tensor4D>(probs, v);
  });
}
