// CPU reference for the matmul kernel: c[M,N] = a[M,K] · b[K,N], row-major, accumulated in f64.

export function matmulRef(a: Float32Array, b: Float32Array, m: number, n: number, k: number): Float32Array {
  if (a.length !== m * k || b.length !== k * n) {
    throw new RangeError(`matmulRef: got a[${a.length}], b[${b.length}] for m=${m} n=${n} k=${k}`);
  }
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += (a[i * k + p] ?? 0) * (b[p * n + j] ?? 0);
      c[i * n + j] = acc;
    }
  }
  return c;
}
