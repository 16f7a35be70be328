// Pass 1 of the backward: per-(chunk, channel) sums of dy and dy·x̂, x̂ = (x − mean) / sqrt(var + eps).
// Same tiling as bnStats.wgsl (TC channel lanes × TR row lanes; per thread, blocks of 8 strided rows summed
// pairwise in registers, 8 blocks per group, groups into the total; then a pairwise tree in workgroup memory).

@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> variance: array<f32>;
@group(0) @binding(5) var<storage, read_write> partials: array<vec2f>; // [chunks, channels]: (Σdy, Σdy·x̂)

override TC: u32 = 16u;
override TR: u32 = 16u;

var<workgroup> sums: array<vec2f, 256>;

// (dy, dy·x̂) of row r < last, else 0; the read index is clamped so it stays in bounds.
fn term(r: u32, last: u32, c: u32, m: f32, invStd: f32) -> vec2f {
  let i = min(r, last - 1u) * params.channels + c;
  let g = dy[i];
  return select(vec2f(0.0), vec2f(g, g * ((x[i] - m) * invStd)), r < last);
}

fn blockOf(r0: u32, last: u32, c: u32, m: f32, invStd: f32) -> vec2f {
  let a0 = term(r0, last, c, m, invStd);
  let a1 = term(r0 + TR, last, c, m, invStd);
  let a2 = term(r0 + 2u * TR, last, c, m, invStd);
  let a3 = term(r0 + 3u * TR, last, c, m, invStd);
  let a4 = term(r0 + 4u * TR, last, c, m, invStd);
  let a5 = term(r0 + 5u * TR, last, c, m, invStd);
  let a6 = term(r0 + 6u * TR, last, c, m, invStd);
  let a7 = term(r0 + 7u * TR, last, c, m, invStd);
  return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
}

@compute @workgroup_size(TC, TR, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let c = wg.x * TC + lid.x;
  let first = wg.y * params.rowsPerChunk;
  let last = min(first + params.rowsPerChunk, params.rows);
  var total = vec2f(0.0);
  if (c < params.channels) {
    let m = mean[c];
    let invStd = 1.0 / sqrt(variance[c] + params.eps);
    var part = vec2f(0.0);
    var inPart = 0u;
    for (var r0 = first + lid.y; r0 < last; r0 += 8u * TR) {
      part += blockOf(r0, last, c, m, invStd);
      inPart += 1u;
      if (inPart == 8u) {
        total += part;
        part = vec2f(0.0);
        inPart = 0u;
      }
    }
    total += part;
  }
  let li = lid.y * TC + lid.x;
  sums[li] = total;
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
