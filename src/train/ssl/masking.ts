// Token-mask generators for masked video pretraining (pure; compute worker or tests): VideoMAE tube masking and
// PySlowFast MaskFeat cube masking (`MaskingGenerator3D`), seeded with the shared Rng. Masks are Uint8Array in
// (t, h, w) raster order, 1 = masked.
import { TubeletError } from '../../shared/errors.ts';
import type { Rng } from '../../shared/random.ts';

/** A token grid: temporal slots × rows × columns. */
export interface MaskGrid {
  readonly t: number;
  readonly h: number;
  readonly w: number;
}

function checkGrid(g: MaskGrid): void {
  for (const [k, v] of Object.entries(g))
    if (!Number.isInteger(v) || (v as number) <= 0)
      throw new TubeletError(
        'INVALID_ARGUMENT',
        `mask grid ${k} must be a positive integer, got ${String(v)}`,
      );
}

function checkRatio(ratio: number): void {
  if (!(ratio >= 0 && ratio < 1))
    throw new TubeletError('INVALID_ARGUMENT', `mask ratio must be in [0, 1), got ${ratio}`);
}

/**
 * VideoMAE `TubeMaskingGenerator`: one random spatial mask with ⌊ratio·h·w⌋ masked cells, tiled over every temporal
 * slot (so each masked position is a tube through time). Returns u8[t·h·w].
 */
export function tubeMask(grid: MaskGrid, ratio: number, rng: Rng): Uint8Array {
  checkGrid(grid);
  checkRatio(ratio);
  const hw = grid.h * grid.w;
  const frame = new Uint8Array(hw);
  const nMask = Math.floor(ratio * hw);
  frame.fill(1, 0, nMask);
  for (let i = hw - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = frame[i] ?? 0;
    frame[i] = frame[j] ?? 0;
    frame[j] = tmp;
  }
  const out = new Uint8Array(grid.t * hw);
  for (let t = 0; t < grid.t; t++) out.set(frame, t * hw);
  return out;
}

/** One accepted MaskFeat block: [front, front+dt) × [top, top+dh) × [left, left+dw). */
export interface MaskCube {
  readonly front: number;
  readonly top: number;
  readonly left: number;
  readonly dt: number;
  readonly dh: number;
  readonly dw: number;
}

export interface CubeMaskOptions {
  /** smallest block area in cells (PySlowFast: ⌊h·w/5⌋) */
  readonly minArea?: number;
  /** largest block area in cells (PySlowFast: h·w) */
  readonly maxArea?: number;
  /** block aspect ratio range, sampled log-uniformly (default [0.3, 1/0.3]) */
  readonly aspect?: readonly [number, number];
  /** temporal extent range, inclusive (default [1, t]) */
  readonly frames?: readonly [number, number];
  readonly tries?: number;
}

export interface CubeMaskResult {
  readonly mask: Uint8Array;
  readonly cubes: readonly MaskCube[];
  /** round(ratio·t·h·w): the budget the generator fills up to (never exceeds) */
  readonly target: number;
}

/** Uniform integer in [lo, hi] inclusive (Python's random.randint). */
const randint = (rng: Rng, lo: number, hi: number): number => lo + rng.int(hi - lo + 1);

/**
 * PySlowFast `MaskingGenerator3D` (MaskFeat cube mode; ratio 0.4 on an [8,7,7] window in the published config):
 * random 3-D boxes (area in [minArea, maxArea], log-uniform aspect, temporal extent in `frames`) are added while
 * each adds new cells without passing the remaining budget, until round(ratio·cells) cells are masked or a block
 * fails `tries` times.
 */
export function cubeMask(
  grid: MaskGrid,
  ratio: number,
  rng: Rng,
  opts: CubeMaskOptions = {},
): CubeMaskResult {
  checkGrid(grid);
  checkRatio(ratio);
  const { t: T, h: H, w: W } = grid;
  const minArea = opts.minArea ?? Math.floor((H * W) / 5);
  const maxArea = opts.maxArea ?? H * W;
  const [a0, a1] = opts.aspect ?? [0.3, 1 / 0.3];
  const [f0, f1] = opts.frames ?? [1, T];
  const tries = opts.tries ?? 100;
  const logAspect: [number, number] = [Math.log(a0), Math.log(a1)];
  const mask = new Uint8Array(T * H * W);
  const cubes: MaskCube[] = [];
  const target = Math.round(ratio * T * H * W);
  const at = (t: number, y: number, x: number): number => (t * H + y) * W + x;

  const addOne = (budget: number): number => {
    for (let attempt = 0; attempt < tries; attempt++) {
      const area = rng.uniform(minArea, maxArea);
      const aspect = Math.exp(rng.uniform(logAspect[0], logAspect[1]));
      const dh = Math.round(Math.sqrt(area * aspect));
      const dw = Math.round(Math.sqrt(area / aspect));
      const dt = randint(rng, f0, f1);
      if (!(dw < W && dh < H) || dt > T) continue;
      const top = randint(rng, 0, H - dh);
      const left = randint(rng, 0, W - dw);
      const front = randint(rng, 0, T - dt);
      let already = 0;
      for (let t = front; t < front + dt; t++)
        for (let y = top; y < top + dh; y++)
          for (let x = left; x < left + dw; x++) already += mask[at(t, y, x)] ?? 0;
      const added = dt * dh * dw - already;
      if (added > 0 && added <= budget) {
        for (let t = front; t < front + dt; t++)
          for (let y = top; y < top + dh; y++) for (let x = left; x < left + dw; x++) mask[at(t, y, x)] = 1;
        cubes.push({ front, top, left, dt, dh, dw });
        return added;
      }
    }
    return 0;
  };

  let count = 0;
  while (count < target) {
    const delta = addOne(Math.min(target - count, maxArea * T));
    if (delta === 0) break;
    count += delta;
  }
  return { mask, cubes, target };
}

/** Nearest-neighbour upsampling of a mask grid to a finer token grid (each factor an integer). Returns u8. */
export function upsampleMask(mask: Uint8Array, from: MaskGrid, to: MaskGrid): Uint8Array {
  checkGrid(from);
  checkGrid(to);
  if (mask.length !== from.t * from.h * from.w)
    throw new TubeletError(
      'INVALID_ARGUMENT',
      `mask has ${mask.length} cells, grid needs ${from.t * from.h * from.w}`,
    );
  const ft = to.t / from.t;
  const fh = to.h / from.h;
  const fw = to.w / from.w;
  if (![ft, fh, fw].every((f) => Number.isInteger(f) && f >= 1))
    throw new TubeletError(
      'INVALID_ARGUMENT',
      'upsampleMask: target grid must be an integer multiple of the source',
    );
  const out = new Uint8Array(to.t * to.h * to.w);
  for (let t = 0; t < to.t; t++)
    for (let y = 0; y < to.h; y++)
      for (let x = 0; x < to.w; x++)
        out[(t * to.h + y) * to.w + x] =
          mask[(Math.floor(t / ft) * from.h + Math.floor(y / fh)) * from.w + Math.floor(x / fw)] ?? 0;
  return out;
}
