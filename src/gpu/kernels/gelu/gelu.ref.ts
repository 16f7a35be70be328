// CPU references for GELU (erf form, torch.nn.GELU() default, and tanh form, approximate='tanh') and its
// derivative, in f64 with an erf accurate to ~1e-15. Pure; any thread. Also the CPU backend's kernel of the
// TF.js op (models/ops/gelu.ts).

export type GeluApproximate = 'none' | 'tanh';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const TANH_COEF = 0.044715;

/** erf(z): Maclaurin series for |z| < 3, Laplace continued fraction of erfc beyond (both to ~1e-15). */
export function erf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const a = Math.abs(z);
  if (a < 3) {
    // erf(z) = 2/√π · Σ (−1)ⁿ z^(2n+1) / (n!(2n+1))
    let term = a;
    let sum = a;
    for (let n = 1; n < 200; n++) {
      term *= (-a * a) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(z) * TWO_OVER_SQRT_PI * sum;
  }
  // erfc(a) = exp(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + …))))), evaluated bottom-up
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + k / 2 / f;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return Math.sign(z) * (1 - erfc);
}

export function geluScalar(x: number, approximate: GeluApproximate): number {
  if (approximate === 'tanh') return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + TANH_COEF * x ** 3)));
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

export function geluGradScalar(x: number, approximate: GeluApproximate): number {
  if (approximate === 'tanh') {
    const t = Math.tanh(SQRT_2_OVER_PI * (x + TANH_COEF * x ** 3));
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * TANH_COEF * x * x);
  }
  return 0.5 * (1 + erf(x / Math.SQRT2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);
}

/** y = gelu(x) elementwise. */
export function geluForwardRef(x: ArrayLike<number>, approximate: GeluApproximate): Float32Array {
  return Float32Array.from({ length: x.length }, (_, i) => geluScalar(x[i] ?? 0, approximate));
}

/** dx = dy · gelu'(x) elementwise. */
export function geluBackwardRef(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  approximate: GeluApproximate,
): Float32Array {
  if (x.length !== dy.length) throw new RangeError(`gelu: dy has ${dy.length} values, x has ${x.length}`);
  return Float32Array.from(
    { length: x.length },
    (_, i) => (dy[i] ?? 0) * geluGradScalar(x[i] ?? 0, approximate),
  );
}
