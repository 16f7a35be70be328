// Grouped Conv3D forward as a per-group implicit GEMM (NDHWC): for group g,
//   y[m, g·coutG + j] = Σ_k A[m, k] · w[k, g·coutG + j],  m = (n, od, oh, ow),  k = ((kd·kH + kh)·kW + kw)·cinG + ci,
//   A[m, k] = x[n, od·sD − padD + kd·dD, …, g·cinG + ci] (zero outside the input).
// One TM×TN tile of (m, j) per workgroup; A and w stream through workgroup memory TK values of k at a time;
// each thread keeps RM×RN accumulators (strided ownership: conflict-free shared reads, coalesced writes).
// Prepended by the dispatch code: consts TM TN TK RM RN and `struct Params` (common fields + tilesN, tilesM).

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

const TX = TN / RN;
const TY = TM / RM;
const NT = TX * TY;
const LA = TM * TK / NT;
const LB = TK * TN / NT;
const AROW = NT / TK;
const BROW = NT / TN;
const FAR = -1073741824; // row origin of rows past M: every tap then falls outside the input

var<workgroup> As: array<f32, TK * TM>;
var<workgroup> Bs: array<f32, TK * TN>;

@compute @workgroup_size(NT)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  let lin = wid.x + wid.y * nwg.x;
  let nTile = lin % P.tilesN;
  let rest = lin / P.tilesN;
  let mTile = rest % P.tilesM;
  let grp = rest / P.tilesM;
  if (grp >= P.groups) {
    return;
  }
  let M = P.batch * P.outD * P.outH * P.outW;
  let K = P.kD * P.kH * P.kW * P.cinG;
  let xc0 = grp * P.cinG;
  let wc0 = grp * P.coutG;

  // The A rows this thread stages are fixed for the whole reduction: decode them once.
  let ak = t % TK;
  var rowN: array<u32, LA>;
  var rowD: array<i32, LA>;
  var rowH: array<i32, LA>;
  var rowW: array<i32, LA>;
  for (var i = 0u; i < LA; i++) {
    let m = mTile * TM + t / TK + i * AROW;
    rowD[i] = FAR;
    if (m < M) {
      let ow = m % P.outW;
      let q = m / P.outW;
      let oh = q % P.outH;
      let q2 = q / P.outH;
      rowN[i] = q2 / P.outD;
      rowD[i] = i32((q2 % P.outD) * P.sD) - i32(P.padD);
      rowH[i] = i32(oh * P.sH) - i32(P.padH);
      rowW[i] = i32(ow * P.sW) - i32(P.padW);
    }
  }
  let bn = t % TN;
  let bCol = nTile * TN + bn;
  let tx = t % TX;
  let ty = t / TX;
  var acc: array<f32, RM * RN>;

  for (var k0 = 0u; k0 < K; k0 += TK) {
    let k = k0 + ak;
    var ci = 0u;
    var offD = FAR;
    var offH = 0;
    var offW = 0;
    if (k < K) {
      ci = k % P.cinG;
      let tap = k / P.cinG;
      offW = i32((tap % P.kW) * P.dW);
      let tq = tap / P.kW;
      offH = i32((tq % P.kH) * P.dH);
      offD = i32((tq / P.kH) * P.dD);
    }
    for (var i = 0u; i < LA; i++) {
      let id = rowD[i] + offD;
      let ih = rowH[i] + offH;
      let iw = rowW[i] + offW;
      var v = 0.0;
      if (id >= 0 && id < i32(P.inD) && ih >= 0 && ih < i32(P.inH) && iw >= 0 && iw < i32(P.inW)) {
        let pos = ((rowN[i] * P.inD + u32(id)) * P.inH + u32(ih)) * P.inW + u32(iw);
        v = x[pos * P.inC + xc0 + ci];
      }
      As[ak * TM + t / TK + i * AROW] = v;
    }
    for (var i = 0u; i < LB; i++) {
      let kk = t / TN + i * BROW;
      let kb = k0 + kk;
      var v = 0.0;
      if (kb < K && bCol < P.coutG) {
        v = w[kb * P.outC + wc0 + bCol];
      }
      Bs[kk * TN + bn] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var a: array<f32, RM>;
      var b: array<f32, RN>;
      for (var i = 0u; i < RM; i++) {
        a[i] = As[kk * TM + ty + i * TY];
      }
      for (var j = 0u; j < RN; j++) {
        b[j] = Bs[kk * TN + tx + j * TX];
      }
      for (var i = 0u; i < RM; i++) {
        for (var j = 0u; j < RN; j++) {
          acc[i * RN + j] = fma(a[i], b[j], acc[i * RN + j]);
        }
      }
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < RM; i++) {
    let m = mTile * TM + ty + i * TY;
    if (m < M) {
      for (var j = 0u; j < RN; j++) {
        let col = nTile * TN + tx + j * TX;
        if (col < P.coutG) {
          y[m * P.outC + wc0 + col] = acc[i * RN + j];
        }
      }
    }
  }
}
