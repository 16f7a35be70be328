// Forward: per row, mean and (two-pass) biased variance, then y = (x − mean)·rstd·gamma + beta; also writes
// mean and rstd = 1/sqrt(var + eps) per row for the backward passes.

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> meanOut: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstdOut: array<f32>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = wg.y * params.gridX + wg.x;
  if (row >= params.rows) {
    return;
  }
  let base = row * params.cols;
  var s = 0.0;
  for (var c = li; c < params.cols; c += WG) {
    s += x[base + c];
  }
  let mean = workgroupSum(li, vec2f(s, 0.0)).x * params.invCols;
  var q = 0.0;
  for (var c = li; c < params.cols; c += WG) {
    let d = x[base + c] - mean;
    q += d * d;
  }
  let rstd = inverseSqrt(workgroupSum(li, vec2f(q, 0.0)).x * params.invCols + params.eps);
  for (var c = li; c < params.cols; c += WG) {
    y[base + c] = (x[base + c] - mean) * rstd * gamma[c] + beta[c];
  }
  if (li == 0u) {
    meanOut[row] = mean;
    rstdOut[row] = rstd;
  }
}
