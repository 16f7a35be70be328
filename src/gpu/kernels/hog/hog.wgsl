// HOG targets (MaskFeat) as scikit-image computes them per channel: f32[B,H,W,3] NHWC → f32[B,H/8,W/8,3,9].
// One workgroup = CELLS_PER_WG horizontally adjacent 8×8 cells of one frame, one thread per pixel. Each thread
// casts its own vote per channel (gradient magnitude + orientation bin) into workgroup memory; then one thread
// per (cell, channel, bin) sums its cell's votes in skimage's row-major order, and each cell-channel's 9 bins
// are L2-normalised (v / sqrt(Σv² + eps²)). No atomics. The frame size is baked in as override constants
// (one pipeline per frame size, no uniform buffer); the frame index is workgroup_id.z.

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

override HEIGHT: u32;
override WIDTH: u32;
override CELLS_Y: u32; // HEIGHT / 8, floored
override CELLS_X: u32; // WIDTH / 8, floored

const CELL: u32 = 8u;
const CELLS_PER_WG: u32 = 4u;
const TILE_W: u32 = 32u; // CELL * CELLS_PER_WG
const PIXELS: u32 = 256u; // TILE_W * CELL, the workgroup size
const CH: u32 = 3u;
const BINS: u32 = 9u;
const CELL_VALUES: u32 = 27u; // CH * BINS
const SUMS: u32 = 108u; // CELLS_PER_WG * CELL_VALUES
const EPS2: f32 = 1e-10; // skimage's eps = 1e-5, squared

// f32 cos and sin of the bin edges k·20°, k = 1..8, as bit patterns (hog.ref.ts HOG_EDGE_COS / HOG_EDGE_SIN).
const EDGE_COS = array<u32, 8>(
  0x3f708fb2u, 0x3f441b7du, 0x3f000000u, 0x3e31d0d4u, 0xbe31d0d4u, 0xbf000000u, 0xbf441b7du, 0xbf708fb2u,
);
const EDGE_SIN = array<u32, 8>(
  0x3eaf1d44u, 0x3f248dbbu, 0x3f5db3d7u, 0x3f7c1c5cu, 0x3f7c1c5cu, 0x3f5db3d7u, 0x3f248dbbu, 0x3eaf1d44u,
);

var<workgroup> voteMag: array<f32, 768>; // [channel][row in cell][column in tile]
var<workgroup> voteBin: array<u32, 768>;
var<workgroup> hist: array<f32, 108>; // [cell in tile][channel][bin]

fn pixel(b: u32, y: u32, col: u32, c: u32) -> f32 {
  return x[((b * HEIGHT + y) * WIDTH + col) * CH + c];
}

// Unsigned orientation bin of (g_row, g_col): fold into the upper half-plane (angle in [0°, 180°)), then count
// the bin edges at or below the angle with f32 cross products (no atan2, so no approximation near edges
// beyond f32 rounding).
fn orientationBin(gRow: f32, gCol: f32) -> u32 {
  var gy = gRow;
  var gx = gCol;
  if (gy < 0.0 || (gy == 0.0 && gx < 0.0)) {
    gy = -gy;
    gx = -gx;
  }
  var bin = 0u;
  for (var k = 0u; k < BINS - 1u; k++) {
    let cross = bitcast<f32>(EDGE_COS[k]) * gy - bitcast<f32>(EDGE_SIN[k]) * gx;
    bin += select(0u, 1u, cross >= 0.0);
  }
  return bin;
}

@compute @workgroup_size(32, 8, 1)
fn main(
  @builtin(workgroup_id) wg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
  @builtin(local_invocation_index) li: u32,
) {
  let b = wg.z;
  let cy = wg.y;
  let px = wg.x * TILE_W + lid.x;
  let py = cy * CELL + lid.y;
  // Pixels of cells past the last full cell (and of tiles past the frame) vote nothing.
  let inCell = px < CELLS_X * CELL;
  for (var c = 0u; c < CH; c++) {
    var mag = 0.0;
    var bin = 0u;
    if (inCell) {
      // Central differences, zero on the frame's outer rows/columns (skimage's _hog_channel_gradient).
      var gRow = 0.0;
      var gCol = 0.0;
      if (py > 0u && py + 1u < HEIGHT) {
        gRow = pixel(b, py + 1u, px, c) - pixel(b, py - 1u, px, c);
      }
      if (px > 0u && px + 1u < WIDTH) {
        gCol = pixel(b, py, px + 1u, c) - pixel(b, py, px - 1u, c);
      }
      mag = sqrt(gRow * gRow + gCol * gCol);
      bin = orientationBin(gRow, gCol);
    }
    let slot = c * PIXELS + lid.y * TILE_W + lid.x;
    voteMag[slot] = mag;
    voteBin[slot] = bin;
  }
  workgroupBarrier();

  if (li < SUMS) {
    let q = li / CELL_VALUES;
    let r = li % CELL_VALUES;
    let c = r / BINS;
    let k = r % BINS;
    var total = 0.0;
    for (var yy = 0u; yy < CELL; yy++) {
      for (var xx = 0u; xx < CELL; xx++) {
        let slot = c * PIXELS + yy * TILE_W + q * CELL + xx;
        total += select(0.0, voteMag[slot], voteBin[slot] == k);
      }
    }
    hist[li] = total / f32(CELL * CELL);
  }
  workgroupBarrier();

  if (li < SUMS) {
    let base = li - li % BINS;
    var sumSq = 0.0;
    for (var k = 0u; k < BINS; k++) {
      let v = hist[base + k];
      sumSq += v * v;
    }
    let cx = wg.x * CELLS_PER_WG + li / CELL_VALUES;
    if (cx < CELLS_X) {
      out[((b * CELLS_Y + cy) * CELLS_X + cx) * CELL_VALUES + li % CELL_VALUES] = hist[li] / sqrt(sumSq + EPS2);
    }
  }
}
