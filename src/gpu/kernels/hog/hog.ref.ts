// CPU reference for the HOG-target kernel: scikit-image 0.19's `hog(channel, orientations=9,
// pixels_per_cell=(8,8), cells_per_block=(1,1), block_norm='L2', feature_vector=False)` per RGB channel, with
// skimage's own roundings (f32 gradients and cell sums, f64 angles). Pure; any thread.

/** Pixels per cell side, orientation bins, colour channels and the L2 block-norm epsilon (as skimage). */
export const HOG_CELL = 8;
export const HOG_BINS = 9;
export const HOG_CHANNELS = 3;
export const HOG_EPS = 1e-5;

/** x: f32[batch, height, width, 3] (NHWC). height and width ≥ 8; trailing rows/columns beyond the last full
 *  cell are dropped (they still act as gradient neighbours), exactly as skimage drops partial cells. */
export interface HogDims {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
}

/**
 * How a pixel's orientation is binned.
 * - `skimage`: angle = rad2deg(atan2(g_row, g_col)) mod 180 in f64; bin i holds [20i, 20(i+1)); an angle that
 *   rounds to 180.0 falls in no bin (skimage's behaviour).
 * - `f32-cross`: what the WGSL kernel does: fold the gradient into the upper half-plane, then bin = number of
 *   bin edges θk = 20k° (k = 1..8) with fround(cos θk·g_row − sin θk·g_col) ≥ 0, in f32 with f32 constants.
 *   Differs from `skimage` only for pixels within ~1e-7 rad of a bin edge.
 */
export type HogBinning = 'skimage' | 'f32-cross';

export interface HogRefOptions {
  readonly binning?: HogBinning;
}

/** Output shape [batch, height/8, width/8, 3, 9] (floors), row-major: the 27 values of a cell are contiguous,
 *  channel-major then bin. */
export function hogOutputShape(dims: HogDims): [number, number, number, number, number] {
  return [
    dims.batch,
    Math.floor(dims.height / HOG_CELL),
    Math.floor(dims.width / HOG_CELL),
    HOG_CHANNELS,
    HOG_BINS,
  ];
}

export function validateHogDims(dims: HogDims): void {
  for (const [name, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v <= 0)
      throw new RangeError(`hog: ${name} must be a positive integer, got ${v}`);
  }
  if (dims.height < HOG_CELL || dims.width < HOG_CELL) {
    throw new RangeError(
      `hog: frames must be at least ${HOG_CELL}×${HOG_CELL}, got ${dims.height}×${dims.width}`,
    );
  }
}

/** f32 cos/sin of the bin edges 20k°, k = 1..8: the constants the WGSL kernel hard-codes. */
export const HOG_EDGE_COS: readonly number[] = Array.from({ length: HOG_BINS - 1 }, (_, i) =>
  Math.fround(Math.cos(((i + 1) * Math.PI) / HOG_BINS)),
);
export const HOG_EDGE_SIN: readonly number[] = Array.from({ length: HOG_BINS - 1 }, (_, i) =>
  Math.fround(Math.sin(((i + 1) * Math.PI) / HOG_BINS)),
);

const RAD2DEG = 180.0 / Math.PI; // numpy's rad2deg multiplies by this constant
const DEG_PER_BIN = 180.0 / HOG_BINS; // 20.0 exactly

/** skimage's bin for a gradient, or -1 when its angle rounds to 180.0 (then it votes nowhere). */
function binSkimage(gRow: number, gCol: number): number {
  let deg = Math.atan2(gRow, gCol) * RAD2DEG;
  deg = deg % 180; // numpy.remainder: fmod, then shift into the divisor's sign; -0 becomes +0
  if (deg < 0) deg += 180;
  else if (deg === 0) deg = 0;
  for (let i = 0; i < HOG_BINS; i++) {
    if (deg >= DEG_PER_BIN * i && deg < DEG_PER_BIN * (i + 1)) return i;
  }
  return -1;
}

/** The kernel's bin for a gradient (see HogBinning). gRow and gCol are f32 values. */
export function binF32Cross(gRow: number, gCol: number): number {
  let gy = gRow;
  let gx = gCol;
  if (gy < 0 || (gy === 0 && gx < 0)) {
    gy = -gy;
    gx = -gx;
  }
  let bin = 0;
  for (let k = 0; k < HOG_BINS - 1; k++) {
    const cross = Math.fround(
      Math.fround((HOG_EDGE_COS[k] ?? 0) * gy) - Math.fround((HOG_EDGE_SIN[k] ?? 0) * gx),
    );
    if (cross >= 0) bin++;
  }
  return bin;
}

/** HOG targets for f32[B,H,W,3] frames → f32[B, H/8, W/8, 3, 9] (see hogOutputShape). */
export function hogRef(x: Float32Array, dims: HogDims, opts: HogRefOptions = {}): Float32Array {
  validateHogDims(dims);
  const { batch, height: h, width: w } = dims;
  if (x.length !== batch * h * w * HOG_CHANNELS) {
    throw new RangeError(`hogRef: x has ${x.length} values, expected ${batch}·${h}·${w}·${HOG_CHANNELS}`);
  }
  const binOf = opts.binning === 'f32-cross' ? binF32Cross : binSkimage;
  const [, cellsY, cellsX] = hogOutputShape(dims);
  const out = new Float32Array(batch * cellsY * cellsX * HOG_CHANNELS * HOG_BINS);
  const mag = new Float64Array(h * w);
  const bin = new Int32Array(h * w);
  const at = (b: number, y: number, xx: number, c: number): number =>
    x[((b * h + y) * w + xx) * HOG_CHANNELS + c] ?? 0;
  const hist = new Float64Array(HOG_BINS);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < HOG_CHANNELS; c++) {
      // Central differences in the image's dtype (f32); zero on the image's outer rows/columns.
      for (let y = 0; y < h; y++) {
        for (let xx = 0; xx < w; xx++) {
          const gRow = y > 0 && y < h - 1 ? Math.fround(at(b, y + 1, xx, c) - at(b, y - 1, xx, c)) : 0;
          const gCol = xx > 0 && xx < w - 1 ? Math.fround(at(b, y, xx + 1, c) - at(b, y, xx - 1, c)) : 0;
          mag[y * w + xx] = Math.hypot(gRow, gCol);
          bin[y * w + xx] = binOf(gRow, gCol);
        }
      }
      for (let cy = 0; cy < cellsY; cy++) {
        for (let cx = 0; cx < cellsX; cx++) {
          for (let k = 0; k < HOG_BINS; k++) {
            let total = 0; // skimage's cell_hog accumulates in a C float, row-major over the cell
            for (let py = 0; py < HOG_CELL; py++) {
              for (let px = 0; px < HOG_CELL; px++) {
                const i = (cy * HOG_CELL + py) * w + cx * HOG_CELL + px;
                if (bin[i] === k) total = Math.fround(total + (mag[i] ?? 0));
              }
            }
            hist[k] = total / (HOG_CELL * HOG_CELL);
          }
          let sumSq = 0;
          for (let k = 0; k < HOG_BINS; k++) sumSq += (hist[k] ?? 0) ** 2;
          const norm = Math.sqrt(sumSq + HOG_EPS * HOG_EPS);
          const base = (((b * cellsY + cy) * cellsX + cx) * HOG_CHANNELS + c) * HOG_BINS;
          for (let k = 0; k < HOG_BINS; k++) out[base + k] = (hist[k] ?? 0) / norm;
        }
      }
    }
  }
  return out;
}
