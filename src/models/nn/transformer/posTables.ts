// Position tables of the video transformers (compute worker): the sinusoidal table VideoMAE builds, and resizing
// a learned [T·H·W, C] table to another T'×H'×W' grid as timm/MMAction2 do (bicubic spatial, linear temporal,
// align_corners=False), as separable resize matrices so the result stays differentiable.
import { tf } from '../../tf.ts';
import { linearResizeMatrix } from '../../zoo/mvitRelPos.ts';

/** VideoMAE's get_sinusoid_encoding_table: f32[n, d], angle pos / 10000^(2·⌊j/2⌋/d), sin on even j, cos on odd. */
export function sinusoidTable(n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let pos = 0; pos < n; pos++) {
    for (let j = 0; j < d; j++) {
      const angle = pos / Math.pow(10000, (2 * Math.floor(j / 2)) / d);
      out[pos * d + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return out;
}

/** Keys's cubic convolution kernel with PyTorch's A = −0.75. */
function cubic(x: number): number {
  const a = -0.75;
  const t = Math.abs(x);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

/** F.interpolate(mode='bicubic', align_corners=False) along one axis as a matrix f32[to, from] (row-major). */
export function bicubicResizeMatrix(from: number, to: number): Float32Array {
  const m = new Float32Array(to * from);
  const scale = from / to;
  for (let i = 0; i < to; i++) {
    const src = scale * (i + 0.5) - 0.5; // no clamp for cubic, as PyTorch
    const i0 = Math.floor(src);
    const t = src - i0;
    for (let k = -1; k <= 2; k++) {
      const j = Math.min(Math.max(i0 + k, 0), from - 1);
      m[i * from + j] = (m[i * from + j] ?? 0) + cubic(k - t);
    }
  }
  return m;
}

export type Grid = readonly [number, number, number];

/** y[…, to, …] = M·x along `axis` of a rank-4 tensor, M f32[to, from]. */
function resizeAxis(x: tf.Tensor4D, axis: number, m: Float32Array, to: number): tf.Tensor4D {
  const from = x.shape[axis] ?? 0;
  if (from === to) return x;
  const perm = [axis, ...[0, 1, 2, 3].filter((a) => a !== axis)];
  const moved = tf.transpose(x, perm);
  const rest = moved.shape.slice(1);
  const flat = tf.reshape(moved, [from, rest.reduce((a, b) => a * b, 1)]);
  const y = tf.reshape<tf.Rank.R4>(tf.matMul(tf.tensor2d(m, [to, from]), flat), [
    to,
    rest[0] ?? 1,
    rest[1] ?? 1,
    rest[2] ?? 1,
  ]);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return tf.transpose<tf.Tensor4D>(y, inverse);
}

/**
 * Resizes a position table f32[T·H·W, C] (T-major) from grid `from` to grid `to`: linear in time, bicubic in
 * space (align_corners=False) → f32[T'·H'·W', C]. Differentiable with respect to the table.
 */
export function resizePositionTable(table: tf.Tensor2D, from: Grid, to: Grid): tf.Tensor2D {
  const [t, h, w] = from;
  const c = table.shape[1];
  if (table.shape[0] !== t * h * w)
    throw new RangeError(`resizePositionTable: table has ${table.shape[0]} rows, grid ${from.join('×')}`);
  return tf.tidy(() => {
    let x = tf.reshape<tf.Rank.R4>(table, [t, h, w, c]);
    x = resizeAxis(x, 0, linearResizeMatrix(t, to[0]), to[0]);
    x = resizeAxis(x, 1, bicubicResizeMatrix(h, to[1]), to[1]);
    x = resizeAxis(x, 2, bicubicResizeMatrix(w, to[2]), to[2]);
    return tf.reshape<tf.Rank.R2>(x, [to[0] * to[1] * to[2], c]);
  });
}
