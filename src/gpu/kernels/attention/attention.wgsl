// Fused attention forward (FlashAttention-2 style): o = softmax(scale·q·kᵀ + mask) · v per sequence, with the
// row logsumexp saved for the backward pass. One workgroup = ROWS query rows of one sequence; LANES lanes per
// row each own W4 interleaved vec4 columns of q and of the output accumulator. Key/value tiles of BC rows are
// staged in workgroup memory; scores are reduced across lanes (subgroup shuffles or workgroup memory) and fed
// to an online softmax in f32. Prelude consts: D4, LANES, W4, ROWS, WG, BC.

@group(0) @binding(6) var<storage, read_write> o: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> lse: array<f32>;

var<workgroup> kTile: array<vec4<f32>, BC * D4>;
var<workgroup> vTile: array<vec4<f32>, BC * D4>;
//#if !SUBGROUPS
var<workgroup> partial: array<f32, BC * WG>;
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
  var qr: array<vec4<f32>, W4>;
  var acc: array<vec4<f32>, W4>;
  for (var w = 0u; w < W4; w++) {
    qr[w] = q[qBase + w * LANES + lane] * P.scale;
    acc[w] = vec4<f32>(0.0);
  }
  var m = NEG;
  var l = 0.0;
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
    for (var jl = 0u; jl < BC; jl++) {
      var dot4 = vec4<f32>(0.0);
      for (var w = 0u; w < W4; w++) {
        dot4 = fma(qr[w], kTile[jl * D4 + w * LANES + lane], dot4);
      }
      s[jl] = (dot4.x + dot4.y) + (dot4.z + dot4.w);
    }
//#if SUBGROUPS
    for (var jl = 0u; jl < BC; jl++) {
      s[jl] = laneSum(s[jl]);
    }
//#else
    for (var jl = 0u; jl < BC; jl++) {
      partial[(jl * LANES + lane) * ROWS + row] = s[jl];
    }
    workgroupBarrier();
    for (var jl = 0u; jl < BC; jl++) {
      var sum = 0.0;
      for (var x = 0u; x < LANES; x++) {
        sum += partial[(jl * LANES + x) * ROWS + row];
      }
      s[jl] = sum;
    }
//#endif

    var tileMax = NEG;
    for (var jl = 0u; jl < BC; jl++) {
      let j = t * BC + jl;
      var score = s[jl];
      var ok = j < nk;
      if (hasFlag(FLAG_MASK)) {
        let mv = mask[maskRow + min(j, P.lk - 1u)];
        ok = ok && mv > MASKED;
        score += mv;
      }
      s[jl] = select(NEG, score, ok);
      tileMax = max(tileMax, s[jl]);
    }
    let mNew = max(m, tileMax);
    let alpha = exp(m - mNew);
    l *= alpha;
    for (var w = 0u; w < W4; w++) {
      acc[w] *= alpha;
    }
    for (var jl = 0u; jl < BC; jl++) {
      var p = select(0.0, exp(s[jl] - mNew), s[jl] > MASKED);
      l += p;
      if (hasFlag(FLAG_DROPOUT)) {
        p = select(0.0, p, dropKeep(rowHash, t * BC + jl));
      }
      for (var w = 0u; w < W4; w++) {
        acc[w] = fma(vec4<f32>(p), vTile[jl * D4 + w * LANES + lane], acc[w]);
      }
    }
    m = mNew;
  }

  if (i < P.lq) {
    let inv = select(0.0, P.dropScale / l, l > 0.0);
    let oBase = rowBase(ROLE_O, seq, i);
    for (var w = 0u; w < W4; w++) {
      o[oBase + w * LANES + lane] = acc[w] * inv;
    }
    if (lane == 0u) {
      lse[bh * P.lq + i] = select(NEG, m + log(l), l > 0.0);
    }
  }
}
