// Grouped Conv3D filter gradient as a per-group GEMM over the reduction r = (n, od, oh, ow) (NDHWC):
//   dw[k, g·coutG + j] = Σ_r A[r, k] · dy[r, g·coutG + j],  k = ((kd·kH + kh)·kW + kw)·cinG + ci,
//   A[r, k] = x[n, od·sD − padD + kd·dD, …, g·cinG + ci] (zero outside the input).
// The reduction is split into `slices`; each workgroup reduces one slice for one TM×TN tile of (k, j) and writes
// its partial sums to part[slice·wTotal + w index] (a second pass adds the slices; with one slice this is dw).
// Prepended: consts TM TN TK RM RN and `struct Params` (common + tilesN, tilesM, slices, tilesPerSlice, wTotal).

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> part: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

const TX = TN / RN;
const TY = TM / RM;
const NT = TX * TY;
const LA = TM * TK / NT;
const LB = TK * TN / NT;
const AROW = NT / TM;
const BROW = NT / TN;
const FAR = -1073741824;

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
  let r1 = lin / P.tilesN;
  let mTile = r1 % P.tilesM;
  let r2 = r1 / P.tilesM;
  let slice = r2 % P.slices;
  let grp = r2 / P.slices;
  if (grp >= P.groups) {
    return;
  }
  let K = P.kD * P.kH * P.kW * P.cinG;
  let R = P.batch * P.outD * P.outH * P.outW;
  let xc0 = grp * P.cinG;
  let co0 = grp * P.coutG;

  // The k this thread stages is fixed for the whole reduction: decode its tap once.
  let ak = t % TM;
  let k = mTile * TM + ak;
  var ci = 0u;
  var offD = FAR;
  var offH = 0;
  var offW = 0;
  if (k < K) {
    ci = k % P.cinG;
    let tap = k / P.cinG;
    offW = i32((tap % P.kW) * P.dW) - i32(P.padW);
    let tq = tap / P.kW;
    offH = i32((tq % P.kH) * P.dH) - i32(P.padH);
    offD = i32((tq / P.kH) * P.dD) - i32(P.padD);
  }
  let bn = t % TN;
  let bCol = nTile * TN + bn;
  let tx = t % TX;
  let ty = t / TX;
  var acc: array<f32, RM * RN>;

  let rStart = slice * P.tilesPerSlice * TK;
  let rEnd = min(R, rStart + P.tilesPerSlice * TK);
  for (var r0 = rStart; r0 < rEnd; r0 += TK) {
    for (var i = 0u; i < LA; i++) {
      let rr = t / TM + i * AROW;
      let r = r0 + rr;
      var v = 0.0;
      if (r < rEnd) {
        let ow = r % P.outW;
        let q = r / P.outW;
        let oh = q % P.outH;
        let q2 = q / P.outH;
        let od = q2 % P.outD;
        let n = q2 / P.outD;
        let id = i32(od * P.sD) + offD;
        let ih = i32(oh * P.sH) + offH;
        let iw = i32(ow * P.sW) + offW;
        if (id >= 0 && id < i32(P.inD) && ih >= 0 && ih < i32(P.inH) && iw >= 0 && iw < i32(P.inW)) {
          let pos = ((n * P.inD + u32(id)) * P.inH + u32(ih)) * P.inW + u32(iw);
          v = x[pos * P.inC + xc0 + ci];
        }
      }
      As[rr * TM + ak] = v;
    }
    for (var i = 0u; i < LB; i++) {
      let rr = t / TN + i * BROW;
      let r = r0 + rr;
      var v = 0.0;
      if (r < rEnd && bCol < P.coutG) {
        v = dy[r * P.outC + co0 + bCol];
      }
      Bs[rr * TN + bn] = v;
    }
    workgroupBarrier();
    for (var rr = 0u; rr < TK; rr++) {
      var a: array<f32, RM>;
      var b: array<f32, RN>;
      for (var i = 0u; i < RM; i++) {
        a[i] = As[rr * TM + ty + i * TY];
      }
      for (var j = 0u; j < RN; j++) {
        b[j] = Bs[rr * TN + tx + j * TX];
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
    let kr = mTile * TM + ty + i * TY;
    if (kr < K) {
      for (var j = 0u; j < RN; j++) {
        let col = nTile * TN + tx + j * TX;
        if (col < P.coutG) {
          part[slice * P.wTotal + kr * P.outC + co0 + col] = acc[i * RN + j];
        }
      }
    }
  }
}
