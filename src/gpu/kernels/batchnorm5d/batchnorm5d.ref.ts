// CPU references for training-mode BatchNorm over channels-last tensors (x: f32[N,D,H,W,C] viewed as
// f32[rows, C], rows = N·D·H·W) and its gradient, accumulated in f64. Pure; any thread. Also the CPU backend's
// implementation of the TF.js op (src/models/ops/batchNorm5d.ts).

export interface Bn5dDims {
  /** N·D·H·W */
  readonly rows: number;
  readonly channels: number;
}

export interface Bn5dForwardRef {
  /** f32[rows, C] */
  readonly y: Float32Array;
  /** f32[C], batch mean */
  readonly mean: Float32Array;
  /** f32[C], biased batch variance (the one normalising y; what tf.moments returns) */
  readonly variance: Float32Array;
  /** f32[C], (1 − momentum)·runningMean + momentum·mean */
  readonly newRunningMean: Float32Array;
  /** f32[C], (1 − momentum)·runningVar + momentum·unbiasedVar (PyTorch); rows = 1 uses the biased variance */
  readonly newRunningVar: Float32Array;
}

export interface Bn5dBackwardRef {
  readonly dx: Float32Array;
  readonly dgamma: Float32Array;
  readonly dbeta: Float32Array;
}

export function validateBn5dDims(dims: Bn5dDims): void {
  for (const [name, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v <= 0)
      throw new RangeError(`batchnorm5d: ${name} must be a positive integer, got ${v}`);
  }
}

function checkLength(name: string, a: ArrayLike<number>, n: number): void {
  if (a.length !== n) throw new RangeError(`batchnorm5d: ${name} has ${a.length} values, expected ${n}`);
}

/** rows / (rows − 1), the factor turning the biased variance into the unbiased one (1 when rows = 1). */
export function unbiasFactor(rows: number): number {
  return rows > 1 ? rows / (rows - 1) : 1;
}

export function batchNorm5dForwardRef(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  runningMean: ArrayLike<number>,
  runningVar: ArrayLike<number>,
  dims: Bn5dDims,
  opts: { readonly eps: number; readonly momentum: number },
): Bn5dForwardRef {
  validateBn5dDims(dims);
  const { rows, channels: cs } = dims;
  checkLength('x', x, rows * cs);
  for (const [name, a] of [
    ['gamma', gamma],
    ['beta', beta],
    ['runningMean', runningMean],
    ['runningVar', runningVar],
  ] as const)
    checkLength(name, a, cs);
  const sum = new Float64Array(cs);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cs; c++) sum[c] = (sum[c] ?? 0) + (x[r * cs + c] ?? 0);
  const mean = sum.map((s) => s / rows);
  const sq = new Float64Array(cs);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cs; c++) sq[c] = (sq[c] ?? 0) + ((x[r * cs + c] ?? 0) - (mean[c] ?? 0)) ** 2;
  const variance = sq.map((s) => s / rows);
  const y = new Float32Array(rows * cs);
  for (let c = 0; c < cs; c++) {
    const scale = (gamma[c] ?? 0) / Math.sqrt((variance[c] ?? 0) + opts.eps);
    for (let r = 0; r < rows; r++) {
      const i = r * cs + c;
      y[i] = ((x[i] ?? 0) - (mean[c] ?? 0)) * scale + (beta[c] ?? 0);
    }
  }
  const m = opts.momentum;
  const unbias = unbiasFactor(rows);
  return {
    y,
    mean: Float32Array.from(mean),
    variance: Float32Array.from(variance),
    newRunningMean: Float32Array.from(
      { length: cs },
      (_, c) => (1 - m) * (runningMean[c] ?? 0) + m * (mean[c] ?? 0),
    ),
    newRunningVar: Float32Array.from(
      { length: cs },
      (_, c) => (1 - m) * (runningVar[c] ?? 0) + m * (variance[c] ?? 0) * unbias,
    ),
  };
}

/**
 * Gradients of the forward above given dy = dL/dy and, optionally, dmean = dL/dmean and dvar = dL/dvariance
 * (the op's mean/variance outputs; zero when absent). mean and variance are the forward's batch statistics.
 * dx = γ/σ·(dy − mean(dy) − x̂·mean(dy·x̂)) + dmean/M + dvar·2(x − μ)/M, σ = sqrt(var + eps);
 * dgamma = Σ dy·x̂; dbeta = Σ dy. Running statistics carry no gradient.
 */
export function batchNorm5dBackwardRef(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  gamma: ArrayLike<number>,
  dims: Bn5dDims,
  eps: number,
  dmean?: ArrayLike<number>,
  dvar?: ArrayLike<number>,
): Bn5dBackwardRef {
  validateBn5dDims(dims);
  const { rows, channels: cs } = dims;
  checkLength('dy', dy, rows * cs);
  checkLength('x', x, rows * cs);
  const invStd = Float64Array.from({ length: cs }, (_, c) => 1 / Math.sqrt((variance[c] ?? 0) + eps));
  const sumDy = new Float64Array(cs);
  const sumDyXhat = new Float64Array(cs);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cs; c++) {
      const i = r * cs + c;
      const g = dy[i] ?? 0;
      sumDy[c] = (sumDy[c] ?? 0) + g;
      sumDyXhat[c] = (sumDyXhat[c] ?? 0) + g * ((x[i] ?? 0) - (mean[c] ?? 0)) * (invStd[c] ?? 0);
    }
  const dx = new Float32Array(rows * cs);
  for (let c = 0; c < cs; c++) {
    const k = (gamma[c] ?? 0) * (invStd[c] ?? 0);
    const a = (sumDy[c] ?? 0) / rows;
    const b = (sumDyXhat[c] ?? 0) / rows;
    const extraMean = (dmean?.[c] ?? 0) / rows;
    const extraVar = (2 * (dvar?.[c] ?? 0)) / rows;
    for (let r = 0; r < rows; r++) {
      const i = r * cs + c;
      const centred = (x[i] ?? 0) - (mean[c] ?? 0);
      const xHat = centred * (invStd[c] ?? 0);
      dx[i] = k * ((dy[i] ?? 0) - a - xHat * b) + extraMean + extraVar * centred;
    }
  }
  return { dx, dgamma: Float32Array.from(sumDyXhat), dbeta: Float32Array.from(sumDy) };
}
