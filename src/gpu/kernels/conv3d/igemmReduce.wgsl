// Second pass of the split-K implicit GEMM (conv3d.wgsl with SPLIT): C[m, col] = epilogue(sum over slices of
// partials[s, m, col]), written at the NDHWC row outRow(m) of the output (same row mapping as the GEMM's
// epilogue). One invocation per element; igemm.ts fills the //@ marker (HAS_BIAS, RELU and biasAt).

//@CONSTS

struct Params {
  rows: vec4<i32>, // row grid per batch item (Rd, Rh, Rw) and M
  oDims: vec4<i32>, // output per batch item: D, H, W and N (columns)
  oScale: vec4<i32>, // output coordinate = row coordinate * oScale + oOff; w: slices
  oOff: vec4<i32>, // w: scalar offset of the output inside its binding
  misc: vec4<i32>, // x: output rows contiguous (1) or mapped (0); y: invocations per dispatch row
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;

fn outRow(m: i32) -> i32 {
  let n = P.oDims.w;
  if (P.misc.x != 0) {
    return m * n + P.oOff.w;
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
  return (((b * P.oDims.x + o.x) * P.oDims.y + o.y) * P.oDims.z + o.z) * n + P.oOff.w;
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = i32(gid.x) + i32(gid.y) * P.misc.y;
  let n = P.oDims.w;
  let size = P.rows.w * n;
  if (i >= size) {
    return;
  }
  var sum = 0.0;
  for (var s = 0; s < P.oScale.w; s++) {
    sum += partials[s * size + i];
  }
  let m = i / n;
  let col = i - m * n;
  if (HAS_BIAS) {
    sum += biasAt(col);
  }
  if (RELU) {
    sum = max(sum, 0.0);
  }
  C[outRow(m) + col] = sum;
}
