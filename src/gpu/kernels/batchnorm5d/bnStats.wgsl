// Pass 1 of the forward: per-(chunk, channel) Welford summaries (count, mean, M2) of x.
// Workgroup = TC channel lanes × TR row lanes (TC·TR = 256); workgroup (bx, g) reduces channels bx·TC.. of
// rows [g·rowsPerChunk, (g+1)·rowsPerChunk). Each thread runs Welford over its strided rows, then the TR
// summaries of a channel merge pairwise in workgroup memory. No atomics.

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<vec4f>; // [chunks, channels]: (n, mean, M2, 0)

override TC: u32 = 16u;
override TR: u32 = 16u;

var<workgroup> summary: array<vec3f, 256>;

@compute @workgroup_size(TC, TR, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let c = wg.x * TC + lid.x;
  let first = wg.y * params.rowsPerChunk;
  let last = min(first + params.rowsPerChunk, params.rows);
  var s = vec3f(0.0);
  if (c < params.channels) {
    for (var r = first + lid.y; r < last; r += TR) {
      let v = x[r * params.channels + c];
      s.x += 1.0;
      let d = v - s.y;
      s.y += d / s.x;
      s.z += d * (v - s.y);
    }
  }
  let li = lid.y * TC + lid.x;
  summary[li] = s;
  workgroupBarrier();
  for (var stride = TR / 2u; stride > 0u; stride /= 2u) {
    if (lid.y < stride) {
      summary[li] = mergeMoments(summary[li], summary[li + stride * TC]);
    }
    workgroupBarrier();
  }
  if (lid.y == 0u && c < params.channels) {
    let t = summary[lid.x];
    partials[wg.y * params.channels + c] = vec4f(t, 0.0);
  }
}
