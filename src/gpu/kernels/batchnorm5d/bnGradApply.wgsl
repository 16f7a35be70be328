// Pass 3 of the backward: dx = k·dy + x̂·p + q elementwise with the per-channel coefficients of bnGradCombine.
// One thread per element on a folded (x, y) grid.

@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> coef: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

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
  let a = coef[2u * c];
  let q = coef[2u * c + 1u].x;
  let xHat = (x[i] - a.x) * a.y;
  dx[i] = a.z * dy[i] + xHat * a.w + q;
}
