// CPU references for LayerNorm over the last dimension (x: f32[rows, cols], gamma/beta: f32[cols]) and its
// gradient, accumulated in f64. Pure; any thread. Also the CPU backend's kernel of the TF.js op (models/ops/layerNorm.ts).

export interface LayerNormDims {
  /** product of every dimension but the last */
  readonly rows: number;
  /** the normalised (last) dimension */
  readonly cols: number;
}

export interface LayerNormForwardRef {
  /** f32[rows, cols] */
  readonly y: Float32Array;
  /** f32[rows]: row mean and 1/sqrt(biased variance + eps) */
  readonly mean: Float32Array;
  readonly rstd: Float32Array;
}

export interface LayerNormBackwardRef {
  /** f32[rows, cols] */
  readonly dx: Float32Array;
  /** f32[cols] */
  readonly dgamma: Float32Array;
  readonly dbeta: Float32Array;
}

export function validateLayerNormDims(dims: LayerNormDims): void {
  for (const [name, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v <= 0)
      throw new RangeError(`layernorm: ${name} must be a positive integer, got ${String(v)}`);
  }
}

function checkLength(name: string, a: ArrayLike<number>, n: number): void {
  if (a.length !== n) throw new RangeError(`layernorm: ${name} has ${a.length} values, expected ${n}`);
}

/** y = (x − mean)/sqrt(var + eps)·gamma + beta per row (biased variance, as torch.nn.LayerNorm). */
export function layerNormForwardRef(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  dims: LayerNormDims,
  eps: number,
): LayerNormForwardRef {
  validateLayerNormDims(dims);
  const { rows, cols } = dims;
  checkLength('x', x, rows * cols);
  checkLength('gamma', gamma, cols);
  checkLength('beta', beta, cols);
  const y = new Float32Array(rows * cols);
  const mean = new Float32Array(rows);
  const rstd = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s += x[base + c] ?? 0;
    const m = s / cols;
    let q = 0;
    for (let c = 0; c < cols; c++) q += ((x[base + c] ?? 0) - m) ** 2;
    const inv = 1 / Math.sqrt(q / cols + eps);
    for (let c = 0; c < cols; c++) {
      y[base + c] = ((x[base + c] ?? 0) - m) * inv * (gamma[c] ?? 0) + (beta[c] ?? 0);
    }
    mean[r] = m;
    rstd[r] = inv;
  }
  return { y, mean, rstd };
}

/** Gradients of Σ y∘dy with respect to x, gamma and beta (statistics recomputed in f64 from x). */
export function layerNormBackwardRef(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  dims: LayerNormDims,
  eps: number,
): LayerNormBackwardRef {
  validateLayerNormDims(dims);
  const { rows, cols } = dims;
  checkLength('dy', dy, rows * cols);
  checkLength('x', x, rows * cols);
  checkLength('gamma', gamma, cols);
  const dx = new Float32Array(rows * cols);
  const dgamma = new Float64Array(cols);
  const dbeta = new Float64Array(cols);
  const xhat = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s += x[base + c] ?? 0;
    const m = s / cols;
    let q = 0;
    for (let c = 0; c < cols; c++) q += ((x[base + c] ?? 0) - m) ** 2;
    const inv = 1 / Math.sqrt(q / cols + eps);
    let a = 0;
    let b = 0;
    for (let c = 0; c < cols; c++) {
      const d = dy[base + c] ?? 0;
      const xh = ((x[base + c] ?? 0) - m) * inv;
      xhat[c] = xh;
      const g = (gamma[c] ?? 0) * d;
      a += g;
      b += g * xh;
      dgamma[c] = (dgamma[c] ?? 0) + d * xh;
      dbeta[c] = (dbeta[c] ?? 0) + d;
    }
    a /= cols;
    b /= cols;
    for (let c = 0; c < cols; c++) {
      const g = (gamma[c] ?? 0) * (dy[base + c] ?? 0);
      dx[base + c] = inv * (g - a - (xhat[c] ?? 0) * b);
    }
  }
  return { dx, dgamma: Float32Array.from(dgamma), dbeta: Float32Array.from(dbeta) };
}
