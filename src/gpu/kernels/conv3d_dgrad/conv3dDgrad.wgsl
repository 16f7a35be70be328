// Filter transpose for the Conv3D input gradient: wT[tap, co, ci] = w[tap, ci, co], so that the gradient is the
// implicit GEMM dx[rows, Cin] = dy-gather[rows, taps·Cout] · wT[taps·Cout, Cin] (see ../conv3d/conv3d.wgsl).
// No workgroup memory or barriers (CPU-emulated adapters run barrier-free shaders far faster): each invocation
// moves one 4×4 block (ci × co) through registers when both channel counts are multiples of 4, else one element.

struct Dims {
  taps: u32,
  cin: u32,
  cout: u32,
  rowStride: u32, // invocations per dispatch row (2-D dispatch of large filters)
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> wT: array<f32>;
@group(0) @binding(3) var<storage, read> w4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> wT4: array<vec4<f32>>;

@compute @workgroup_size(64, 1, 1)
fn scalar(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * dims.rowStride; // index into wT: (tap, co, ci)
  let per = dims.cin * dims.cout;
  if (i >= dims.taps * per) {
    return;
  }
  let tap = i / per;
  let r = i - tap * per;
  let co = r / dims.cin;
  let ci = r - co * dims.cin;
  wT[i] = w[tap * per + ci * dims.cout + co];
}

@compute @workgroup_size(64, 1, 1)
fn blocks(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * dims.rowStride; // block (tap, co / 4, ci / 4), ci fastest
  let ci4 = dims.cin / 4u;
  let co4 = dims.cout / 4u;
  if (i >= dims.taps * ci4 * co4) {
    return;
  }
  let tap = i / (ci4 * co4);
  let r = i - tap * ci4 * co4;
  let cb = r / ci4;
  let ib = r - cb * ci4;
  let src = tap * dims.cin * co4 + ib * 4u * co4 + cb; // w4 index of (tap, 4·ib, 4·cb)
  let a = w4[src];
  let b = w4[src + co4];
  let c = w4[src + 2u * co4];
  let d = w4[src + 3u * co4];
  let dst = tap * dims.cout * ci4 + cb * 4u * ci4 + ib; // wT4 index of (tap, 4·cb, 4·ib)
  wT4[dst] = vec4<f32>(a.x, b.x, c.x, d.x);
  wT4[dst + ci4] = vec4<f32>(a.y, b.y, c.y, d.y);
  wT4[dst + 2u * ci4] = vec4<f32>(a.z, b.z, c.z, d.z);
  wT4[dst + 3u * ci4] = vec4<f32>(a.w, b.w, c.w, d.w);
}
