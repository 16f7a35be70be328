// Divided space-time attention (TimeSformer, ViViT, VideoMAE) as TF.js ops on token tensors (compute worker):
// the fused kernels read temporal, spatial and joint sequences straight from x: f32[B, N, H·d] through strided
// views (gpu/kernels/attention/spaceTime.ts), so no transposes are run. `spaceTimeAttentionComposed` is the
// same computation with the explicit reshapes/transposes and composedAttention (reference; documents the layout).
import { tf } from '../tf.ts';
import {
  spaceTimePlan,
  tokenCount,
  type SpaceTimeLayout,
  type SpaceTimeMode,
} from '../../gpu/kernels/attention/spaceTime.ts';
import { attentionCall, composedAttention, type AttentionOpOptions } from './attention.ts';
import type { AttentionCallSpec } from './attentionKernels.ts';

export type { SpaceTimeLayout, SpaceTimeMode };

export interface SpaceTimeResult {
  /** f32[B, N, H·d]: attention output per token; class-token rows are 0 for temporal and spatial modes. */
  readonly out: tf.Tensor3D;
  /** Spatial mode with class tokens: each frame's class-token output f32[B, T, C, H·d] (TimeSformer averages over T). */
  readonly cls: tf.Tensor4D | null;
}

function result(out: tf.Tensor | undefined, cls: tf.Tensor | undefined): SpaceTimeResult {
  if (!out || out.rank !== 3) throw new Error('spaceTimeAttention: no output');
  return { out: out as tf.Tensor3D, cls: cls ? (cls as tf.Tensor4D) : null };
}

function checkTokens(x: tf.Tensor3D, name: string, layout: SpaceTimeLayout): void {
  const n = tokenCount(layout);
  if (x.shape[1] !== n || x.shape[2] !== layout.heads * layout.headDim) {
    throw new RangeError(
      `spaceTimeAttention: ${name} must be [B, ${n}, ${layout.heads * layout.headDim}], got [${x.shape.join(', ')}]`,
    );
  }
}

/**
 * Attention over the tokens of q, k, v: f32[B, N, H·d] (N = C + T·S) in `mode`. Options as fusedAttention; the
 * mask is [L, L] for the mode's sequence length L (T, C + S or N) and keyPaddingMask counts valid keys per clip.
 */
export function spaceTimeAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  mode: SpaceTimeMode,
  layout: SpaceTimeLayout,
  opts: AttentionOpOptions = {},
): SpaceTimeResult {
  const batch = q.shape[0];
  for (const [name, x] of [
    ['q', q],
    ['k', k],
    ['v', v],
  ] as const) {
    checkTokens(x, name, layout);
    if (x.shape[0] !== batch)
      throw new RangeError(`spaceTimeAttention: ${name} has batch ${x.shape[0]}, q has ${batch}`);
  }
  const plan = spaceTimePlan(mode, batch, layout);
  const spec: AttentionCallSpec = {
    geometry: plan.geometry,
    views: plan.views,
    scale: opts.scale ?? 1 / Math.sqrt(layout.headDim),
    dropout:
      opts.dropout && opts.dropout.rate > 0
        ? { rate: opts.dropout.rate, seed: opts.dropout.seed >>> 0 }
        : null,
    sizes: { o: plan.outputs, q: plan.outputs, k: plan.outputs, v: plan.outputs },
    clear: plan.clear,
  };
  const { frames: T, clsTokens: C } = layout;
  const n = tokenCount(layout);
  const hd = layout.heads * layout.headDim;
  const tail = plan.outputs - plan.tokens;
  /** Gradient [tokens | tail] → token layout: the tail's per-frame class rows are summed into the class rows. */
  const fold = (grad: tf.Tensor1D): tf.Tensor => {
    const main = grad.slice(0, plan.tokens).reshape([batch, n, hd]);
    if (tail === 0) return main;
    const cls = grad.slice(plan.tokens, tail).reshape([batch, T, C, hd]).sum(1);
    return main.add(
      tf.pad(cls, [
        [0, 0],
        [0, n - C],
        [0, 0],
      ]),
    );
  };
  const [out, cls] = tf.tidy((): tf.Tensor[] => {
    const o = attentionCall(spec, q, k, v, opts, fold);
    if (tail === 0) return [o.reshape([batch, n, hd])];
    return [
      o.slice(0, plan.tokens).reshape([batch, n, hd]),
      o.slice(plan.tokens, tail).reshape([batch, T, C, hd]),
    ];
  });
  return result(out, cls);
}

/** x: f32[B, N, H·d] → the mode's sequences as f32[B·G, H, L, d] (G = S, T or 1), by reshapes and transposes. */
export function toSequences(x: tf.Tensor3D, mode: SpaceTimeMode, layout: SpaceTimeLayout): tf.Tensor4D {
  const { frames: T, patches: S, heads: H, headDim: d, clsTokens: C } = layout;
  const B = x.shape[0];
  if (mode === 'joint') return x.reshape([B, C + T * S, H, d]).transpose([0, 2, 1, 3]);
  const patches = x.slice([0, C, 0], [B, T * S, H * d]).reshape([B, T, S, H, d]);
  if (mode === 'temporal') return patches.transpose([0, 2, 3, 1, 4]).reshape([B * S, H, T, d]);
  const frames = patches.transpose([0, 1, 3, 2, 4]); // [B, T, H, S, d]
  // Broadcast over frames by an add (tile/broadcastTo have no rank-5 gradient in TF.js 4.22).
  const cls = x
    .slice([0, 0, 0], [B, C, H * d])
    .reshape([B, 1, C, H, d])
    .transpose([0, 1, 3, 2, 4])
    .add(tf.zeros([1, T, 1, 1, 1])); // [B, T, H, C, d]
  return tf.concat([cls, frames], 3).reshape([B * T, H, C + S, d]);
}

/** The reference path: explicit transposes around composedAttention, same outputs as spaceTimeAttention. */
export function spaceTimeAttentionComposed(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  mode: SpaceTimeMode,
  layout: SpaceTimeLayout,
  opts: AttentionOpOptions = {},
): SpaceTimeResult {
  const { frames: T, patches: S, heads: H, headDim: d, clsTokens: C } = layout;
  const B = q.shape[0];
  const groups = mode === 'temporal' ? S : mode === 'spatial' ? T : 1;
  const lengths = opts.keyPaddingMask
    ? Array.from(opts.keyPaddingMask).flatMap((len) => Array<number>(groups).fill(len))
    : undefined;
  const [out, cls] = tf.tidy((): tf.Tensor[] => {
    const o = composedAttention(
      toSequences(q, mode, layout),
      toSequences(k, mode, layout),
      toSequences(v, mode, layout),
      {
        ...opts,
        ...(lengths ? { keyPaddingMask: lengths } : {}),
      },
    );
    if (mode === 'joint') return [o.transpose([0, 2, 1, 3]).reshape([B, C + T * S, H * d])];
    const zerosCls = tf.zeros([B, C, H * d]);
    if (mode === 'temporal') {
      const patches = o
        .reshape([B, S, H, T, d])
        .transpose([0, 3, 1, 2, 4])
        .reshape([B, T * S, H * d]);
      return [tf.concat([zerosCls, patches], 1)];
    }
    // Slices stay rank 4: TF.js 4.22's webgpu backend computes wrong gradients for rank-5 slices (pad).
    const patches = o
      .slice([0, 0, C, 0], [B * T, H, S, d])
      .reshape([B, T, H, S, d])
      .transpose([0, 1, 3, 2, 4]);
    const all = tf.concat([zerosCls, patches.reshape([B, T * S, H * d])], 1);
    if (C === 0) return [all];
    const cls = o
      .slice([0, 0, 0, 0], [B * T, H, C, d])
      .reshape([B, T, H, C, d])
      .transpose([0, 1, 3, 2, 4]);
    return [all, cls.reshape([B, T, C, H * d])];
  });
  return result(out, cls);
}
