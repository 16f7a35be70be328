// Test helpers for the attention ops (unit and GPU tests): seeded [B, H, L, d] inputs, and output plus input
// gradients of Σ(o ∘ dy) read back as Float32Arrays. Any thread with TF.js.
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import type { AttentionOpOptions } from './attention.ts';

export type AttentionFn = (
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  opts?: AttentionOpOptions,
) => tf.Tensor4D;

export interface OpInputs {
  readonly q: tf.Tensor4D;
  readonly k: tf.Tensor4D;
  readonly v: tf.Tensor4D;
  readonly dy: tf.Tensor4D;
}

export function opInputs(seed: number, b: number, h: number, lq: number, lk: number, d: number): OpInputs {
  const rng = new Rng(seed);
  const t = (l: number): tf.Tensor4D => tf.tensor4d(rng.float32(b * h * l * d), [b, h, l, d]);
  return { q: t(lq), k: t(lk), v: t(lk), dy: t(lq) };
}

export function disposeInputs(x: OpInputs): void {
  tf.dispose([x.q, x.k, x.v, x.dy]);
}

/** [o, dq, dk, dv] of f on x, where the gradients are those of Σ(f(q, k, v) ∘ dy). */
export async function valueAndGrads(
  f: AttentionFn,
  x: OpInputs,
  opts: AttentionOpOptions = {},
): Promise<Float32Array[]> {
  const tensors = tf.tidy(() => {
    const g = tf.grads((q, k, v) =>
      f(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, opts)
        .mul(x.dy)
        .sum(),
    );
    return [f(x.q, x.k, x.v, opts), ...g([x.q, x.k, x.v])];
  });
  try {
    return (await Promise.all(tensors.map((t) => t.data()))).map((a) => Float32Array.from(a));
  } finally {
    tf.dispose(tensors);
  }
}
