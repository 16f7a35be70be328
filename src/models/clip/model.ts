// CLIP forward passes on loaded weights (compute worker): the ViT image encoder and the causal text transformer,
// pre-LN residual blocks with packed in_proj attention (fused attention op, or the composed one) and QuickGELU.
import { tf } from '../tf.ts';
import { composedAttention, fusedAttention } from '../ops/attention.ts';
import { layerNorm } from '../ops/layerNorm.ts';
import { headsOf } from './config.ts';
import type { ClipWeights } from './weights.ts';

export interface ClipRunOptions {
  /** 'fused' (default): our attention kernels; 'composed': stock TF.js ops */
  readonly attention?: 'fused' | 'composed';
}

type Get = (key: string) => tf.Tensor;

function getter(w: ClipWeights): Get {
  return (key) => {
    const t = w.tensors.get(key);
    if (!t) throw new Error(`CLIP weights lack ${key}`);
    return t;
  };
}

/** x @ Wᵀ + b with a torch Linear weight [out, in]; x: [..., in]. */
function linear(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const shape = x.shape;
  const y = tf.matMul(x.reshape([-1, shape[shape.length - 1] ?? 0]), w, false, true).add(b);
  return y.reshape([...shape.slice(0, -1), w.shape[0]]);
}

const ln = (x: tf.Tensor, get: Get, p: string): tf.Tensor =>
  layerNorm(x, get(`${p}.weight`) as tf.Tensor1D, get(`${p}.bias`) as tf.Tensor1D);

/** One residual attention block: x + attn(ln_1 x), then x + mlp(ln_2 x). x: [B, L, W]. */
function block(
  x: tf.Tensor3D,
  get: Get,
  p: string,
  mask: tf.Tensor2D | undefined,
  o: ClipRunOptions,
): tf.Tensor3D {
  const [b, l, w] = x.shape;
  const heads = headsOf(w);
  const d = w / heads;
  const qkv = linear(ln(x, get, `${p}.ln_1`), get(`${p}.attn.in_proj_weight`), get(`${p}.attn.in_proj_bias`));
  const [q, k, v] = tf
    .split(qkv, 3, 2)
    .map((t) => tf.transpose<tf.Tensor4D>(t.reshape([b, l, heads, d]), [0, 2, 1, 3]));
  if (!q || !k || !v) throw new Error('CLIP: in_proj split');
  const attend = o.attention === 'composed' ? composedAttention : fusedAttention;
  const a = tf.transpose(attend(q, k, v, mask ? { mask } : {}), [0, 2, 1, 3]).reshape([b, l, w]);
  const x1 = x.add(linear(a, get(`${p}.attn.out_proj.weight`), get(`${p}.attn.out_proj.bias`)));
  const h = linear(ln(x1, get, `${p}.ln_2`), get(`${p}.mlp.c_fc.weight`), get(`${p}.mlp.c_fc.bias`));
  const act = h.mul(tf.sigmoid(h.mul(1.702))); // QuickGELU
  return x1.add<tf.Tensor3D>(linear(act, get(`${p}.mlp.c_proj.weight`), get(`${p}.mlp.c_proj.bias`)));
}

/** Images f32[B, H, W, 3] (already CLIP-normalised, H = W = imageSize) → image embeddings f32[B, embedDim]. */
export function encodeImage(w: ClipWeights, images: tf.Tensor4D, o: ClipRunOptions = {}): tf.Tensor2D {
  const c = w.config;
  const get = getter(w);
  return tf.tidy(() => {
    const batch = images.shape[0];
    const kernel = tf.transpose(get('visual.conv1.weight'), [2, 3, 1, 0]) as tf.Tensor4D; // OIHW → HWIO
    const patches = tf.conv2d(images, kernel, c.patchSize, 'valid');
    const tokens = patches.reshape([batch, -1, c.visionWidth]);
    const cls = tf.broadcastTo(get('visual.class_embedding').reshape([1, 1, c.visionWidth]), [
      batch,
      1,
      c.visionWidth,
    ]);
    let x = ln(
      tf.concat([cls, tokens], 1).add(get('visual.positional_embedding')),
      get,
      'visual.ln_pre',
    ) as tf.Tensor3D;
    for (let i = 0; i < c.visionLayers; i++)
      x = block(x, get, `visual.transformer.resblocks.${i}`, undefined, o);
    const first = ln(
      x.slice([0, 0, 0], [batch, 1, c.visionWidth]).reshape([batch, c.visionWidth]),
      get,
      'visual.ln_post',
    );
    return tf.matMul(first, get('visual.proj'));
  });
}

/** Causal additive mask [L, L]: −∞ strictly above the diagonal. */
export function causalMask(length: number): tf.Tensor2D {
  const m = new Float32Array(length * length);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) m[i * length + j] = -Infinity;
  return tf.tensor2d(m, [length, length]);
}

/** Pooling positions: the first index of each row's largest id (EOT has the largest id). */
export function eotPositions(ids: Int32Array, context: number): number[] {
  const out: number[] = [];
  for (let r = 0; r * context < ids.length; r++) {
    let best = 0;
    for (let j = 1; j < context; j++)
      if ((ids[r * context + j] ?? 0) > (ids[r * context + best] ?? 0)) best = j;
    out.push(r * context + best);
  }
  return out;
}

/** Token ids i32[n·context] (ClipTokenizer.tokenizeAll) → text embeddings f32[n, embedDim]. */
export function encodeText(w: ClipWeights, ids: Int32Array, o: ClipRunOptions = {}): tf.Tensor2D {
  const c = w.config;
  const get = getter(w);
  const n = ids.length / c.contextLength;
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`encodeText: ${ids.length} ids is not n × ${c.contextLength}`);
  return tf.tidy(() => {
    const tok = tf.gather(get('token_embedding.weight'), tf.tensor1d(ids, 'int32'));
    let x = tok.reshape([n, c.contextLength, c.textWidth]).add<tf.Tensor3D>(get('positional_embedding'));
    const mask = causalMask(c.contextLength);
    for (let i = 0; i < c.textLayers; i++) x = block(x, get, `transformer.resblocks.${i}`, mask, o);
    x = ln(x, get, 'ln_final') as tf.Tensor3D;
    const pooled = tf.gather(
      x.reshape([n * c.contextLength, c.textWidth]),
      eotPositions(ids, c.contextLength),
    );
    return tf.matMul(pooled, get('text_projection'));
  });
}

/**
 * encodeText on the shortest context that holds every row's EOT: exact under the causal mask (no position attends
 * to a later one) and much cheaper for short prompts. ids: i32[n·contextLength] as for encodeText.
 */
export function encodeTextTrimmed(w: ClipWeights, ids: Int32Array, o: ClipRunOptions = {}): tf.Tensor2D {
  const c = w.config.contextLength;
  const length = Math.max(1, ...eotPositions(ids, c).map((p) => (p % c) + 1));
  if (length === c) return encodeText(w, ids, o);
  const n = ids.length / c;
  const short = new Int32Array(n * length);
  for (let r = 0; r < n; r++) short.set(ids.subarray(r * c, r * c + length), r * length);
  const pos = getter(w)('positional_embedding').slice([0, 0], [length, -1]);
  const tensors = new Map(w.tensors);
  tensors.set('positional_embedding', pos);
  try {
    return encodeText(
      { config: { ...w.config, contextLength: length }, tensors, dispose: () => undefined },
      short,
      o,
    );
  } finally {
    pos.dispose();
  }
}

/** CLIP's learnt logit scale exp(logit_scale) (≈ 100 for the released weights). */
export function logitScale(w: ClipWeights): number {
  const t = w.tensors.get('logit_scale');
  return t ? Math.exp(t.dataSync()[0] ?? 0) : 100;
}
