// Backward, parameter gradients pass 2: dgamma[c] = Σ_chunks partial.x, dbeta[c] = Σ_chunks partial.y.

@group(0) @binding(1) var<storage, read> partials: array<vec2f>; // [chunks, cols]
@group(0) @binding(2) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(3) var<storage, read_write> dbeta: array<f32>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let c = wg.x * WG + li;
  if (c >= params.cols) {
    return;
  }
  var acc = vec2f(0.0);
  for (var k = 0u; k < params.chunks; k++) {
    acc += partials[k * params.cols + c];
  }
  dgamma[c] = acc.x;
  dbeta[c] = acc.y;
}
