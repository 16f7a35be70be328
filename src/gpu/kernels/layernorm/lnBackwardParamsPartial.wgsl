// Backward, parameter gradients pass 1: per (row chunk, column) partial sums (Σ dy·xhat, Σ dy). Workgroup
// (bx, chunk) covers columns bx·64.. of rows [chunk·chunkRows, (chunk+1)·chunkRows); reads are coalesced.

@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> meanIn: array<f32>;
@group(0) @binding(4) var<storage, read> rstdIn: array<f32>;
@group(0) @binding(5) var<storage, read_write> partials: array<vec2f>; // [chunks, cols]

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let c = wg.x * WG + li;
  if (c >= params.cols) {
    return;
  }
  let first = wg.y * params.chunkRows;
  let last = min(first + params.chunkRows, params.rows);
  var acc = vec2f(0.0);
  for (var r = first; r < last; r++) {
    let i = r * params.cols + c;
    let d = dy[i];
    acc += vec2f(d * (x[i] - meanIn[r]) * rstdIn[r], d);
  }
  partials[wg.y * params.cols + c] = acc;
}
