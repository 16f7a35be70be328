// Per-clip augmentation parameters (pure; compute worker): crop boxes (random-resized, multi-scale, jitter-scale,
// centre), flip and a colour transform, drawn once per clip from the run's seeded Rng so every frame of a clip gets
// the same transform. ./augment.ts applies them on the GPU.
import type { Rng } from '../shared/random.ts';
import type { AugmentationConfig, CropConfig } from './config.ts';

/** A crop of source rows [top, top+height) and columns [left, left+width). */
export interface CropBox {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

export interface ClipAugParams {
  readonly box: CropBox;
  readonly flip: boolean;
  /** Brightness factor, then contrast factor around the clip's mean gray level. */
  readonly brightness: number;
  readonly contrast: number;
  /** 3×3 row-major colour matrix applied to RGB column vectors after contrast (saturation, hue, grayscale). */
  readonly colorMatrix: readonly number[];
}

/** ITU-R BT.601 luma weights (torchvision's rgb_to_grayscale). */
export const LUMA: readonly [number, number, number] = [0.299, 0.587, 0.114];
const IDENTITY = [1, 0, 0, 0, 1, 0, 0, 0, 1];

function mat3(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++)
      for (let k = 0; k < 3; k++)
        out[i * 3 + j] = (out[i * 3 + j] ?? 0) + (a[i * 3 + k] ?? 0) * (b[k * 3 + j] ?? 0);
  return out;
}

/** s·I + (1 − s)·gray: s = 0 is grayscale, 1 the identity. */
export function saturationMatrix(s: number): number[] {
  return IDENTITY.map((v, i) => s * v + (1 - s) * (LUMA[i % 3] ?? 0));
}

const YIQ = [0.299, 0.587, 0.114, 0.596, -0.274, -0.322, 0.211, -0.523, 0.312];
function inverse3(m: readonly number[]): number[] {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0, i = 0] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A,
    -(b * i - c * h),
    b * f - c * e,
    B,
    a * i - c * g,
    -(a * f - c * d),
    C,
    -(a * h - b * g),
    a * e - b * d,
  ].map((v) => v / det);
}
const YIQ_INV = inverse3(YIQ);

/** Hue rotation by `shift` of a full turn (in [−0.5, 0.5]) as a rotation of the I/Q chroma plane (linear in RGB). */
export function hueMatrix(shift: number): number[] {
  const t = 2 * Math.PI * shift;
  const r = [1, 0, 0, 0, Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t)];
  return mat3(YIQ_INV, mat3(r, YIQ));
}

function randomResized(
  c: Extract<CropConfig, { kind: 'random-resized' }>,
  h: number,
  w: number,
  rng: Rng,
): CropBox {
  const area = h * w;
  const logLo = Math.log(c.ratio[0]);
  const logHi = Math.log(c.ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(c.scale[0], c.scale[1]);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const cw = Math.round(Math.sqrt(target * aspect));
    const ch = Math.round(Math.sqrt(target / aspect));
    if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
      return { top: rng.int(h - ch + 1), left: rng.int(w - cw + 1), height: ch, width: cw };
    }
  }
  // torchvision's fallback: the whole image clamped to the ratio range, centred
  const ratio = w / h;
  let cw = w;
  let ch = h;
  if (ratio < c.ratio[0]) ch = Math.round(w / c.ratio[0]);
  else if (ratio > c.ratio[1]) cw = Math.round(h * c.ratio[1]);
  return { top: Math.floor((h - ch) / 2), left: Math.floor((w - cw) / 2), height: ch, width: cw };
}

function multiScale(
  c: Extract<CropConfig, { kind: 'multi-scale' }>,
  h: number,
  w: number,
  rng: Rng,
): CropBox {
  const base = Math.min(h, w);
  const sizes = c.scales.map((s) => Math.trunc(base * s));
  const pairs: [number, number][] = [];
  for (const [i, cw] of sizes.entries()) {
    for (const [j, ch] of sizes.entries()) if (Math.abs(i - j) <= c.maxWhScaleGap) pairs.push([cw, ch]);
  }
  const [cw, ch] = pairs[rng.int(pairs.length)] ?? [base, base];
  if (c.randomCrop) return { top: rng.int(h - ch + 1), left: rng.int(w - cw + 1), height: ch, width: cw };
  // MMAction2's 13 fixed offsets on a 4×4 grid of steps
  const ws = Math.floor((w - cw) / 4);
  const hs = Math.floor((h - ch) / 4);
  const grid = [
    [0, 0],
    [4, 0],
    [0, 4],
    [4, 4],
    [2, 2],
    [0, 2],
    [4, 2],
    [2, 4],
    [2, 0],
    [1, 1],
    [3, 1],
    [1, 3],
    [3, 3],
  ] as const;
  const [gx, gy] = grid[rng.int(grid.length)] ?? [2, 2];
  return { top: gy * hs, left: gx * ws, height: ch, width: cw };
}

function jitterScale(
  c: Extract<CropConfig, { kind: 'jitter-scale' }>,
  size: number,
  h: number,
  w: number,
  rng: Rng,
): CropBox {
  const lo = Math.round(c.shortSide[0]);
  const short = lo + rng.int(Math.round(c.shortSide[1]) - lo + 1);
  const side = Math.min(h, w, Math.max(1, Math.round((size * Math.min(h, w)) / short)));
  return { top: rng.int(h - side + 1), left: rng.int(w - side + 1), height: side, width: side };
}

/** The largest centred square: the validation crop. */
export function centerBox(h: number, w: number): CropBox {
  const side = Math.min(h, w);
  return { top: Math.floor((h - side) / 2), left: Math.floor((w - side) / 2), height: side, width: side };
}

/** Draws one clip's training augmentation for h×w source frames and cropSize² outputs. */
export function sampleClipParams(
  cfg: AugmentationConfig,
  cropSize: number,
  h: number,
  w: number,
  rng: Rng,
): ClipAugParams {
  const c = cfg.crop;
  const box =
    c.kind === 'random-resized'
      ? randomResized(c, h, w, rng)
      : c.kind === 'multi-scale'
        ? multiScale(c, h, w, rng)
        : c.kind === 'jitter-scale'
          ? jitterScale(c, cropSize, h, w, rng)
          : centerBox(h, w);
  const flip = rng.next() < cfg.flipProb;
  let brightness = 1;
  let contrast = 1;
  let color = IDENTITY;
  const j = cfg.colorJitter;
  if (j && rng.next() < j.prob) {
    const factor = (amount: number): number => rng.uniform(Math.max(0, 1 - amount), 1 + amount);
    brightness = factor(j.brightness);
    contrast = factor(j.contrast);
    const saturation = factor(j.saturation);
    const hue = rng.uniform(-j.hue, j.hue);
    color = mat3(hueMatrix(hue), saturationMatrix(saturation));
  }
  if (rng.next() < cfg.grayscaleProb) color = mat3(saturationMatrix(0), color);
  return { box, flip, brightness, contrast, colorMatrix: color };
}

/**
 * Validation: a centred square, no flip, no colour change. After PySlowFast's jitter-scale training crop it is
 * PySlowFast's test view (short side resized to the smallest training scale, then the centre cropSize²), so
 * objects have the size they had in training; otherwise the largest centred square.
 */
export function evalClipParams(
  h: number,
  w: number,
  crop?: AugmentationConfig['crop'],
  cropSize?: number,
): ClipAugParams {
  let box = centerBox(h, w);
  if (crop?.kind === 'jitter-scale' && cropSize !== undefined) {
    const short = Math.min(h, w);
    const side = Math.min(short, Math.max(1, Math.round((cropSize * short) / crop.shortSide[0])));
    box = { top: Math.floor((h - side) / 2), left: Math.floor((w - side) / 2), height: side, width: side };
  }
  return { box, flip: false, brightness: 1, contrast: 1, colorMatrix: IDENTITY };
}
