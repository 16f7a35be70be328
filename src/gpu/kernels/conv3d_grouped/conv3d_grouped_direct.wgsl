// Grouped/depthwise Conv3D forward, direct (NDHWC). Thread = one output channel (or a vec4 of channels when
// depthwise with multiplier 1) × RP consecutive output positions along W. For each (kd, kh) the input row window
// the RP outputs need ((RP−1)·SW + (KW−1)·DW + 1 columns) is staged in registers once and reused by every kw.
// Adjacent threads take adjacent channels, so every load and store is coalesced over channels.
// Prepended by the dispatch code: consts KD KH KW SD SH SW DD DH DW VEC CT PT RP, `alias VT`, and `struct Params`
// (common fields + chanTiles, segW, segments).

@group(0) @binding(0) var<storage, read> x: array<VT>;
@group(0) @binding(1) var<storage, read> w: array<VT>;
@group(0) @binding(2) var<storage, read_write> y: array<VT>;
@group(0) @binding(3) var<uniform> P: Params;

const NT = CT * PT;
const COLS = (RP - 1) * SW + (KW - 1) * DW + 1;

@compute @workgroup_size(NT)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  let lin = wid.x + wid.y * nwg.x;
  let chanTile = lin % P.chanTiles;
  let posTile = lin / P.chanTiles;
  let co = (chanTile * CT + t % CT) * VEC;
  let seg = posTile * PT + t / CT;
  if (co >= P.outC || seg >= P.segments) {
    return;
  }
  let ow0 = (seg % P.segW) * RP;
  let row = seg / P.segW;
  let oh = row % P.outH;
  let q = row / P.outH;
  let od = q % P.outD;
  let n = q / P.outD;
  let cBase = (co / P.coutG) * P.cinG;
  let iw0 = i32(ow0 * SW) - i32(P.padW);

  var acc: array<VT, RP>;
  for (var cl = 0u; cl < P.cinG; cl++) {
    for (var kd = 0u; kd < KD; kd++) {
      let id = i32(od * SD + kd * DD) - i32(P.padD);
      if (id < 0 || id >= i32(P.inD)) {
        continue;
      }
      for (var kh = 0u; kh < KH; kh++) {
        let ih = i32(oh * SH + kh * DH) - i32(P.padH);
        if (ih < 0 || ih >= i32(P.inH)) {
          continue;
        }
        let rowBase = ((n * P.inD + u32(id)) * P.inH + u32(ih)) * P.inW;
        var win: array<VT, COLS>;
        for (var c = 0u; c < COLS; c++) {
          let iw = iw0 + i32(c);
          win[c] = VT(0.0); // assigned every iteration: some compilers do not re-zero a `var` declared in a loop
          if (iw >= 0 && iw < i32(P.inW)) {
            win[c] = x[((rowBase + u32(iw)) * P.inC + cBase + cl) / VEC];
          }
        }
        for (var kw = 0u; kw < KW; kw++) {
          let wv = w[((((kd * KH + kh) * KW + kw) * P.cinG + cl) * P.outC + co) / VEC];
          for (var r = 0u; r < RP; r++) {
            acc[r] = fma(win[r * SW + kw * DW], wv, acc[r]);
          }
        }
      }
    }
  }
  let outRow = ((n * P.outD + od) * P.outH + oh) * P.outW;
  for (var r = 0u; r < RP; r++) {
    if (ow0 + r < P.outW) {
      y[((outRow + ow0 + r) * P.outC + co) / VEC] = acc[r];
    }
  }
}
