// Toy Actions rendering (pure; any thread, Node tests included): class-independent clip parameters drawn from
// the seeded Rng, the object's pose per frame, and frames drawn into RGBA buffers (signed-distance shapes with
// one-pixel anti-aliasing over a static background, plus fresh per-frame noise). No canvas: the same bytes
// come out in Node and in every browser, which keeps the dataset reproducible from its seed.
import { Rng } from '../../shared/random.ts';
import { TOY_CLASSES, type ToyMotion } from './classes.ts';

export type Rgb = readonly [number, number, number];

export const TOY_SHAPES = ['square', 'disc', 'triangle', 'cross', 'bar'] as const;
export type ToyShape = (typeof TOY_SHAPES)[number];

/** Largest distance from the centre to the shape's outline, in units of `radius`. */
const EXTENT: Record<ToyShape, number> = { square: 0.99, disc: 0.92, triangle: 1, cross: 0.98, bar: 1 };

export interface ToyBackground {
  readonly kind: 'solid' | 'gradient' | 'checker';
  readonly c0: Rgb;
  readonly c1: Rgb;
  /** Gradient direction (radians) or checker rotation. */
  readonly angle: number;
  /** Checker cell side in pixels. */
  readonly cell: number;
}

/** Everything about a clip except its class; drawn independently of the class. */
export interface ToyClipParams {
  readonly size: number;
  readonly frames: number;
  readonly shape: ToyShape;
  readonly fg: Rgb;
  readonly background: ToyBackground;
  /** Pose at the middle of the clip: centre (px), circumradius (px), angle (rad). */
  readonly cx: number;
  readonly cy: number;
  readonly radius: number;
  readonly angle: number;
  /** Motion per frame for each kind of class: px (translate), rad (rotate), log-scale (scale). */
  readonly speedPx: number;
  readonly spinRad: number;
  readonly growth: number;
  /** Standard deviation of the per-pixel noise (0..255 scale), fresh every frame. */
  readonly noise: number;
  readonly noiseSeed: number;
}

export interface ToyPose {
  readonly cx: number;
  readonly cy: number;
  readonly radius: number;
  readonly angle: number;
}

const luma = (c: Rgb): number => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
const clamp8 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

function randomRgb(rng: Rng): Rgb {
  return [rng.int(256), rng.int(256), rng.int(256)];
}

/** A colour at least `minContrast` luma levels away from `from` (drawn, else pushed to the far side). */
function contrastingRgb(rng: Rng, from: Rgb, minContrast: number): Rgb {
  for (let i = 0; i < 32; i++) {
    const c = randomRgb(rng);
    if (Math.abs(luma(c) - luma(from)) >= minContrast) return c;
  }
  return luma(from) > 127 ? [20, 20, 20] : [235, 235, 235];
}

/**
 * Draws the parameters of one clip of `frames` frames at `size`×`size`. Ranges scale with the size; the
 * total motion over the clip (travel 18–28 px at 64², a 120–260° turn, a 1.8–3× size change) does not
 * depend on the frame count. The centre keeps every class's trajectory inside the frame.
 */
export function sampleClipParams(rng: Rng, size: number, frames: number): ToyClipParams {
  const s = size / 64;
  const steps = Math.max(1, frames - 1);
  const shape = TOY_SHAPES[rng.int(TOY_SHAPES.length)] ?? 'square';
  const radius = s * rng.uniform(10, 14);
  const travel = s * rng.uniform(18, 28);
  const turn = (rng.uniform(120, 260) * Math.PI) / 180;
  const ratio = rng.uniform(1.8, 3);
  const extent = EXTENT[shape] * radius;
  const margin = Math.max(travel / 2 + extent, extent * Math.sqrt(ratio)) + 1;
  const kind = (['solid', 'gradient', 'checker'] as const)[rng.int(3)] ?? 'solid';
  const c0 = randomRgb(rng);
  const shade = (): number => rng.uniform(-25, 25);
  const c1: Rgb = [clamp8(c0[0] + shade()), clamp8(c0[1] + shade()), clamp8(c0[2] + shade())];
  const background: ToyBackground = {
    kind,
    c0,
    c1,
    angle: rng.uniform(0, 2 * Math.PI),
    cell: Math.max(2, Math.round(s * rng.uniform(6, 14))),
  };
  return {
    size,
    frames,
    shape,
    fg: contrastingRgb(rng, [(c0[0] + c1[0]) / 2, (c0[1] + c1[1]) / 2, (c0[2] + c1[2]) / 2], 80),
    background,
    cx: rng.uniform(margin, size - margin),
    cy: rng.uniform(margin, size - margin),
    radius,
    angle: rng.uniform(0, 2 * Math.PI),
    speedPx: travel / steps,
    spinRad: turn / steps,
    growth: Math.log(ratio) / steps,
    noise: rng.uniform(2, 6),
    noiseSeed: rng.nextUint32(),
  };
}

/** The object's pose in frame `t` for a class moving as `motion` (time runs symmetric about the middle). */
export function poseAt(params: ToyClipParams, motion: ToyMotion, t: number): ToyPose {
  const u = t - (params.frames - 1) / 2;
  const { cx, cy, radius, angle } = params;
  switch (motion.kind) {
    case 'translate':
      return {
        cx: cx + motion.dx * params.speedPx * u,
        cy: cy + motion.dy * params.speedPx * u,
        radius,
        angle,
      };
    case 'rotate':
      return { cx, cy, radius, angle: angle + motion.sign * params.spinRad * u };
    case 'scale':
      return { cx, cy, radius: radius * Math.exp(motion.sign * params.growth * u), angle };
  }
}

function motionOf(label: number): ToyMotion {
  const cls = TOY_CLASSES[label];
  if (!cls) throw new RangeError(`Toy Actions has no class ${label} (0..${TOY_CLASSES.length - 1})`);
  return cls.motion;
}

const boxSdf = (x: number, y: number, bx: number, by: number): number => {
  const qx = Math.abs(x) - bx;
  const qy = Math.abs(y) - by;
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  return outside + Math.min(Math.max(qx, qy), 0);
};

const TRI_NORMALS: readonly (readonly [number, number])[] = [
  [-1, 0],
  [Math.cos(Math.PI / 3), Math.sin(Math.PI / 3)],
  [Math.cos(-Math.PI / 3), Math.sin(-Math.PI / 3)],
];

/** Signed distance (negative inside) of unit-space point (x, y) to `shape` (circumradius about 1). */
export function shapeSdf(shape: ToyShape, x: number, y: number): number {
  switch (shape) {
    case 'square':
      return boxSdf(x, y, 0.7, 0.7);
    case 'disc': {
      // A disc with an off-centre hole, so that its rotation is visible.
      const disc = Math.hypot(x, y) - 0.92;
      const hole = Math.hypot(x - 0.45, y) - 0.24;
      return Math.max(disc, -hole);
    }
    case 'triangle': {
      let d = -Infinity;
      for (const [nx, ny] of TRI_NORMALS) d = Math.max(d, nx * x + ny * y - 0.5);
      return d;
    }
    case 'cross':
      return Math.min(boxSdf(x, y, 0.95, 0.2), boxSdf(x, y, 0.2, 0.95));
    case 'bar':
      return boxSdf(x, y, 0.95, 0.3);
  }
}

/** The static background as f32[size, size, 3] (0..255). */
export function renderBackground(params: ToyClipParams): Float32Array {
  const { size, background: b } = params;
  const out = new Float32Array(size * size * 3);
  const ca = Math.cos(b.angle);
  const sa = Math.sin(b.angle);
  const half = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let w = 0;
      const px = x + 0.5 - half;
      const py = y + 0.5 - half;
      if (b.kind === 'gradient') w = Math.min(1, Math.max(0, 0.5 + (px * ca + py * sa) / size));
      else if (b.kind === 'checker') {
        const u = Math.floor((px * ca + py * sa) / b.cell);
        const v = Math.floor((py * ca - px * sa) / b.cell);
        w = (u + v) & 1;
      }
      const o = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = (b.c0[c] ?? 0) * (1 - w) + (b.c1[c] ?? 0) * w;
    }
  }
  return out;
}

/** 4096 standard normal values for the frame noise (fixed seed: the noise table is part of the format). */
const GAUSS = ((): Float32Array => {
  const rng = new Rng(0x70a5_0001);
  return Float32Array.from({ length: 4096 }, () => rng.normal());
})();

function frameNoiseState(noiseSeed: number, t: number): number {
  let h = (noiseSeed ^ Math.imul(t + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0 || 1;
}

export interface RenderOptions {
  /** Overrides the clip's noise level (0 = clean frames, for tests). */
  readonly noise?: number;
  /** The background from renderBackground(params), to skip recomputing it per frame. */
  readonly background?: Float32Array;
}

/**
 * Draws frame `t` of class `label` into `out` at `offset` as u8[size, size, 4] RGBA (alpha 255).
 */
export function renderFrame(
  params: ToyClipParams,
  label: number,
  t: number,
  out: Uint8Array | Uint8ClampedArray,
  offset = 0,
  options: RenderOptions = {},
): void {
  const { size, fg } = params;
  const bg = options.background ?? renderBackground(params);
  const pose = poseAt(params, motionOf(label), t);
  const cos = Math.cos(pose.angle);
  const sin = Math.sin(pose.angle);
  const reach = EXTENT[params.shape] * pose.radius + 1.5;
  const x0 = Math.max(0, Math.floor(pose.cx - reach));
  const x1 = Math.min(size - 1, Math.ceil(pose.cx + reach));
  const y0 = Math.max(0, Math.floor(pose.cy - reach));
  const y1 = Math.min(size - 1, Math.ceil(pose.cy + reach));
  const sigma = options.noise ?? params.noise;
  let state = frameNoiseState(params.noiseSeed, t);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let cover = 0;
      if (x >= x0 && x <= x1 && y >= y0 && y <= y1) {
        const dx = x + 0.5 - pose.cx;
        const dy = y + 0.5 - pose.cy;
        // Object space: undo the rotation (x right, y down; a positive angle turns clockwise on screen).
        const ux = (cos * dx + sin * dy) / pose.radius;
        const uy = (-sin * dx + cos * dy) / pose.radius;
        cover = Math.min(1, Math.max(0, 0.5 - shapeSdf(params.shape, ux, uy) * pose.radius));
      }
      const i = (y * size + x) * 3;
      const o = offset + (y * size + x) * 4;
      for (let c = 0; c < 3; c++) {
        let n = 0;
        if (sigma > 0) {
          state ^= state << 13;
          state ^= state >>> 17;
          state ^= state << 5;
          n = sigma * (GAUSS[(state >>> 0) & 4095] ?? 0);
        }
        const base = bg[i + c] ?? 0;
        out[o + c] = clamp8(Math.round(base + ((fg[c] ?? 0) - base) * cover + n));
      }
      out[o + 3] = 255;
    }
  }
}

/** All frames of a clip as u8[frames, size, size, 4] RGBA. */
export function renderClip(params: ToyClipParams, label: number, options: RenderOptions = {}): Uint8Array {
  const frameBytes = params.size * params.size * 4;
  const out = new Uint8Array(params.frames * frameBytes);
  const background = options.background ?? renderBackground(params);
  for (let t = 0; t < params.frames; t++) {
    renderFrame(params, label, t, out, t * frameBytes, { ...options, background });
  }
  return out;
}
