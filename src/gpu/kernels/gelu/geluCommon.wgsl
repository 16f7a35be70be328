// Shared block of the GELU passes (prepended by gelu.ts): params, the erf approximation and the override that
// picks the erf form (torch.nn.GELU() default) or the tanh form (approximate='tanh'). Each thread handles 4
// consecutive elements; the 1-D grid of 256-thread workgroups is folded into (x, y).
struct Params {
  size: u32,
  gridX: u32,
}

@group(0) @binding(0) var<uniform> params: Params;

override TANH_FORM: bool = false;

const INV_SQRT2: f32 = 0.70710678118654752;
const INV_SQRT_2PI: f32 = 0.39894228040143268;
const SQRT_2_OVER_PI: f32 = 0.79788456080286536;
const TANH_COEF: f32 = 0.044715;

// Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7), odd extension to negative arguments.
fn erfApprox(z: f32) -> f32 {
  let a = abs(z);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(z) * (1.0 - poly * exp(-a * a));
}

// tanh with the argument clamped (tanh(±10) is ±1 in f32), so no implementation can return inf/inf.
fn tanhSafe(z: f32) -> f32 {
  return tanh(clamp(z, -10.0, 10.0));
}

fn elementIndex(wg: vec3u, li: u32) -> u32 {
  return ((wg.y * params.gridX + wg.x) * 256u + li) * 4u;
}
