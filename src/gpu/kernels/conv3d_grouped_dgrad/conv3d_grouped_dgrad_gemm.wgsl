// Grouped Conv3D input gradient as a per-group implicit GEMM (NDHWC), split into stride phases so no work is
// spent on taps that do not land on a position: for phase (pD, pH, pW) the rows are the input positions
// (n, pD + a·sD, pH + b·sH, pW + c·sW), and tap kd contributes only when (pD + padD − kd·dD) is divisible by sD
// (uniform per workgroup), through od = a + (pD + padD − kd·dD)/sD. Then, for group g,
//   dx[m, g·cinG + ci] = Σ_{tap, j} dy[n, od, oh, ow, g·coutG + j] · w[tap, ci, g·coutG + j].
// K runs tap-major then j in TK chunks; each thread keeps RM×RN accumulators.
// Prepended: consts TM TN TK RM RN and `struct Params` (common + tilesN, tilesM, phases, qD, qH, qW).

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

const TX = TN / RN;
const TY = TM / RM;
const NT = TX * TY;
const LA = TM * TK / NT;
const LB = TK * TN / NT;
const AROW = NT / TK;
const FAR = -1073741824;

var<workgroup> As: array<f32, TK * TM>;
var<workgroup> Bs: array<f32, TK * TN>;

struct Pos {
  n: u32,
  a: i32,
  b: i32,
  c: i32,
  ok: bool,
}

// Row m of this phase → (n, a, b, c); ok when the input position exists.
fn decodeRow(m: u32, phD: u32, phH: u32, phW: u32) -> Pos {
  var p: Pos;
  let c = m % P.qW;
  let q = m / P.qW;
  let b = q % P.qH;
  let q2 = q / P.qH;
  let a = q2 % P.qD;
  p.n = q2 / P.qD;
  p.a = i32(a);
  p.b = i32(b);
  p.c = i32(c);
  p.ok = m < P.batch * P.qD * P.qH * P.qW && phD + a * P.sD < P.inD && phH + b * P.sH < P.inH &&
    phW + c * P.sW < P.inW;
  return p;
}

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
  let phase = r2 % P.phases;
  let grp = r2 / P.phases;
  if (grp >= P.groups) {
    return;
  }
  let phW = phase % P.sW;
  let phH = (phase / P.sW) % P.sH;
  let phD = phase / (P.sW * P.sH);
  let ci0 = grp * P.cinG;
  let co0 = grp * P.coutG;

  let ak = t % TK;
  var rowN: array<u32, LA>;
  var rowA: array<i32, LA>;
  var rowB: array<i32, LA>;
  var rowC: array<i32, LA>;
  for (var i = 0u; i < LA; i++) {
    let p = decodeRow(mTile * TM + t / TK + i * AROW, phD, phH, phW);
    rowN[i] = p.n;
    rowA[i] = select(FAR, p.a, p.ok);
    rowB[i] = p.b;
    rowC[i] = p.c;
  }
  let tx = t % TX;
  let ty = t / TX;
  var acc: array<f32, RM * RN>;

  let taps = P.kD * P.kH * P.kW;
  for (var tap = 0u; tap < taps; tap++) {
    let kw = tap % P.kW;
    let kh = (tap / P.kW) % P.kH;
    let kd = tap / (P.kW * P.kH);
    let tD = i32(phD + P.padD) - i32(kd * P.dD);
    let tH = i32(phH + P.padH) - i32(kh * P.dH);
    let tW = i32(phW + P.padW) - i32(kw * P.dW);
    if (tD % i32(P.sD) != 0 || tH % i32(P.sH) != 0 || tW % i32(P.sW) != 0) {
      continue; // this tap never lands on this phase
    }
    let offD = tD / i32(P.sD);
    let offH = tH / i32(P.sH);
    let offW = tW / i32(P.sW);
    for (var j0 = 0u; j0 < P.coutG; j0 += TK) {
      let j = j0 + ak;
      for (var i = 0u; i < LA; i++) {
        let od = rowA[i] + offD;
        let oh = rowB[i] + offH;
        let ow = rowC[i] + offW;
        var v = 0.0;
        if (j < P.coutG && od >= 0 && od < i32(P.outD) && oh >= 0 && oh < i32(P.outH) && ow >= 0 &&
            ow < i32(P.outW)) {
          let pos = ((rowN[i] * P.outD + u32(od)) * P.outH + u32(oh)) * P.outW + u32(ow);
          v = dy[pos * P.outC + co0 + j];
        }
        As[ak * TM + t / TK + i * AROW] = v;
      }
      for (var i = 0u; i < LB; i++) {
        let e = t + i * NT;
        let kk = e % TK;
        let nn = e / TK;
        let ci = nTile * TN + nn;
        let jb = j0 + kk;
        var v = 0.0;
        if (ci < P.cinG && jb < P.coutG) {
          v = w[(tap * P.cinG + ci) * P.outC + co0 + jb];
        }
        Bs[kk * TN + nn] = v;
      }
      workgroupBarrier();
      for (var kk = 0u; kk < TK; kk++) {
        var a: array<f32, RM>;
        var b: array<f32, RN>;
        for (var i = 0u; i < RM; i++) {
          a[i] = As[kk * TM + ty + i * TY];
        }
        for (var jj = 0u; jj < RN; jj++) {
          b[jj] = Bs[kk * TN + tx + jj * TX];
        }
        for (var i = 0u; i < RM; i++) {
          for (var jj = 0u; jj < RN; jj++) {
            acc[i * RN + jj] = fma(a[i], b[jj], acc[i * RN + jj]);
          }
        }
      }
      workgroupBarrier();
    }
  }

  for (var i = 0u; i < RM; i++) {
    let p = decodeRow(mTile * TM + ty + i * TY, phD, phH, phW);
    if (p.ok) {
      let id = phD + u32(p.a) * P.sD;
      let ih = phH + u32(p.b) * P.sH;
      let iw = phW + u32(p.c) * P.sW;
      let pos = ((p.n * P.inD + id) * P.inH + ih) * P.inW + iw;
      for (var jj = 0u; jj < RN; jj++) {
        let ci = nTile * TN + tx + jj * TX;
        if (ci < P.cinG) {
          dx[pos * P.inC + ci0 + ci] = acc[i * RN + jj];
        }
      }
    }
  }
}
