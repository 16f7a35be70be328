// Pass 3 of the forward: y = (x − mean)·scale + beta elementwise, mean and scale from the packed stats of
// bnStatsCombine. One thread per element; the 1-D grid is folded into (x, y) workgroups (≤ 65535 each).

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>; // [5, channels]
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(
  @builtin(workgroup_id) wg: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) li: u32,
) {
  let i = (wg.y * groups.x + wg.x) * 256u + li;
  if (i >= params.rows * params.channels) {
    return;
  }
  let c = i % params.channels;
  y[i] = (x[i] - stats[c]) * stats[4u * params.channels + c] + beta[c];
}
