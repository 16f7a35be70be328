// Attention backward, step 3: dv_j = Σ_i P̃_ij dO_i and dk_j = scale · Σ_i dS_ij q_i, parallel over key tiles so
// that no two workgroups write the same row (no atomics). One workgroup = ROWS key rows of one sequence, LANES
// lanes per row owning W4 interleaved vec4 columns of k, v, dk, dv; query tiles of BC rows (q, dO, stats) are
// staged in workgroup memory. dk and dv are written into one buffer through the DK and DV views.
// Prelude consts: D4, LANES, W4, ROWS, WG, BC.

@group(0) @binding(6) var<storage, read> dO: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> stats: array<vec2<f32>>;
@group(0) @binding(8) var<storage, read_write> dkv: array<vec4<f32>>;

var<workgroup> qTile: array<vec4<f32>, BC * D4>;
var<workgroup> gTile: array<vec4<f32>, BC * D4>;
var<workgroup> sTile: array<vec2<f32>, BC>;
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
  let firstKey = (flat % P.tiles) * ROWS;
  let j = firstKey + row;
  let jk = min(j, P.lk - 1u);
  let nk = uniformKeyCount(lid, seq.x);
  let keyOk = j < nk;

  let kBase = rowBase(ROLE_K, seq, jk);
  let vBase = rowBase(ROLE_V, seq, jk);
  var kr: array<vec4<f32>, W4>;
  var vr: array<vec4<f32>, W4>;
  var dk: array<vec4<f32>, W4>;
  var dv: array<vec4<f32>, W4>;
  for (var w = 0u; w < W4; w++) {
    kr[w] = k[kBase + w * LANES + lane];
    vr[w] = v[vBase + w * LANES + lane];
    dk[w] = vec4<f32>(0.0);
    dv[w] = vec4<f32>(0.0);
  }
  let seqHash = dropSeqHash(bh);

  // Workgroups whose keys are all padding only write zeros.
  let queryTiles = select((P.lq + BC - 1u) / BC, 0u, firstKey >= nk);
  for (var t = 0u; t < queryTiles; t++) {
    workgroupBarrier();
    for (var e = lid; e < BC * D4; e += WG) {
      let i = t * BC + e / D4;
      let c = e % D4;
      var qv = vec4<f32>(0.0);
      var gv = vec4<f32>(0.0);
      if (i < P.lq) {
        qv = q[rowBase(ROLE_Q, seq, i) + c] * P.scale;
        gv = dO[rowBase(ROLE_DO, seq, i) + c];
      }
      qTile[e] = qv;
      gTile[e] = gv;
    }
    for (var e = lid; e < BC; e += WG) {
      let i = t * BC + e;
      sTile[e] = select(vec2<f32>(0.0), stats[bh * P.lq + min(i, P.lq - 1u)], i < P.lq);
    }
    workgroupBarrier();

    var s: array<f32, BC>;
    var dp: array<f32, BC>;
    for (var il = 0u; il < BC; il++) {
      var s4 = vec4<f32>(0.0);
      var p4 = vec4<f32>(0.0);
      for (var w = 0u; w < W4; w++) {
        s4 = fma(kr[w], qTile[il * D4 + w * LANES + lane], s4);
        p4 = fma(vr[w], gTile[il * D4 + w * LANES + lane], p4);
      }
      s[il] = (s4.x + s4.y) + (s4.z + s4.w);
      dp[il] = (p4.x + p4.y) + (p4.z + p4.w);
    }
//#if SUBGROUPS
    for (var il = 0u; il < BC; il++) {
      s[il] = laneSum(s[il]);
      dp[il] = laneSum(dp[il]);
    }
//#else
    for (var il = 0u; il < BC; il++) {
      partialS[(il * LANES + lane) * ROWS + row] = s[il];
      partialP[(il * LANES + lane) * ROWS + row] = dp[il];
    }
    workgroupBarrier();
    for (var il = 0u; il < BC; il++) {
      var ss = 0.0;
      var pp = 0.0;
      for (var x = 0u; x < LANES; x++) {
        ss += partialS[(il * LANES + x) * ROWS + row];
        pp += partialP[(il * LANES + x) * ROWS + row];
      }
      s[il] = ss;
      dp[il] = pp;
    }
//#endif

    for (var il = 0u; il < BC; il++) {
      let i = t * BC + il;
      var score = s[il];
      var ok = keyOk && i < P.lq;
      if (hasFlag(FLAG_MASK)) {
        let mv = mask[min(i, P.lq - 1u) * P.lk + jk];
        ok = ok && mv > MASKED;
        score += mv;
      }
      let st = sTile[il];
      let p = select(0.0, exp(score - st.x), ok);
      var pd = p;
      var dpi = dp[il];
      if (hasFlag(FLAG_DROPOUT)) {
        let keep = dropKeep(dropRowHash(seqHash, i), j);
        pd = select(0.0, p * P.dropScale, keep);
        dpi = select(0.0, dpi * P.dropScale, keep);
      }
      let ds = p * (dpi - st.y);
      for (var w = 0u; w < W4; w++) {
        dv[w] = fma(vec4<f32>(pd), gTile[il * D4 + w * LANES + lane], dv[w]);
        dk[w] = fma(vec4<f32>(ds), qTile[il * D4 + w * LANES + lane], dk[w]);
      }
    }
  }

  if (j < P.lk) {
    let kOut = rowBase(ROLE_DK, seq, j);
    let vOut = rowBase(ROLE_DV, seq, j);
    for (var w = 0u; w < W4; w++) {
      dkv[kOut + w * LANES + lane] = dk[w];
      dkv[vOut + w * LANES + lane] = dv[w];
    }
  }
}
