// Backward, input gradient: with g = gamma·dy and xhat = (x − mean)·rstd per row,
// dx = rstd·(g − mean(g) − xhat·mean(g·xhat)).

@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> meanIn: array<f32>;
@group(0) @binding(5) var<storage, read> rstdIn: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = wg.y * params.gridX + wg.x;
  if (row >= params.rows) {
    return;
  }
  let base = row * params.cols;
  let mean = meanIn[row];
  let rstd = rstdIn[row];
  var acc = vec2f(0.0);
  for (var c = li; c < params.cols; c += WG) {
    let g = gamma[c] * dy[base + c];
    acc += vec2f(g, g * (x[base + c] - mean) * rstd);
  }
  let m = workgroupSum(li, acc) * params.invCols;
  for (var c = li; c < params.cols; c += WG) {
    let xhat = (x[base + c] - mean) * rstd;
    dx[base + c] = rstd * (gamma[c] * dy[base + c] - m.x - xhat * m.y);
  }
}
