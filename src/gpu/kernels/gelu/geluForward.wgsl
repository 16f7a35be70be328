// Forward: erf form y = x·Φ(x) = 0.5·x·(1 + erf(x/√2)); tanh form y = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

fn gelu(v: f32) -> f32 {
  if (TANH_FORM) {
    return 0.5 * v * (1.0 + tanhSafe(SQRT_2_OVER_PI * (v + TANH_COEF * v * v * v)));
  }
  return 0.5 * v * (1.0 + erfApprox(v * INV_SQRT2));
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i0 = elementIndex(wg, li);
  for (var i = i0; i < min(i0 + 4u, params.size); i++) {
    y[i] = gelu(x[i]);
  }
}
