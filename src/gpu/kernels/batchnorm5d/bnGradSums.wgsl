// Pass 1 of the backward: per-(chunk, channel) sums of dy and dy·x̂, x̂ = (x − mean) / sqrt(var + eps).
// Same tiling as bnStats.wgsl (TC channel lanes × TR row lanes, pairwise tree in workgroup memory).

@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> variance: array<f32>;
@group(0) @binding(5) var<storage, read_write> partials: array<vec2f>; // [chunks, channels]: (Σdy, Σdy·x̂)

override TC: u32 = 16u;
override TR: u32 = 16u;

var<workgroup> sums: array<vec2f, 256>;

@compute @workgroup_size(TC, TR, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let c = wg.x * TC + lid.x;
  let first = wg.y * params.rowsPerChunk;
  let last = min(first + params.rowsPerChunk, params.rows);
  var s = vec2f(0.0);
  if (c < params.channels) {
    let m = mean[c];
    let invStd = 1.0 / sqrt(variance[c] + params.eps);
    for (var r = first + lid.y; r < last; r += TR) {
      let i = r * params.channels + c;
      let g = dy[i];
      s += vec2f(g, g * ((x[i] - m) * invStd));
    }
  }
  let li = lid.y * TC + lid.x;
  sums[li] = s;
  workgroupBarrier();
  for (var stride = TR / 2u; stride > 0u; stride /= 2u) {
    if (lid.y < stride) {
      sums[li] += sums[li + stride * TC];
    }
    workgroupBarrier();
  }
  if (lid.y == 0u && c < params.channels) {
    partials[wg.y * params.channels + c] = sums[lid.x];
  }
}
