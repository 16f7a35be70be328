// Conv3D as an implicit GEMM C[M,N] = A[M,K]·B[K,N], shared by the forward pass and the input gradient (one
// dispatch per stride phase). Row m is a point (n, jd, jh, jw) of the dispatch's row grid; k = (td, th, tw, c)
// walks a strided grid of filter taps × the source's channels. A is gathered on the fly from the NDHWC source
// (zero outside it); B is the [taps·C, N] weight matrix (or, unstaged only, its [taps, N, C] transpose: the raw
// filter of the input gradient); C rows land in an NDHWC output.
// Split-K (SPLIT): workgroup layer z = slice · zr + row layer; slice s reduces K range [s·len, (s+1)·len) (len in
// K units when staged, in channel vectors across all taps when unstaged) and writes raw partials [slice, M, N]
// to C; igemmReduce.wgsl sums them and applies the epilogue.
// conv3d.ts fills the //@ markers: constants (tile sizes, vector widths, shape flags) and unrolled blocks.

//@CONSTS

struct Params {
  rows: vec4<i32>, // row grid per batch item (Rd, Rh, Rw) and M, the rows of this dispatch
  aDims: vec4<i32>, // A source per batch item: D, H, W, C
  aScale: vec4<i32>, // A coordinate = row coordinate * aScale + aBase + tap index * aTapStep; w: slice length
  aBase: vec4<i32>, // w: workgroup layers (z) per split-K slice
  aTapStep: vec4<i32>, // w: elements of C per split-K slice
  taps: vec4<i32>, // tap grid Td, Th, Tw and K = Td*Th*Tw*C
  wTap0: vec4<i32>, // filter tap = wTap0 + tap index * wTapStep, in a kD x kH x kW filter
  wTapStep: vec4<i32>,
  wDims: vec4<i32>, // kD, kH, kW, N
  oDims: vec4<i32>, // output per batch item: D, H, W (channels: N)
  oScale: vec4<i32>, // output coordinate = row coordinate * oScale + oOff
  oOff: vec4<i32>,
  offsets: vec4<i32>, // scalar offsets of A and C inside their bindings; workgroups along y per z slice
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> A: array<AT>;
@group(0) @binding(2) var<storage, read> B: array<WT>;
@group(0) @binding(3) var<storage, read_write> C: array<BT>;
@group(0) @binding(4) var<storage, read> bias: array<BT>;

var<workgroup> As: array<vec4<f32>, AS_LEN>; // [TILE_K][TILE_M / 4], k-major
var<workgroup> Bs: array<vec4<f32>, BS_LEN>; // [TILE_K][TILE_N / 4], k-major

const INVALID: i32 = -1073741824; // a coordinate that fails every bounds test

var<private> splitBase: i32; // element offset of this workgroup's split-K slice in C (SPLIT only)

// Registers kept per A row: (n * D of A, d0, h0, w0), the source origin of the row; INVALID past M.
fn rowBase(m: i32) -> vec4<i32> {
  if (m >= P.rows.w) {
    return vec4<i32>(0, INVALID, INVALID, INVALID);
  }
  if (POINTWISE) {
    return vec4<i32>(m, 0, 0, 0);
  }
  let plane = P.rows.y * P.rows.z;
  let per = P.rows.x * plane;
  let n = m / per;
  var r = m - n * per;
  let jd = r / plane;
  r -= jd * plane;
  let jh = r / P.rows.z;
  let jw = r - jh * P.rows.z;
  return vec4<i32>(n * P.aDims.x, jd * P.aScale.x + P.aBase.x, jh * P.aScale.y + P.aBase.y, jw * P.aScale.z + P.aBase.z);
}

// Index (AT units) of A[row, tap t, channel 0], or -1 where the tap falls outside the source.
fn tapIndex(rb: vec4<i32>, t: vec3<i32>) -> i32 {
  let cv = P.aDims.w / VA;
  if (POINTWISE) {
    return select(-1, rb.x * cv + P.offsets.x / VA, rb.y == 0);
  }
  let c = rb.yzw + t * P.aTapStep.xyz;
  let inside = all(vec3<u32>(c) < vec3<u32>(P.aDims.xyz));
  let index = (((rb.x + c.x) * P.aDims.y + c.y) * P.aDims.z + c.z) * cv + P.offsets.x / VA;
  return select(-1, index, inside);
}

// Filter tap (kd * kH + kh) * kW + kw of tap-grid point t.
fn weightTap(t: vec3<i32>) -> i32 {
  let k = P.wTap0.xyz + t * P.wTapStep.xyz;
  return (k.x * P.wDims.y + k.y) * P.wDims.z + k.z;
}

// First B row of tap t: rows are (filter tap, channel of A).
fn weightRow(t: vec3<i32>) -> i32 {
  return weightTap(t) * P.aDims.w;
}

// k -> (td, th, tw, c).
fn decodeK(k: i32) -> vec4<i32> {
  let tap = k / P.aDims.w;
  let c = k - tap * P.aDims.w;
  let t2 = tap / P.taps.z;
  return vec4<i32>(t2 / P.taps.y, t2 % P.taps.y, tap % P.taps.z, c);
}

// A[row, k .. k + VA - 1]; zero outside the source and past K.
fn loadA(rb: vec4<i32>, k: i32) -> AT {
  let t = decodeK(k);
  let base = tapIndex(rb, t.xyz);
  return select(AT(0.0), A[base + t.w / VA], base >= 0 && k < P.taps.w);
}

// The B row (scalar row index) holding GEMM row k.
fn bRow(k: i32) -> i32 {
  if (B_CONTIGUOUS) {
    return k;
  }
  let t = decodeK(k);
  return weightRow(t.xyz) + t.w;
}

// Scalar index of C[m, 0].
fn outRow(m: i32) -> i32 {
  let n = P.wDims.w;
  if (SPLIT) {
    return m * n + splitBase;
  }
  if (OUT_CONTIGUOUS) {
    return m * n + P.offsets.y;
  }
  let plane = P.rows.y * P.rows.z;
  let per = P.rows.x * plane;
  let b = m / per;
  var r = m - b * per;
  let jd = r / plane;
  r -= jd * plane;
  let jh = r / P.rows.z;
  let jw = r - jh * P.rows.z;
  let o = vec3<i32>(jd, jh, jw) * P.oScale.xyz + P.oOff.xyz;
  return (((b * P.oDims.x + o.x) * P.oDims.y + o.y) * P.oDims.z + o.z) * n + P.offsets.y;
}

fn epilogue(v: vec4<f32>, col: i32) -> vec4<f32> {
  var r = v;
  if (HAS_BIAS) {
    r += biasAt(col);
  }
  if (RELU) {
    r = max(r, vec4<f32>(0.0));
  }
  return r;
}

fn tileRow(wg: vec3<u32>) -> i32 {
  return i32(wg.y) + (i32(wg.z) % P.aBase.w) * P.offsets.z;
}

fn sliceOf(wg: vec3<u32>) -> i32 {
  let s = i32(wg.z) / P.aBase.w;
  splitBase = s * P.aTapStep.w;
  return s;
}

// Staged: A and B tiles pass through workgroup memory, TILE_K deep per round.
@compute @workgroup_size(WG_X, WG_Y, 1)
fn mainStaged(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let tid = i32(li);
  let mt = tileRow(wg) * TILE_M;
  let nt = i32(wg.x) * TILE_N;
  let ty = i32(lid.y);
  let tx = i32(lid.x);
  let kBegin = sliceOf(wg) * P.aScale.w;
  let kEnd = min(P.taps.w, kBegin + P.aScale.w);
  //@STAGED_PROLOGUE
  for (var k0 = kBegin; k0 < kEnd; k0 += TILE_K) {
    //@STAGED_LOAD
    workgroupBarrier();
    for (var kk = 0; kk < TILE_K; kk++) {
      //@STAGED_STEP
    }
    workgroupBarrier();
  }
  let m0 = mt + ty * TM;
  let n0 = nt + tx * TN;
  //@STAGED_EPILOGUE
}

// Unstaged: each invocation streams its TM rows of A and TN columns of B from storage; loops over taps
// then channels, so the im2col address of each row is computed once per tap.
@compute @workgroup_size(WG_X, WG_Y, 1)
fn mainDirect(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let m0 = tileRow(wg) * TILE_M + i32(lid.y) * TM;
  let n0 = i32(wg.x) * TILE_N + i32(lid.x) * TN;
  let cv = P.aDims.w / VA;
  let nb = P.wDims.w / VB;
  let cBegin = sliceOf(wg) * P.aScale.w;
  let cEnd = min(cv, cBegin + P.aScale.w);
  //@DIRECT_PROLOGUE
  for (var td = 0; td < P.taps.x; td++) {
    for (var th = 0; th < P.taps.y; th++) {
      for (var tw = 0; tw < P.taps.z; tw++) {
        let t = vec3<i32>(td, th, tw);
        let br = weightRow(t);
        //@DIRECT_TAP
        for (var c = cBegin; c < cEnd; c++) {
          //@DIRECT_STEP
        }
      }
    }
  }
  //@DIRECT_EPILOGUE
}
