// Attention backward, step 1: per query row, stats = (logsumexp from the forward pass, D = rowsum(dO ∘ O)).
// One invocation per row of every sequence; o and dO are read through their views. Prelude consts: D4.

@group(0) @binding(6) var<storage, read> o: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> dO: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read> lse: array<f32>;
@group(0) @binding(9) var<storage, read_write> stats: array<vec2<f32>>;

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let r = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (r >= P.bh * P.lq) {
    return;
  }
  let bh = r / P.lq;
  let i = r % P.lq;
  let seq = splitSeq(bh);
  let ob = rowBase(ROLE_O, seq, i);
  let gb = rowBase(ROLE_DO, seq, i);
  var acc = vec4<f32>(0.0);
  for (var c = 0u; c < D4; c++) {
    acc = fma(o[ob + c], dO[gb + c], acc);
  }
  stats[r] = vec2<f32>(lse[r], (acc.x + acc.y) + (acc.z + acc.w));
}
