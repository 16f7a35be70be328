// Shared uniform block of the batchnorm5d passes (prepended to each pass's source by batchnorm5d.ts).
// x is viewed as f32[rows, channels] with rows = N·D·H·W (channels last).
struct Params {
  rows: u32,
  channels: u32,
  rowsPerChunk: u32, // rows each workgroup of a partial-sum pass reduces
  chunks: u32, // ceil(rows / rowsPerChunk)
  eps: f32,
  momentum: f32,
  unbias: f32, // rows / (rows − 1), or 1 when rows == 1
  invRows: f32, // 1 / rows
}

@group(0) @binding(0) var<uniform> params: Params;

// Chan et al.'s merge of two (count, mean, M2) summaries.
fn mergeMoments(a: vec3f, b: vec3f) -> vec3f {
  let n = a.x + b.x;
  if (n == 0.0) {
    return vec3f(0.0);
  }
  let d = b.y - a.y;
  let f = b.x / n;
  return vec3f(n, a.y + d * f, a.z + b.z + d * d * a.x * f);
}
