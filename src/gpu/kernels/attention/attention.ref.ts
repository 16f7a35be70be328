// CPU reference for fused attention (forward and backward) on contiguous rows, accumulated in f64, plus the
// gather/scatter that maps strided views (layout.ts) to and from contiguous rows. Pure; any thread.
//
// Semantics shared with the kernels: score = scale·q·k + mask; a key is masked when j ≥ keyLengths[outer] or
// mask ≤ −1e30 (−∞ included); a row with every key masked yields o = 0, lse = −3e38 and zero gradients.
// Dropout keeps P[bh,i,j] by dropout.ts's hash and scales kept values by 1/(1−rate); lse is that of undropped P.
import { dropKeep } from './dropout.ts';
import type { AttentionGeometry, DropoutSpec, RowView, View } from './layout.ts';

export const NEG_SENTINEL = -3.0e38;
const MASKED = -1.0e30;

export interface RefDims {
  /** Sequences (batch·inner·heads). */
  readonly bh: number;
  readonly lq: number;
  readonly lk: number;
  readonly d: number;
  /** Sequences per outer batch index (inner·heads), to index key lengths. */
  readonly seqPerBatch: number;
}

export interface RefOptions {
  readonly scale: number;
  readonly mask?: ArrayLike<number> | null;
  readonly keyLengths?: ArrayLike<number> | null;
  readonly dropout?: DropoutSpec | null;
}

export interface RefForward {
  readonly o: Float32Array;
  readonly lse: Float32Array;
}

/** Attention probabilities of one sequence (undropped), f64[lq·lk], and the row logsumexp. */
function probabilities(
  q: Float32Array,
  k: Float32Array,
  dims: RefDims,
  opts: RefOptions,
  b: number,
): { p: Float64Array; lse: Float64Array } {
  const { lq, lk, d } = dims;
  const len = opts.keyLengths
    ? Math.max(0, Math.min(lk, opts.keyLengths[Math.floor(b / dims.seqPerBatch)] ?? 0))
    : lk;
  const p = new Float64Array(lq * lk);
  const lse = new Float64Array(lq);
  for (let i = 0; i < lq; i++) {
    const qo = (b * lq + i) * d;
    let max = -Infinity;
    for (let j = 0; j < lk; j++) {
      const ko = (b * lk + j) * d;
      let s = 0;
      for (let c = 0; c < d; c++) s += (q[qo + c] ?? 0) * (k[ko + c] ?? 0);
      s *= opts.scale;
      const mv = opts.mask ? (opts.mask[i * lk + j] ?? 0) : 0;
      const masked = j >= len || mv <= MASKED;
      s = masked ? -Infinity : s + mv;
      p[i * lk + j] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let j = 0; j < lk; j++) {
      const e = max === -Infinity ? 0 : Math.exp((p[i * lk + j] ?? 0) - max);
      p[i * lk + j] = e;
      sum += e;
    }
    for (let j = 0; j < lk; j++) p[i * lk + j] = sum > 0 ? (p[i * lk + j] ?? 0) / sum : 0;
    lse[i] = sum > 0 ? max + Math.log(sum) : NEG_SENTINEL;
  }
  return { p, lse };
}

function dropFactor(opts: RefOptions, b: number, i: number, j: number): number {
  const dr = opts.dropout;
  if (!dr || dr.rate === 0) return 1;
  return dropKeep(dr.seed, dr.rate, b, i, j) ? 1 / (1 - dr.rate) : 0;
}

function checkLengths(q: Float32Array, k: Float32Array, v: Float32Array, dims: RefDims): void {
  const { bh, lq, lk, d } = dims;
  if (q.length !== bh * lq * d || k.length !== bh * lk * d || v.length !== bh * lk * d) {
    throw new RangeError(
      `attentionRef: got q[${q.length}] k[${k.length}] v[${v.length}] for ${JSON.stringify(dims)}`,
    );
  }
}

/** q: f32[bh, lq, d], k, v: f32[bh, lk, d] → o: f32[bh, lq, d], lse: f32[bh, lq]. */
export function attentionForwardRef(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  dims: RefDims,
  opts: RefOptions,
): RefForward {
  checkLengths(q, k, v, dims);
  const { bh, lq, lk, d } = dims;
  const o = new Float32Array(bh * lq * d);
  const lse = new Float32Array(bh * lq);
  const row = new Float64Array(d);
  for (let b = 0; b < bh; b++) {
    const { p, lse: l } = probabilities(q, k, dims, opts, b);
    for (let i = 0; i < lq; i++) {
      row.fill(0);
      for (let j = 0; j < lk; j++) {
        const w = (p[i * lk + j] ?? 0) * dropFactor(opts, b, i, j);
        if (w === 0) continue;
        const vo = (b * lk + j) * d;
        for (let c = 0; c < d; c++) row[c] = (row[c] ?? 0) + w * (v[vo + c] ?? 0);
      }
      o.set(row, (b * lq + i) * d);
      lse[b * lq + i] = l[i] ?? 0;
    }
  }
  return { o, lse };
}

/** Gradients of sum(dO ∘ o) with respect to q, k, v (same layouts as attentionForwardRef). */
export function attentionBackwardRef(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  dO: Float32Array,
  dims: RefDims,
  opts: RefOptions,
): { dq: Float32Array; dk: Float32Array; dv: Float32Array } {
  checkLengths(q, k, v, dims);
  const { bh, lq, lk, d } = dims;
  const dq = new Float64Array(bh * lq * d);
  const dk = new Float64Array(bh * lk * d);
  const dv = new Float64Array(bh * lk * d);
  const dp = new Float64Array(lk);
  for (let b = 0; b < bh; b++) {
    const { p } = probabilities(q, k, dims, opts, b);
    for (let i = 0; i < lq; i++) {
      const go = (b * lq + i) * d;
      // dP̃ = dO·vᵀ; dP = dP̃ ∘ dropFactor; D = Σ_j P dP; dS = P (dP − D).
      let rowD = 0;
      for (let j = 0; j < lk; j++) {
        const vo = (b * lk + j) * d;
        let s = 0;
        for (let c = 0; c < d; c++) s += (dO[go + c] ?? 0) * (v[vo + c] ?? 0);
        const f = dropFactor(opts, b, i, j);
        dp[j] = s * f;
        rowD += (p[i * lk + j] ?? 0) * (dp[j] ?? 0);
        const w = (p[i * lk + j] ?? 0) * f;
        if (w !== 0) for (let c = 0; c < d; c++) dv[vo + c] = (dv[vo + c] ?? 0) + w * (dO[go + c] ?? 0);
      }
      for (let j = 0; j < lk; j++) {
        const ds = (p[i * lk + j] ?? 0) * ((dp[j] ?? 0) - rowD) * opts.scale;
        if (ds === 0) continue;
        const ko = (b * lk + j) * d;
        for (let c = 0; c < d; c++) {
          dq[go + c] = (dq[go + c] ?? 0) + ds * (k[ko + c] ?? 0);
          dk[ko + c] = (dk[ko + c] ?? 0) + ds * (q[go + c] ?? 0);
        }
      }
    }
  }
  return { dq: Float32Array.from(dq), dk: Float32Array.from(dk), dv: Float32Array.from(dv) };
}

function viewRowOffset(g: AttentionGeometry, rv: RowView, bh: number, i: number): number {
  const h = bh % g.heads;
  const rest = Math.floor(bh / g.heads);
  const inner = rest % g.inner;
  const outer = Math.floor(rest / g.inner);
  const v: View = i < g.prefix ? rv.prefix : rv.main;
  return v.offset + outer * v.outer + inner * v.inner + h * v.head + i * v.token;
}

/** Reads `length` rows per sequence of a strided view into contiguous f32[bh, length, d]. */
export function gatherRows(
  src: Float32Array,
  g: AttentionGeometry,
  rv: RowView,
  length: number,
): Float32Array {
  const d = g.headDim;
  const bh = g.batch * g.inner * g.heads;
  const out = new Float32Array(bh * length * d);
  for (let b = 0; b < bh; b++) {
    for (let i = 0; i < length; i++) {
      const at = viewRowOffset(g, rv, b, i);
      out.set(src.subarray(at, at + d), (b * length + i) * d);
    }
  }
  return out;
}

/** Writes contiguous f32[bh, length, d] rows into `dst` through a view (later rows overwrite earlier ones). */
export function scatterRows(
  rows: Float32Array,
  dst: Float32Array,
  g: AttentionGeometry,
  rv: RowView,
  length: number,
): void {
  const d = g.headDim;
  const bh = g.batch * g.inner * g.heads;
  for (let b = 0; b < bh; b++) {
    for (let i = 0; i < length; i++) {
      const from = (b * length + i) * d;
      dst.set(rows.subarray(from, from + d), viewRowOffset(g, rv, b, i));
    }
  }
}
