// Grouped/depthwise Conv3D input gradient, direct (NDHWC). Thread = one input channel (or a vec4 of channels when
// depthwise with multiplier 1) × RP input positions along W of one stride phase p (iw = p + SW·(jb·RP + r)), so
// for each kw either all RP positions receive that tap or none, through consecutive ow. For each (kd, kh) the dy
// row window all taps need (RP + ⌈(KW−1)·DW/SW⌉ columns) is staged in registers once.
//   dx[n, id, ih, iw, ci] = Σ_{j, kd, kh, kw} dy[n, od, oh, ow, g·coutG + j] · w[kd, kh, kw, ci − g·cinG, g·coutG + j]
// Prepended: consts KD KH KW SD SH SW DD DH DW VEC CT PT RP, `alias VT`, `struct Params` (common + chanTiles,
// segW, jbCount, segments).

@group(0) @binding(0) var<storage, read> dy: array<VT>;
@group(0) @binding(1) var<storage, read> w: array<VT>;
@group(0) @binding(2) var<storage, read_write> dx: array<VT>;
@group(0) @binding(3) var<uniform> P: Params;

const NT = CT * PT;
const COLS = RP + ((KW - 1) * DW + SW - 1) / SW;

fn floorDiv(a: i32, b: i32) -> i32 {
  let q = a / b;
  return select(q, q - 1, a % b != 0 && a < 0);
}

@compute @workgroup_size(NT)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  let lin = wid.x + wid.y * nwg.x;
  let chanTile = lin % P.chanTiles;
  let posTile = lin / P.chanTiles;
  let ci = (chanTile * CT + t % CT) * VEC;
  let seg = posTile * PT + t / CT;
  if (ci >= P.inC || seg >= P.segments) {
    return;
  }
  let sw = seg % P.segW;
  let p = sw % SW;
  let jb = sw / SW;
  let row = seg / P.segW;
  let ih = row % P.inH;
  let q = row / P.inH;
  let id = q % P.inD;
  let n = q / P.inD;
  let grp = ci / P.cinG;
  let cl = ci - grp * P.cinG;
  // First dy column of the window: the smallest ow any kw can reach from this phase.
  let lo = floorDiv(i32(p + P.padW) - (KW - 1) * DW, SW) + i32(jb * RP);

  var acc: array<VT, RP>;
  for (var j = 0u; j < P.coutG; j++) {
    let co = grp * P.coutG + j;
    for (var kd = 0u; kd < KD; kd++) {
      let tD = i32(id + P.padD) - i32(kd * DD);
      if (tD < 0 || tD % SD != 0 || tD / SD >= i32(P.outD)) {
        continue;
      }
      let od = u32(tD / SD);
      for (var kh = 0u; kh < KH; kh++) {
        let tH = i32(ih + P.padH) - i32(kh * DH);
        if (tH < 0 || tH % SH != 0 || tH / SH >= i32(P.outH)) {
          continue;
        }
        let rowBase = ((n * P.outD + od) * P.outH + u32(tH / SH)) * P.outW;
        var win: array<VT, COLS>;
        for (var c = 0; c < COLS; c++) {
          let ow = lo + c;
          win[c] = VT(0.0); // assigned every iteration: some compilers do not re-zero a `var` declared in a loop
          if (ow >= 0 && ow < i32(P.outW)) {
            win[c] = dy[((rowBase + u32(ow)) * P.outC + co) / VEC];
          }
        }
        for (var kw = 0u; kw < KW; kw++) {
          let tW = i32(p + P.padW) - i32(kw * DW);
          if (tW % SW != 0) {
            continue;
          }
          let base = tW / SW + i32(jb * RP) - lo;
          let wv = w[((((kd * KH + kh) * KW + kw) * P.cinG + cl) * P.outC + co) / VEC];
          for (var r = 0; r < RP; r++) {
            acc[r] = fma(win[base + r], wv, acc[r]);
          }
        }
      }
    }
  }
  let inRow = ((n * P.inD + id) * P.inH + ih) * P.inW;
  for (var r = 0u; r < RP; r++) {
    let iw = p + SW * (jb * RP + r);
    if (iw < P.inW) {
      dx[((inRow + iw) * P.inC + ci) / VEC] = acc[r];
    }
  }
}
