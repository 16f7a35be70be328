// Filter transpose for the Conv3D input gradient: wT[tap, co, ci] = w[tap, ci, co], so that the gradient is the
// implicit GEMM dx[rows, Cin] = dy-gather[rows, taps·Cout] · wT[taps·Cout, Cin] (see ../conv3d/conv3d.wgsl).
// One invocation per 4 output elements along ci; a 16×16 tile of (co, ci) goes through workgroup memory.

struct Dims {
  taps: u32,
  cin: u32,
  cout: u32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> wT: array<f32>;

var<workgroup> tile: array<array<f32, 17>, 16>;

// Workgroup (x: ci tile, y: co tile, z: tap); reads coalesced along co, writes coalesced along ci.
@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tap = wg.z;
  let ci0 = wg.x * 16u;
  let co0 = wg.y * 16u;
  let base = tap * dims.cin * dims.cout;
  // read: thread (x, y) loads w[tap, ci0 + y, co0 + x]
  let ciR = ci0 + lid.y;
  let coR = co0 + lid.x;
  if (ciR < dims.cin && coR < dims.cout) {
    tile[lid.y][lid.x] = w[base + ciR * dims.cout + coR];
  }
  workgroupBarrier();
  // write: thread (x, y) stores wT[tap, co0 + y, ci0 + x]
  let coW = co0 + lid.y;
  let ciW = ci0 + lid.x;
  if (ciW < dims.cin && coW < dims.cout) {
    wT[base + coW * dims.cin + ciW] = tile[lid.x][lid.y];
  }
}
