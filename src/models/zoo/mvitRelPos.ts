// MViTv2's decomposed relative positions (compute worker, or Node for tests): torchvision's `_add_rel_pos` index
// math (float32 distances, truncation, linear resize of the tables) and its terms folded into q·kᵀ by augmenting q
// with the per-axis terms and k with one-hot axis indicators, so that attention stays one fused op.
import { tf } from '../tf.ts';

export type Thw = readonly [number, number, number];

/**
 * F.interpolate(table.T[None], size=d, mode='linear', align_corners=False) as a [d, rows] matrix M, so that the
 * resized table is M · table (PyTorch's source index: (i + 0.5)·rows/d − 0.5, clamped at 0).
 */
export function linearResizeMatrix(rows: number, d: number): Float32Array {
  const m = new Float32Array(d * rows);
  const scale = rows / d;
  for (let i = 0; i < d; i++) {
    const src = Math.max(scale * (i + 0.5) - 0.5, 0);
    const i0 = Math.floor(src);
    const i1 = i0 < rows - 1 ? i0 + 1 : i0;
    const l1 = src - i0;
    m[i * rows + i0] = (m[i * rows + i0] ?? 0) + (1 - l1);
    m[i * rows + i1] = (m[i * rows + i1] ?? 0) + l1;
  }
  return m;
}

/** torchvision's dist[i, j] = i·q_ratio − (j + 1 − k)·k_ratio, in float32 as torch computes it, then `.long()`. */
export function relDistances(q: number, k: number): Int32Array {
  const f = Math.fround;
  const qRatio = f(Math.max(k / q, 1));
  const kRatio = f(Math.max(q / k, 1));
  const out = new Int32Array(q * k);
  for (let i = 0; i < q; i++) {
    for (let j = 0; j < k; j++) {
      out[i * k + j] = Math.trunc(f(f(i * qRatio) - f(f(j + (1 - k)) * kRatio)));
    }
  }
  return out;
}

/** R[i, j, :] = resized(table)[dist[i, j]]: table f32[R, d] → f32[q, k, d] (differentiable in the table). */
export function relTable(table: tf.Tensor2D, q: number, k: number): tf.Tensor3D {
  const [rows, d] = table.shape;
  const want = 2 * Math.max(q, k) - 1;
  const resized =
    rows === want ? table : tf.matMul(tf.tensor2d(linearResizeMatrix(rows, want), [want, rows]), table);
  return tf.reshape(tf.gather(resized, tf.tensor1d(relDistances(q, k), 'int32')), [q, k, d]);
}

/** Extra columns the augmentation appends to q and k: k_h + k_w + k_t. */
export function relExtraDims(kThw: Thw): number {
  return kThw[0] + kThw[1] + kThw[2];
}

/**
 * The per-axis terms of torchvision's rel-pos for pooled q f32[B·heads, 1 + qt·qh·qw, d] (cls row first) →
 * f32[B·heads, 1 + qt·qh·qw, k_h + k_w + k_t]: columns [0, k_h) = Σ_c q·R_h, then R_w, then R_t; the cls row is 0.
 */
export function relPosQueryTerms(
  q: tf.Tensor3D,
  qThw: Thw,
  kThw: Thw,
  tables: { readonly h: tf.Tensor2D; readonly w: tf.Tensor2D; readonly t: tf.Tensor2D },
): tf.Tensor3D {
  const [bh, lq, d] = q.shape;
  const [qt, qh, qw] = qThw;
  const [kt, kh, kw] = kThw;
  if (lq !== 1 + qt * qh * qw)
    throw new RangeError(`relPos: q has ${lq} rows, expected 1 + ${qt}·${qh}·${qw}`);
  const rh = relTable(tables.h, qh, kh);
  const rw = relTable(tables.w, qw, kw);
  const rt = relTable(tables.t, qt, kt);
  const rq = tf.slice(q, [0, 1, 0], [bh, lq - 1, d]); // f32[BH, qt·qh·qw, d]
  // h: [qh, BH·qt·qw, d] · R_h[qh]ᵀ → [qh, BH·qt·qw, kh] → [BH·qt, qh, qw, kh]
  const qByH = tf.reshape(tf.transpose(tf.reshape(rq, [bh * qt, qh, qw, d]), [1, 0, 2, 3]), [qh, -1, d]);
  const relH = tf.reshape(
    tf.transpose(tf.reshape(tf.matMul(qByH, rh, false, true), [qh, bh * qt, qw, kh]), [1, 0, 2, 3]),
    [bh, lq - 1, kh],
  );
  // w: [qw, BH·qt·qh, d] · R_w[qw]ᵀ → [qw, BH·qt·qh, kw] → [BH·qt·qh, qw, kw]
  const qByW = tf.transpose(tf.reshape(rq, [bh * qt * qh, qw, d]), [1, 0, 2]);
  const relW = tf.reshape(tf.transpose(tf.matMul(qByW, rw, false, true), [1, 0, 2]), [bh, lq - 1, kw]);
  // t: [qt, BH·qh·qw, d] · R_t[qt]ᵀ → [qt, BH·qh·qw, kt] → [BH, qt, qh·qw, kt]
  const qByT = tf.reshape(tf.transpose(tf.reshape(rq, [bh, qt, qh * qw, d]), [1, 0, 2, 3]), [qt, -1, d]);
  const relT = tf.reshape(
    tf.transpose(tf.reshape(tf.matMul(qByT, rt, false, true), [qt, bh, qh * qw, kt]), [1, 0, 2, 3]),
    [bh, lq - 1, kt],
  );
  const terms = tf.concat([relH, relW, relT], 2);
  return tf.concat([tf.zeros([bh, 1, kh + kw + kt]), terms], 1) as tf.Tensor3D;
}

/**
 * One-hot axis indicators for the keys f32[1 + kt·kh·kw, k_h + k_w + k_t]: key 1 + (t·kh + h)·kw + w has ones at
 * h, k_h + w and k_h + k_w + t (the cls key row is 0), so q_aug·k_augᵀ adds R_h, R_w and R_t terms of that key.
 */
export function relPosKeyIndicators(kThw: Thw): Float32Array {
  const [kt, kh, kw] = kThw;
  const e = kt + kh + kw;
  const out = new Float32Array((1 + kt * kh * kw) * e);
  for (let t = 0; t < kt; t++) {
    for (let h = 0; h < kh; h++) {
      for (let w = 0; w < kw; w++) {
        const row = 1 + (t * kh + h) * kw + w;
        out[row * e + h] = 1;
        out[row * e + kh + w] = 1;
        out[row * e + kh + kw + t] = 1;
      }
    }
  }
  return out;
}
