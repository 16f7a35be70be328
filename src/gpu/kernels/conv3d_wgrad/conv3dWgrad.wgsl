// Conv3D filter gradient as the GEMM dW[R, Cout] = im2col(x)^T[R, M] · dy[M, Cout]: row r = (tap, ci) of the
// filter, reduction over the M = N·D'·H'·W' output positions. Split-K: workgroup z reduces one slice of M into
// its own [R, Cout] partial (conv3dWgradReduce.wgsl sums the slices; no float atomics).
// conv3dWgrad.ts fills the //@ markers: constants (tile sizes, vector widths) and unrolled register blocks.

//@CONSTS

struct Params {
  xDims: vec4<i32>, // D, H, W, Cin of x
  yDims: vec4<i32>, // D', H', W', Cout of dy
  stride: vec4<i32>,
  pad: vec4<i32>, // front padding
  dil: vec4<i32>,
  kDims: vec4<i32>, // kD, kH, kW, R = kD*kH*kW*Cin
  red: vec4<i32>, // M of this chunk, slice length, slices, accumulate into the output (0/1)
  offsets: vec4<i32>, // scalar offsets of x and dy inside their bindings
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> X: array<AT>;
@group(0) @binding(2) var<storage, read> DY: array<BT>;
@group(0) @binding(3) var<storage, read_write> OUT: array<BT>; // [slices][R][Cout]

var<workgroup> As: array<vec4<f32>, AS_LEN>; // [TILE_K][TILE_M / 4]: x, reduction-major
var<workgroup> Bs: array<vec4<f32>, BS_LEN>; // [TILE_K][TILE_N / 4]: dy, reduction-major

const INVALID: i32 = -1073741824; // a coordinate that fails every bounds test

// (kd*dilD, kh*dilH, kw*dilW, ci) of filter row r; INVALID past R.
fn tapOf(r: i32) -> vec4<i32> {
  if (r >= P.kDims.w) {
    return vec4<i32>(INVALID, INVALID, INVALID, 0);
  }
  let tap = r / P.xDims.w;
  let ci = r - tap * P.xDims.w;
  let t2 = tap / P.kDims.z;
  return vec4<i32>(vec3<i32>(t2 / P.kDims.y, t2 % P.kDims.y, tap % P.kDims.z) * P.dil.xyz, ci);
}

// (n * D, od*sD - pD, oh*sH - pH, ow*sW - pW) of output position m; INVALID at or past `end`.
fn posOf(m: i32, end: i32) -> vec4<i32> {
  if (m >= end) {
    return vec4<i32>(0, INVALID, INVALID, INVALID);
  }
  let plane = P.yDims.y * P.yDims.z;
  let per = P.yDims.x * plane;
  let n = m / per;
  var q = m - n * per;
  let od = q / plane;
  q -= od * plane;
  let oh = q / P.yDims.z;
  let ow = q - oh * P.yDims.z;
  return vec4<i32>(n * P.xDims.x, vec3<i32>(od, oh, ow) * P.stride.xyz - P.pad.xyz);
}

// x at output position p and filter row t (VA consecutive channels); zero outside x.
fn loadX(p: vec4<i32>, t: vec4<i32>) -> AT {
  let c = p.yzw + t.xyz;
  let inside = all(vec3<u32>(c) < vec3<u32>(P.xDims.xyz));
  let index = (((p.x + c.x) * P.xDims.y + c.y) * P.xDims.z + c.z) * P.xDims.w + t.w + P.offsets.x;
  return select(AT(0.0), X[index / VA], inside);
}

// Scalar index of OUT[slice, r, 0].
fn outRow(slice: i32, r: i32) -> i32 {
  return (slice * P.kDims.w + r) * P.yDims.w;
}

fn sliceOf(wg: vec3<u32>) -> vec2<i32> {
  let start = i32(wg.z) * P.red.y;
  return vec2<i32>(start, min(P.red.x, start + P.red.y));
}

// Staged: x and dy tiles pass through workgroup memory, TILE_K positions per round.
@compute @workgroup_size(WG_X, WG_Y, 1)
fn mainStaged(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let tid = i32(li);
  let rt = i32(wg.y) * TILE_M;
  let nt = i32(wg.x) * TILE_N;
  let ty = i32(lid.y);
  let tx = i32(lid.x);
  let span = sliceOf(wg);
  //@STAGED_PROLOGUE
  for (var k0 = span.x; k0 < span.y; k0 += TILE_K) {
    //@STAGED_LOAD
    workgroupBarrier();
    for (var kk = 0; kk < TILE_K; kk++) {
      //@STAGED_STEP
    }
    workgroupBarrier();
  }
  let slice = i32(wg.z);
  let r0 = rt + ty * TM;
  let n0 = nt + tx * TN;
  //@STAGED_EPILOGUE
}

// Unstaged: each invocation owns TM filter rows × TN channels and walks its slice position by position; the
// x row address of each tap is recomputed only when the walk leaves a line of W'.
@compute @workgroup_size(WG_X, WG_Y, 1)
fn mainDirect(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r0 = i32(wg.y) * TILE_M + i32(lid.y) * TM;
  let n0 = i32(wg.x) * TILE_N + i32(lid.x) * TN;
  let span = sliceOf(wg);
  let slice = i32(wg.z);
  let cin = P.xDims.w;
  let nb = P.yDims.w / VB;
  //@DIRECT_PROLOGUE
  if (span.x < span.y) {
    let plane = P.yDims.y * P.yDims.z;
    let per = P.yDims.x * plane;
    var n = span.x / per;
    var q = span.x - n * per;
    var od = q / plane;
    q -= od * plane;
    var oh = q / P.yDims.z;
    var ow = q - oh * P.yDims.z;
    var m = span.x;
    loop {
      let id = od * P.stride.x - P.pad.x;
      let ih = oh * P.stride.y - P.pad.y;
      let line = (n * P.xDims.x + id) * P.xDims.y + ih; // (n, id, ih) row of x before the tap offsets
      //@DIRECT_LINE
      var iw = ow * P.stride.z - P.pad.z;
      let lineEnd = min(span.y, m + P.yDims.z - ow);
      for (; m + 1 < lineEnd; m += 2) {
        //@DIRECT_STEP2
        iw += 2 * P.stride.z;
      }
      if (m < lineEnd) {
        //@DIRECT_STEP
        m++;
        iw += P.stride.z;
      }
      if (m >= span.y) {
        break;
      }
      ow = 0;
      oh++;
      if (oh == P.yDims.y) {
        oh = 0;
        od++;
        if (od == P.yDims.x) {
          od = 0;
          n++;
        }
      }
    }
  }
  //@DIRECT_EPILOGUE
}
