// Folds inference-mode BatchNorm into the preceding convolution for export/prediction. Pure; any thread.
// w: f32[kD,kH,kW,Cin,Cout] (Cout fastest; also fits grouped [.., Cin/g, Cout] and any [..., Cout] layout).

export interface BatchNormStats {
  /** f32[Cout] each; mean/variance are the running (inference) statistics */
  readonly gamma: ArrayLike<number>;
  readonly beta: ArrayLike<number>;
  readonly mean: ArrayLike<number>;
  readonly variance: ArrayLike<number>;
  readonly eps: number;
}

export interface FoldedConv {
  /** f32[kD,kH,kW,Cin,Cout]: w·gamma/sqrt(var + eps) per output channel */
  readonly weights: Float32Array;
  /** f32[Cout]: (b − mean)·gamma/sqrt(var + eps) + beta */
  readonly bias: Float32Array;
}

/**
 * BN(conv(x, w) + b) == conv(x, w') + b' with w' = w·s, b' = (b − mean)·s + beta, s = gamma/sqrt(var + eps)
 * per output channel. `bias` null means the convolution had none (zeros). Inputs are not modified.
 */
export function foldBatchNorm(
  weights: Float32Array,
  bias: Float32Array | null,
  bn: BatchNormStats,
): FoldedConv {
  const cout = bn.gamma.length;
  for (const [name, a] of [
    ['beta', bn.beta],
    ['mean', bn.mean],
    ['variance', bn.variance],
  ] as const) {
    if (a.length !== cout)
      throw new RangeError(`foldBatchNorm: ${name} has ${a.length} values, gamma ${cout}`);
  }
  if (cout === 0 || weights.length % cout !== 0) {
    throw new RangeError(`foldBatchNorm: ${weights.length} weights are not a multiple of Cout = ${cout}`);
  }
  if (bias && bias.length !== cout)
    throw new RangeError(`foldBatchNorm: bias has ${bias.length} values, Cout ${cout}`);
  if (!(bn.eps >= 0)) throw new RangeError(`foldBatchNorm: eps must be ≥ 0, got ${bn.eps}`);
  const scale = Float64Array.from(
    { length: cout },
    (_, c) => (bn.gamma[c] ?? 0) / Math.sqrt((bn.variance[c] ?? 0) + bn.eps),
  );
  const folded = new Float32Array(weights.length);
  for (let i = 0; i < weights.length; i++) folded[i] = (weights[i] ?? 0) * (scale[i % cout] ?? 0);
  const newBias = Float32Array.from(
    { length: cout },
    (_, c) => ((bias?.[c] ?? 0) - (bn.mean[c] ?? 0)) * (scale[c] ?? 0) + (bn.beta[c] ?? 0),
  );
  return { weights: folded, bias: newBias };
}
