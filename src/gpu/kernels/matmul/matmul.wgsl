// C[M,N] = A[M,K] · B[K,N], row-major f32.
// One TILE×TILE block of C per workgroup; A and B are staged through workgroup memory one K-tile at a time.

struct Dims {
  m: u32,
  n: u32,
  k: u32,
  pad: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> dims: Dims;

const TILE: u32 = 16u;

var<workgroup> tileA: array<f32, 256>;
var<workgroup> tileB: array<f32, 256>;

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row = wg.y * TILE + lid.y;
  let col = wg.x * TILE + lid.x;
  var acc = 0.0;
  let tiles = (dims.k + TILE - 1u) / TILE;
  for (var t = 0u; t < tiles; t++) {
    let ak = t * TILE + lid.x;
    let bk = t * TILE + lid.y;
    var av = 0.0;
    if (row < dims.m && ak < dims.k) {
      av = a[row * dims.k + ak];
    }
    var bv = 0.0;
    if (bk < dims.k && col < dims.n) {
      bv = b[bk * dims.n + col];
    }
    tileA[lid.y * TILE + lid.x] = av;
    tileB[lid.y * TILE + lid.x] = bv;
    workgroupBarrier();
    for (var i = 0u; i < TILE; i++) {
      acc = fma(tileA[lid.y * TILE + i], tileB[i * TILE + lid.x], acc);
    }
    workgroupBarrier();
  }
  if (row < dims.m && col < dims.n) {
    c[row * dims.n + col] = acc;
  }
}
