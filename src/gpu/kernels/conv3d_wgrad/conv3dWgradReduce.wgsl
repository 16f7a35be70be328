// Second pass of the split-K filter gradient: out[i] = (accumulate ? out[i] : 0) + sum over slices of partial[s, i].
// One invocation per element; `accumulate` adds batch chunks after the first.

struct Dims {
  size: u32,
  slices: u32,
  accumulate: u32,
  rowStride: u32, // invocations per dispatch row (2-D dispatch of large outputs)
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * dims.rowStride;
  if (i >= dims.size) {
    return;
  }
  var sum = select(0.0, out[i], dims.accumulate != 0u);
  for (var s = 0u; s < dims.slices; s++) {
    sum += partials[s * dims.size + i];
  }
  out[i] = sum;
}
