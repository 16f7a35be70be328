// Parity measures shared by every kernel's tests and benchmarks. Pure; any thread.

/** max |x − y| over two equally long arrays; NaN anywhere gives NaN. */
export function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new RangeError(`maxAbsDiff: lengths ${x.length} and ${y.length} differ`);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs((x[i] ?? 0) - (y[i] ?? 0));
    if (Number.isNaN(d)) return Number.NaN;
    if (d > worst) worst = d;
  }
  return worst;
}

export function maxAbs(x: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] ?? 0));
  return worst;
}

/** The project's parity tolerance: 1e-4 · max|ref| + 1e-5. */
export function parityTolerance(ref: ArrayLike<number>): number {
  return 1e-4 * maxAbs(ref) + 1e-5;
}
