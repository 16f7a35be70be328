// Pass 1 of the forward: per-(chunk, channel) Welford summaries (count, mean, M2) of x.
// Workgroup = TC channel lanes × TR row lanes (TC·TR = 256); workgroup (bx, g) reduces channels bx·TC.. of
// rows [g·rowsPerChunk, (g+1)·rowsPerChunk). Each thread reads its strided rows in blocks of 8 (a block's
// mean and M2 by pairwise sums in registers), merges 8 blocks into a group summary and the groups into its
// total (Chan merges), so a long per-thread run keeps a short error chain; then the TR summaries of a channel
// merge pairwise in workgroup memory. No atomics, few barriers per row.

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<vec4f>; // [chunks, channels]: (n, mean, M2, 0)

override TC: u32 = 16u;
override TR: u32 = 16u;

var<workgroup> summary: array<vec3f, 256>;

// (value, 1) for row r < last, else (0, 0); the read index is clamped so it stays in bounds.
fn ld(r: u32, last: u32, c: u32) -> vec2f {
  let ok = r < last;
  let v = x[min(r, last - 1u) * params.channels + c];
  return select(vec2f(0.0), vec2f(v, 1.0), ok);
}

fn dev2(a: vec2f, m: f32) -> f32 {
  let d = a.x - m;
  return a.y * d * d;
}

// The (count, mean, M2) of 8 rows r0, r0 + TR, …, r0 + 7·TR (r0 < last, so count ≥ 1).
fn blockOf(r0: u32, last: u32, c: u32) -> vec3f {
  let a0 = ld(r0, last, c);
  let a1 = ld(r0 + TR, last, c);
  let a2 = ld(r0 + 2u * TR, last, c);
  let a3 = ld(r0 + 3u * TR, last, c);
  let a4 = ld(r0 + 4u * TR, last, c);
  let a5 = ld(r0 + 5u * TR, last, c);
  let a6 = ld(r0 + 6u * TR, last, c);
  let a7 = ld(r0 + 7u * TR, last, c);
  let s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
  let m = s.x / s.y;
  let q = ((dev2(a0, m) + dev2(a1, m)) + (dev2(a2, m) + dev2(a3, m))) +
    ((dev2(a4, m) + dev2(a5, m)) + (dev2(a6, m) + dev2(a7, m)));
  return vec3f(s.y, m, q);
}

@compute @workgroup_size(TC, TR, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let c = wg.x * TC + lid.x;
  let first = wg.y * params.rowsPerChunk;
  let last = min(first + params.rowsPerChunk, params.rows);
  var total = vec3f(0.0);
  if (c < params.channels) {
    var part = vec3f(0.0);
    var inPart = 0u;
    for (var r0 = first + lid.y; r0 < last; r0 += 8u * TR) {
      part = mergeMoments(part, blockOf(r0, last, c));
      inPart += 1u;
      if (inPart == 8u) {
        total = mergeMoments(total, part);
        part = vec3f(0.0);
        inPart = 0u;
      }
    }
    total = mergeMoments(total, part);
  }
  let li = lid.y * TC + lid.x;
  summary[li] = total;
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
