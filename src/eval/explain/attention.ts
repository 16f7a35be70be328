// Attention maps and rollout of any zoo transformer whose attention modules expose `attentionTap` (compute worker or
// Node): one eval forward with every tap set, CLS-query rows per head reshaped to the key grid, rollout over the
// trailing layers whose queries and keys are the same tokens (pooling models such as MViT change them earlier).
import { tf } from '../../models/tf.ts';
import { isAttentionTapped, type AttentionTapped } from '../../models/nn/attentionTap.ts';
import type { ZooModel } from '../../models/zoo/zooModel.ts';
import { TubeletError } from '../../shared/errors.ts';
import type { Map3D } from './maps.ts';
import { attentionRollout, clsMap, type HeadFusion } from './rollout.ts';

export interface CapturedAttention {
  readonly layer: string;
  readonly heads: number;
  readonly queries: number;
  readonly keys: number;
  readonly keyGrid: readonly [number, number, number] | null;
  readonly cls: boolean;
  /** f32[heads, queries, keys] of the first clip */
  readonly probs: Float32Array;
}

function tapped(model: ZooModel): [string, AttentionTapped][] {
  return model
    .namedModules()
    .filter((e): e is [string, (typeof e)[1] & AttentionTapped] => isAttentionTapped(e[1]));
}

/** Names of the model's attention modules that can be captured (empty for CNNs). */
export function attentionLayers(model: ZooModel): string[] {
  return tapped(model).map(([name]) => name);
}

/** One eval forward of x f32[1,T,H,W,C] recording every tapped attention; logits f32[classes]. */
export async function captureAttention(
  model: ZooModel,
  x: tf.Tensor5D,
): Promise<{ logits: Float32Array; layers: CapturedAttention[] }> {
  const modules = tapped(model);
  if (modules.length === 0)
    throw new TubeletError('INVALID_ARGUMENT', `${model.name} has no attention layers to capture`, {
      hint: 'use --method gradcam or gradcam++ with a 5-D layer for CNNs',
    });
  const recorded: {
    layer: string;
    probs: tf.Tensor4D;
    keyGrid: readonly [number, number, number] | null;
    cls: boolean;
  }[] = [];
  for (const [name, m] of modules) m.attentionTap = (r) => recorded.push({ layer: name, ...r });
  let logitsT: tf.Tensor | null = null;
  try {
    logitsT = tf.tidy(() => model.forward(x, { training: false }) as tf.Tensor);
    const logits = new Float32Array(await logitsT.data());
    const layers: CapturedAttention[] = [];
    for (const r of recorded) {
      const [, heads, queries, keys] = r.probs.shape;
      const first = tf.slice(r.probs, [0, 0, 0, 0], [1, heads, queries, keys]);
      const probs = new Float32Array(await first.data());
      first.dispose();
      layers.push({ layer: r.layer, heads, queries, keys, keyGrid: r.keyGrid, cls: r.cls, probs });
    }
    return { logits, layers };
  } finally {
    for (const [, m] of modules) m.attentionTap = null;
    logitsT?.dispose();
    for (const r of recorded) r.probs.dispose();
  }
}

function grid(a: CapturedAttention): readonly [number, number, number] {
  if (!a.cls || a.keyGrid === null)
    throw new TubeletError('INVALID_ARGUMENT', `layer ${a.layer} has no CLS token over a known key grid`);
  return a.keyGrid;
}

/** CLS-query attention of one captured layer: one T'×H'×W' map per head over the key tokens, and their mean. */
export function clsAttention(a: CapturedAttention): { heads: Map3D[]; mean: Map3D } {
  const [t, h, w] = grid(a);
  const n = t * h * w;
  const mean = new Float32Array(n);
  const heads: Map3D[] = [];
  for (let hd = 0; hd < a.heads; hd++) {
    const row = a.probs.subarray(hd * a.queries * a.keys, hd * a.queries * a.keys + a.keys); // query 0 (CLS)
    const data = row.slice(1);
    for (let i = 0; i < n; i++) mean[i] = (mean[i] ?? 0) + (data[i] ?? 0) / a.heads;
    heads.push({ t, h, w, data });
  }
  return { heads, mean: { t, h, w, data: mean } };
}

/** Attention rollout (residual identity, head fusion) over the longest run of trailing layers with Lq = Lk = N. */
export function rolloutTrailing(
  layers: readonly CapturedAttention[],
  fusion: HeadFusion = 'mean',
): { map: Map3D; layers: string[] } {
  const last = layers[layers.length - 1];
  if (!last) throw new TubeletError('INVALID_ARGUMENT', 'no attention was captured');
  const n = last.keys;
  const run: CapturedAttention[] = [];
  for (let i = layers.length - 1; i >= 0; i--) {
    const a = layers[i];
    if (!a || a.queries !== n || a.keys !== n || !a.cls) break;
    run.unshift(a);
  }
  if (run.length === 0)
    throw new TubeletError('INVALID_ARGUMENT', `the last attention layer (${last.layer}) pools its keys`, {
      hint: 'rollout needs layers whose queries and keys are the same tokens; use the attention method',
    });
  const [t, h, w] = grid(last);
  const r = attentionRollout(
    run.map((a) => ({ heads: a.heads, tokens: n, probs: a.probs })),
    fusion,
  );
  return { map: { t, h, w, data: clsMap(r, n, t, h, w) }, layers: run.map((a) => a.layer) };
}
