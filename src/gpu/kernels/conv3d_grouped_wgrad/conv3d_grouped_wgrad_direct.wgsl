// Grouped/depthwise Conv3D filter gradient, direct (NDHWC). A workgroup owns CT output channels (vec4 when
// depthwise with multiplier 1) × one filter row (ci − g·cinG, kd, kh) × one slice of the reduction over
// output-row segments (n, od, oh, RP consecutive ow). Each thread accumulates the KW taps of its row over its
// share of the slice: per segment it stages RP dy values and the (RP−1)·SW + (KW−1)·DW + 1 input columns they
// touch in registers. The PT position lanes are then summed through workgroup memory and the slice's partial sums
// are written to part[slice·wTotal + w index] (a second pass adds the slices; with one slice this is dw).
// Prepended: consts KD KH KW SD SH SW DD DH DW VEC CT PT RP, `alias VT`, `struct Params` (common + chanTiles,
// segW, segments, slices, segPerSlice, wTotal).

@group(0) @binding(0) var<storage, read> x: array<VT>;
@group(0) @binding(1) var<storage, read> dy: array<VT>;
@group(0) @binding(2) var<storage, read_write> part: array<VT>;
@group(0) @binding(3) var<uniform> P: Params;

const NT = CT * PT;
const COLS = (RP - 1) * SW + (KW - 1) * DW + 1;

var<workgroup> red: array<VT, NT * KW>;

@compute @workgroup_size(NT)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  let lin = wid.x + wid.y * nwg.x;
  let chanTile = lin % P.chanTiles;
  let r1 = lin / P.chanTiles;
  let rowsPerCh = P.cinG * KD * KH;
  let fRow = r1 % rowsPerCh;
  let slice = r1 / rowsPerCh;
  if (slice >= P.slices) {
    return;
  }
  let cl = fRow % P.cinG;
  let kdkh = fRow / P.cinG;
  let kh = kdkh % KH;
  let kd = kdkh / KH;
  let lane = t % CT;
  let pl = t / CT;
  let co = (chanTile * CT + lane) * VEC;
  let ci = (co / P.coutG) * P.cinG + cl;

  var acc: array<VT, KW>;
  if (co < P.outC) {
    let segStart = slice * P.segPerSlice;
    let segEnd = min(P.segments, segStart + P.segPerSlice);
    for (var seg = segStart + pl; seg < segEnd; seg += PT) {
      let ow0 = (seg % P.segW) * RP;
      let row = seg / P.segW;
      let oh = row % P.outH;
      let q = row / P.outH;
      let od = q % P.outD;
      let n = q / P.outD;
      let id = i32(od * SD + kd * DD) - i32(P.padD);
      let ih = i32(oh * SH + kh * DH) - i32(P.padH);
      if (id < 0 || id >= i32(P.inD) || ih < 0 || ih >= i32(P.inH)) {
        continue;
      }
      // Every element is assigned on every iteration (some compilers do not re-zero a `var` declared in a loop).
      var g: array<VT, RP>;
      let outRow = ((n * P.outD + od) * P.outH + oh) * P.outW;
      for (var r = 0u; r < RP; r++) {
        g[r] = VT(0.0);
        if (ow0 + r < P.outW) {
          g[r] = dy[((outRow + ow0 + r) * P.outC + co) / VEC];
        }
      }
      var win: array<VT, COLS>;
      let inRow = ((n * P.inD + u32(id)) * P.inH + u32(ih)) * P.inW;
      let iw0 = i32(ow0 * SW) - i32(P.padW);
      for (var c = 0u; c < COLS; c++) {
        let iw = iw0 + i32(c);
        win[c] = VT(0.0);
        if (iw >= 0 && iw < i32(P.inW)) {
          win[c] = x[((inRow + u32(iw)) * P.inC + ci) / VEC];
        }
      }
      for (var kw = 0u; kw < KW; kw++) {
        for (var r = 0u; r < RP; r++) {
          acc[kw] = fma(win[r * SW + kw * DW], g[r], acc[kw]);
        }
      }
    }
  }
  for (var kw = 0u; kw < KW; kw++) {
    red[(pl * CT + lane) * KW + kw] = acc[kw];
  }
  workgroupBarrier();
  for (var e = t; e < CT * KW; e += NT) {
    let ln = e / KW;
    let kw = e % KW;
    var sum = VT(0.0);
    for (var p = 0u; p < PT; p++) {
      sum += red[(p * CT + ln) * KW + kw];
    }
    let co2 = (chanTile * CT + ln) * VEC;
    if (co2 < P.outC) {
      let wIdx = (((kd * KH + kh) * KW + kw) * P.cinG + cl) * P.outC + co2;
      part[(slice * P.wTotal + wIdx) / VEC] = sum;
    }
  }
}
