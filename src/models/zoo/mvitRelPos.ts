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

type Attend = (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, scale: number) => tf.Tensor4D;

/**
 * The same attention when d + k_h + k_w + k_t exceeds the fused kernel's width: one call per query row a (the q_h
 * index) with R_h[a] folded into the keys (k'_j = k_j/√d + R_h[a, h_j], then one-hot w and t columns), and one
 * call for the cls query. q f32[B, heads, 1 + qt·qh·qw, d], k, v f32[B, heads, Lk, d] → f32[B, heads, Lq, d].
 */
export function relPosAttentionByRow(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  qThw: Thw,
  kThw: Thw,
  tables: { readonly h: tf.Tensor2D; readonly w: tf.Tensor2D; readonly t: tf.Tensor2D },
  attend: Attend,
): tf.Tensor4D {
  const [b, heads, lq, d] = q.shape;
  const lk = k.shape[2];
  const [qt, qh, qw] = qThw;
  const [kt, kh, kw] = kThw;
  const bh = b * heads;
  const e = kw + kt;
  const scale = 1 / Math.sqrt(d);
  const q3 = tf.reshape<tf.Rank.R3>(q, [bh, lq, d]);
  const terms = relPosQueryTerms(q3, qThw, kThw, tables);
  const wtRows = tf.reshape(tf.slice(terms, [0, 1, kh], [bh, lq - 1, e]), [bh * qt, qh, qw * e]);
  const qRows = tf.reshape(tf.slice(q3, [0, 1, 0], [bh, lq - 1, d]), [bh * qt, qh, qw * d]);
  const rh = relTable(tables.h, qh, kh);
  const hOfKey = new Int32Array(lk - 1);
  const ind = new Float32Array(lk * e);
  for (let j = 0; j < lk - 1; j++) {
    const [t, h, w] = [Math.floor(j / (kh * kw)), Math.floor(j / kw) % kh, j % kw];
    hOfKey[j] = h;
    ind[(j + 1) * e + w] = 1;
    ind[(j + 1) * e + kw + t] = 1;
  }
  const kScaled = tf.reshape(tf.mul(k, scale), [bh, lk, d]);
  const kInd = tf.broadcastTo(tf.reshape(tf.tensor2d(ind, [lk, e]), [1, lk, e]), [bh, lk, e]);
  const hIndex = tf.tensor1d(hOfKey, 'int32');
  const outs: tf.Tensor[] = [];
  for (let a = 0; a < qh; a++) {
    const qa = tf.reshape<tf.Rank.R4>(tf.slice(qRows, [0, a, 0], [bh * qt, 1, qw * d]), [
      b,
      heads,
      qt * qw,
      d,
    ]);
    const ta = tf.reshape<tf.Rank.R4>(tf.slice(wtRows, [0, a, 0], [bh * qt, 1, qw * e]), [
      b,
      heads,
      qt * qw,
      e,
    ]);
    const rha = tf.gather(tf.reshape(tf.slice(rh, [a, 0, 0], [1, kh, d]), [kh, d]), hIndex);
    const keyBias = tf.concat([tf.zeros([1, d]), rha], 0);
    const ka = tf.reshape<tf.Rank.R4>(tf.concat([tf.add(kScaled, keyBias), kInd], 2), [b, heads, lk, d + e]);
    const oa = attend(tf.concat<tf.Tensor4D>([qa, ta], 3), ka, v, 1);
    outs.push(tf.reshape(oa, [bh * qt, 1, qw * d]));
  }
  const rest = tf.reshape<tf.Rank.R4>(tf.concat(outs, 1), [b, heads, lq - 1, d]);
  const cls = attend(tf.slice(q, [0, 0, 0, 0], [b, heads, 1, d]), k, v, scale);
  return tf.concat<tf.Tensor4D>([cls, rest], 2);
}
