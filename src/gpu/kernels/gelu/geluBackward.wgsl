// Backward: dx = dy·gelu'(x). Erf form gelu'(x) = Φ(x) + x·φ(x); tanh form with u = √(2/π)·(x + 0.044715·x³),
// t = tanh(u): gelu'(x) = 0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²).

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

fn geluGrad(v: f32) -> f32 {
  if (TANH_FORM) {
    let t = tanhSafe(SQRT_2_OVER_PI * (v + TANH_COEF * v * v * v));
    return 0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 3.0 * TANH_COEF * v * v);
  }
  return 0.5 * (1.0 + erfApprox(v * INV_SQRT2)) + v * INV_SQRT_2PI * exp(-0.5 * v * v);
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i0 = elementIndex(wg, li);
  for (var i = i0; i < min(i0 + 4u, params.size); i++) {
    dx[i] = dy[i] * geluGrad(x[i]);
  }
}
