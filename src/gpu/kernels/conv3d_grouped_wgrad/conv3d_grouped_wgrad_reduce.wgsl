// Second pass of the split-reduction filter gradient: dw[i] = Σ_s part[s·total + i] (fixed order, no atomics).
// Prepended: `struct Params` (common + total, slices).

@group(0) @binding(0) var<storage, read> part: array<f32>;
@group(0) @binding(1) var<storage, read_write> dw: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  let i = (wid.x + wid.y * nwg.x) * 256u + t;
  if (i >= P.total) {
    return;
  }
  var sum = 0.0;
  for (var s = 0u; s < P.slices; s++) {
    sum += part[s * P.total + i];
  }
  dw[i] = sum;
}
