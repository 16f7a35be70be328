// Pass 2 of the backward: one workgroup per channel sums the chunks' partials into grads f32[2, channels] =
// [dgamma = Σdy·x̂, dbeta = Σdy], and folds everything the apply pass needs into per-channel coefficients:
//   dx = k·dy + x̂·p + q,  k = gamma·invStd,  p = −k·dgamma/M + 2·dvar·sqrt(var + eps)/M,  q = −k·dbeta/M + dmean/M
// (dmean, dvar: gradients reaching the op's mean and variance outputs; zeros when unused).

@group(0) @binding(1) var<storage, read> partials: array<vec2f>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> variance: array<f32>;
@group(0) @binding(5) var<storage, read> dmean: array<f32>;
@group(0) @binding(6) var<storage, read> dvar: array<f32>;
@group(0) @binding(7) var<storage, read_write> grads: array<f32>;
@group(0) @binding(8) var<storage, read_write> coef: array<vec4f>; // [channels, 2]: (mean, invStd, k, p), (q, ·)

var<workgroup> sums: array<vec2f, 256>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let c = wg.x;
  var s = vec2f(0.0);
  for (var g = li; g < params.chunks; g += 256u) {
    s += partials[g * params.channels + c];
  }
  sums[li] = s;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride /= 2u) {
    if (li < stride) {
      sums[li] += sums[li + stride];
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    let t = sums[0];
    grads[c] = t.y;
    grads[params.channels + c] = t.x;
    let sigma = sqrt(variance[c] + params.eps);
    let invStd = 1.0 / sigma;
    let k = gamma[c] * invStd;
    let p = -k * t.y * params.invRows + 2.0 * dvar[c] * sigma * params.invRows;
    let q = -k * t.x * params.invRows + dmean[c] * params.invRows;
    coef[2u * c] = vec4f(mean[c], invStd, k, p);
    coef[2u * c + 1u] = vec4f(q, 0.0, 0.0, 0.0);
  }
}
