// Attention backward, step 2: dq = scale · Σ_j dS_ij k_j with dS = P ∘ (dP − D), P recomputed from q, k and the
// saved logsumexp. One workgroup = ROWS query rows of one sequence, LANES lanes per row owning W4 interleaved
// vec4 columns; key/value tiles of BC rows staged in workgroup memory. Prelude consts: D4, LANES, W4, ROWS, WG, BC.

@group(0) @binding(6) var<storage, read> dO: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> stats: array<vec2<f32>>;
@group(0) @binding(8) var<storage, read_write> dq: array<vec4<f32>>;

var<workgroup> kTile: array<vec4<f32>, BC * D4>;
var<workgroup> vTile: array<vec4<f32>, BC * D4>;
//#if !SUBGROUPS
var<workgroup> partialS: array<f32, BC * WG>;
var<workgroup> partialP: array<f32, BC * WG>;
//#endif

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
//#if SUBGROUPS
  @builtin(subgroup_invocation_id) sgLane: u32,
  @builtin(subgroup_size) sgSize: u32,
//#endif
) {
  let flat = wid.x + wid.y * nwg.x;
  if (flat >= P.tiles * P.bh) {
    return;
  }
  let bh = flat / P.tiles;
  let seq = splitSeq(bh);
//#if SUBGROUPS
  let vi = laneLayoutIndex(sgLane, sgSize);
//#else
  let vi = lid;
//#endif
  let row = vi / LANES;
  let lane = vi % LANES;
  let i = (flat % P.tiles) * ROWS + row;
  let iq = min(i, P.lq - 1u);
  let nk = uniformKeyCount(lid, seq.x);

  let qBase = rowBase(ROLE_Q, seq, iq);
  let gBase = rowBase(ROLE_DO, seq, iq);
  var qr: array<vec4<f32>, W4>;
  var gr: array<vec4<f32>, W4>;
  var acc: array<vec4<f32>, W4>;
  for (var w = 0u; w < W4; w++) {
    qr[w] = q[qBase + w * LANES + lane] * P.scale;
    gr[w] = dO[gBase + w * LANES + lane];
    acc[w] = vec4<f32>(0.0);
  }
  let st = stats[bh * P.lq + iq];
  let maskRow = iq * P.lk;
  let rowHash = dropRowHash(dropSeqHash(bh), iq);

  let keyTiles = (nk + BC - 1u) / BC;
  for (var t = 0u; t < keyTiles; t++) {
    workgroupBarrier();
    for (var e = lid; e < BC * D4; e += WG) {
      let j = t * BC + e / D4;
      let c = e % D4;
      var kv = vec4<f32>(0.0);
      var vv = vec4<f32>(0.0);
      if (j < nk) {
        kv = k[rowBase(ROLE_K, seq, j) + c];
        vv = v[rowBase(ROLE_V, seq, j) + c];
      }
      kTile[e] = kv;
      vTile[e] = vv;
    }
    workgroupBarrier();

    var s: array<f32, BC>;
    var dp: array<f32, BC>;
    for (var jl = 0u; jl < BC; jl++) {
      var s4 = vec4<f32>(0.0);
      var p4 = vec4<f32>(0.0);
      for (var w = 0u; w < W4; w++) {
        s4 = fma(qr[w], kTile[jl * D4 + w * LANES + lane], s4);
        p4 = fma(gr[w], vTile[jl * D4 + w * LANES + lane], p4);
      }
      s[jl] = (s4.x + s4.y) + (s4.z + s4.w);
      dp[jl] = (p4.x + p4.y) + (p4.z + p4.w);
    }
//#if SUBGROUPS
    for (var jl = 0u; jl < BC; jl++) {
      s[jl] = laneSum(s[jl]);
      dp[jl] = laneSum(dp[jl]);
    }
//#else
    for (var jl = 0u; jl < BC; jl++) {
      partialS[(jl * LANES + lane) * ROWS + row] = s[jl];
      partialP[(jl * LANES + lane) * ROWS + row] = dp[jl];
    }
    workgroupBarrier();
    for (var jl = 0u; jl < BC; jl++) {
      var ss = 0.0;
      var pp = 0.0;
      for (var x = 0u; x < LANES; x++) {
        ss += partialS[(jl * LANES + x) * ROWS + row];
        pp += partialP[(jl * LANES + x) * ROWS + row];
      }
      s[jl] = ss;
      dp[jl] = pp;
    }
//#endif

    for (var jl = 0u; jl < BC; jl++) {
      let j = t * BC + jl;
      var score = s[jl];
      var ok = j < nk;
      if (hasFlag(FLAG_MASK)) {
        let mv = mask[maskRow + min(j, P.lk - 1u)];
        ok = ok && mv > MASKED;
        score += mv;
      }
      let p = select(0.0, exp(score - st.x), ok);
      var dpj = dp[jl];
      if (hasFlag(FLAG_DROPOUT)) {
        dpj = select(0.0, dpj * P.dropScale, dropKeep(rowHash, j));
      }
      let ds = p * (dpj - st.y);
      for (var w = 0u; w < W4; w++) {
        acc[w] = fma(vec4<f32>(ds), kTile[jl * D4 + w * LANES + lane], acc[w]);
      }
    }
  }

  if (i < P.lq) {
    let base = rowBase(ROLE_DQ, seq, i);
    for (var w = 0u; w < W4; w++) {
      dq[base + w * LANES + lane] = acc[w] * P.scale;
    }
  }
}
