// Shared block of the layernorm passes (prepended by layernorm.ts). x is viewed as f32[rows, cols]; LayerNorm
// normalises each row. Row passes use one 64-thread workgroup per row, the row index folded into (x, y).
struct Params {
  rows: u32,
  cols: u32,
  gridX: u32, // workgroups along x of the row passes
  chunkRows: u32, // rows per workgroup of the dgamma/dbeta partial pass
  chunks: u32, // ceil(rows / chunkRows)
  eps: f32,
  invCols: f32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;

const WG: u32 = 64u;

var<workgroup> red: array<vec2f, 64>;

// Sum of v over the workgroup (all 64 invocations must call it in uniform control flow).
fn workgroupSum(li: u32, v: vec2f) -> vec2f {
  red[li] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (li < s) {
      red[li] += red[li + s];
    }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}
