// Attention capture for explanations (compute worker): an attention module that exposes `attentionTap` reports its
// softmax probabilities when the tap is set, so any transformer can be explained without knowing its class.
import type { tf } from '../tf.ts';

/** One attention call: probs f32[B, heads, Lq, Lk] (kept: the tap owns it); keyGrid: the T×H×W of the key
 *  tokens after the leading CLS token (null when the keys have no CLS token or no known grid). */
export interface AttentionRecord {
  readonly probs: tf.Tensor4D;
  readonly keyGrid: readonly [number, number, number] | null;
  /** true when token 0 is a CLS token (queries and keys) */
  readonly cls: boolean;
}

export type AttentionTap = (record: AttentionRecord) => void;

export interface AttentionTapped {
  attentionTap: AttentionTap | null;
}

export function isAttentionTapped(m: object): m is AttentionTapped {
  return 'attentionTap' in m;
}
