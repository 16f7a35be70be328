// Label smoothing and batch mixing (compute worker): PySlowFast/timm MixUp and CutMix semantics. The draws
// (λ, box, switch) are pure and seeded; `mixClips` applies them to a clip batch on the GPU with the same box
// for every frame, and `mixTargets` builds the matching soft labels.
import { tf } from '../models/tf.ts';
import type { Rng } from '../shared/random.ts';
import type { TrainConfig } from './config.ts';

/** Gamma(shape, 1) by Marsaglia–Tsang (shape < 1 boosted by U^(1/shape)). */
export function sampleGamma(rng: Rng, shape: number): number {
  if (!(shape > 0)) throw new RangeError(`sampleGamma: shape must be > 0, got ${shape}`);
  if (shape < 1) return sampleGamma(rng, shape + 1) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Beta(alpha, alpha). */
export function sampleBeta(rng: Rng, alpha: number): number {
  const a = sampleGamma(rng, alpha);
  const b = sampleGamma(rng, alpha);
  return a / (a + b);
}

/** Rows [y0, y1) and columns [x0, x1) of the pasted region (same for every frame of a clip). */
export interface CutBox {
  readonly y0: number;
  readonly y1: number;
  readonly x0: number;
  readonly x1: number;
}

/** What one batch's mixing does: λ weighs each clip's own label, 1 − λ the label of the clip mirrored in the batch. */
export type MixDraw =
  | { readonly kind: 'none'; readonly lambda: 1 }
  | { readonly kind: 'mixup'; readonly lambda: number }
  | { readonly kind: 'cutmix'; readonly lambda: number; readonly box: CutBox };

/**
 * Draws the mixing for a batch of h×w crops. CutMix's λ is corrected to the pasted area (timm `correct_lam`):
 * box side = sqrt(1 − λ)·side, centred uniformly, clipped to the image.
 */
export function drawMix(mixup: TrainConfig['mixup'], h: number, w: number, rng: Rng): MixDraw {
  if (!mixup || rng.next() >= mixup.prob) return { kind: 'none', lambda: 1 };
  let cut: boolean;
  if (mixup.alpha > 0 && mixup.cutmixAlpha > 0) cut = rng.next() < mixup.switchProb;
  else cut = mixup.cutmixAlpha > 0;
  const lambda = sampleBeta(rng, cut ? mixup.cutmixAlpha : mixup.alpha);
  if (!cut) return { kind: 'mixup', lambda };
  const ratio = Math.sqrt(1 - lambda);
  const ch = Math.floor(h * ratio);
  const cw = Math.floor(w * ratio);
  const cy = rng.int(h);
  const cx = rng.int(w);
  const clip = (v: number, hi: number): number => Math.min(Math.max(v, 0), hi);
  const box = {
    y0: clip(cy - Math.floor(ch / 2), h),
    y1: clip(cy + Math.floor(ch / 2), h),
    x0: clip(cx - Math.floor(cw / 2), w),
    x1: clip(cx + Math.floor(cw / 2), w),
  };
  const area = (box.y1 - box.y0) * (box.x1 - box.x0);
  return { kind: 'cutmix', lambda: 1 - area / (h * w), box };
}

/**
 * Soft targets f32[N·K] (row-major): smoothing spreads ε over the K classes (off = ε/K, on = 1 − ε + ε/K), then
 * λ·y(i) + (1 − λ)·y(N−1−i), the batch mirrored as PySlowFast's `x.flip(0)`.
 */
export function mixTargets(
  labels: Int32Array,
  numClasses: number,
  smoothing: number,
  lambda: number,
): Float32Array {
  const n = labels.length;
  const off = smoothing / numClasses;
  const on = 1 - smoothing + off;
  const out = new Float32Array(n * numClasses).fill(off);
  for (let i = 0; i < n; i++) {
    const own = labels[i] ?? 0;
    const other = labels[n - 1 - i] ?? 0;
    if (own < 0 || own >= numClasses) throw new RangeError(`label ${own} is outside 0..${numClasses - 1}`);
    out[i * numClasses + own] = (out[i * numClasses + own] ?? 0) + (on - off) * lambda;
    out[i * numClasses + other] = (out[i * numClasses + other] ?? 0) + (on - off) * (1 - lambda);
  }
  return out;
}

/**
 * Hard labels i32[N] for counting train accuracy on a mixed batch: each clip's own label when it weighs at least
 * half (λ ≥ 0.5), else the label of the clip mirrored into it (`labels[N−1−i]`), i.e. the label of the larger
 * mixing weight. Unmixed batches (λ = 1) keep their labels.
 */
export function dominantLabels(labels: Int32Array, lambda: number): Int32Array {
  if (lambda >= 0.5) return labels;
  const n = labels.length;
  return Int32Array.from({ length: n }, (_, i) => labels[n - 1 - i] ?? 0);
}

/** x: f32[N,T,H,W,C] → the mixed batch (a new tensor; `x` is not disposed). */
export function mixClips(x: tf.Tensor5D, draw: MixDraw): tf.Tensor5D {
  return tf.tidy(() => {
    if (draw.kind === 'none') return x.clone();
    // reverse along the batch as a 2-D tensor: tfjs-backend-webgpu 4.22's Reverse mis-reshapes 5-D inputs
    const mirrored = tf.reshape(tf.reverse(tf.reshape(x, [x.shape[0], -1]), 0), x.shape);
    if (draw.kind === 'mixup') return tf.add(tf.mul(x, draw.lambda), tf.mul(mirrored, 1 - draw.lambda));
    const [, , h, w] = x.shape;
    const { y0, y1, x0, x1 } = draw.box;
    const mask = tf.buffer([1, 1, h, w, 1], 'float32');
    for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) mask.set(1, 0, 0, y, xx, 0);
    const m = mask.toTensor();
    return tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(mirrored, m));
  });
}

/** Mean over the batch of −Σ target·log softmax(logits). logits: f32[N,K], targets: f32[N,K]. */
export function softCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))));
}
