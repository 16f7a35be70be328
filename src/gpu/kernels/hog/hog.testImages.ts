// Seeded, natural-looking RGB test frames for the HOG parity tests (smooth ramps, sharp edges, noise, flat
// regions, rotated bars). Pure; any thread. Each frame: f32[H,W,3] NHWC, values in [0,1] or 0–255.
import { Rng } from '../../../shared/random.ts';

export type HogPattern = 'ramp' | 'edges' | 'noise' | 'flat' | 'bars' | 'blobs';
export const HOG_PATTERNS: readonly HogPattern[] = ['ramp', 'edges', 'noise', 'flat', 'bars', 'blobs'];

export interface HogTestImage {
  readonly name: string;
  readonly height: number;
  readonly width: number;
  /** f32[height, width, 3] */
  readonly data: Float32Array;
}

/** One channel (values in [0,1]) of the given pattern. */
function channel(pattern: HogPattern, h: number, w: number, rng: Rng): Float64Array {
  const v = new Float64Array(h * w);
  const theta = rng.uniform(0, Math.PI);
  const [ct, st] = [Math.cos(theta), Math.sin(theta)];
  switch (pattern) {
    case 'ramp': {
      const [a, b, f] = [rng.uniform(-0.02, 0.02), rng.uniform(-0.02, 0.02), rng.uniform(0.05, 0.3)];
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          v[y * w + x] = 0.5 + a * x + b * y + 0.2 * Math.sin(f * (x * ct + y * st));
      break;
    }
    case 'edges': {
      const lines = Array.from({ length: 4 }, () => [
        rng.uniform(0, Math.PI),
        rng.uniform(0, h + w) - (h + w) / 4,
      ]);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          let s = 0.1;
          for (const [phi = 0, d = 0] of lines) if (x * Math.cos(phi) + y * Math.sin(phi) > d) s += 0.2;
          v[y * w + x] = s;
        }
      break;
    }
    case 'noise':
      for (let i = 0; i < h * w; i++) v[i] = rng.next();
      break;
    case 'flat': {
      // piecewise-constant blocks: most cells have zero gradient everywhere
      const level = Array.from({ length: 4 }, () => rng.next());
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) v[y * w + x] = level[(y >= h / 2 ? 2 : 0) + (x >= w / 2 ? 1 : 0)] ?? 0;
      break;
    }
    case 'bars': {
      const period = rng.uniform(5, 12);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const u = (x * ct + y * st) / period;
          v[y * w + x] = u - Math.floor(u) < 0.5 ? 0.9 : 0.15;
        }
      break;
    }
    case 'blobs': {
      const centres = Array.from({ length: 3 }, () => [
        rng.uniform(0, w),
        rng.uniform(0, h),
        rng.uniform(3, 10),
      ]);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          let s = 0.05;
          for (const [cx = 0, cy = 0, r = 1] of centres)
            s += 0.6 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r));
          v[y * w + x] = s + 0.02 * rng.normal();
        }
      break;
    }
  }
  return v;
}

/** A frame whose three channels use three patterns; `scale` 1 gives [0,1], 255 gives 0–255 (rounded). */
export function hogTestImage(
  rng: Rng,
  height: number,
  width: number,
  patterns: readonly [HogPattern, HogPattern, HogPattern],
  scale: 1 | 255 = 1,
): HogTestImage {
  const chans = patterns.map((p) => channel(p, height, width, rng));
  const data = new Float32Array(height * width * 3);
  for (let i = 0; i < height * width; i++) {
    for (let c = 0; c < 3; c++) {
      const value = Math.min(1, Math.max(0, chans[c]?.[i] ?? 0));
      data[i * 3 + c] = scale === 255 ? Math.round(value * 255) : value;
    }
  }
  return { name: `${patterns.join('+')}@${height}x${width}/${scale}`, height, width, data };
}

/** A mixed set of frames of several sizes (multiples of 8 and not), both value scales. */
export function hogTestImages(seed: number): HogTestImage[] {
  const rng = new Rng(seed);
  const sizes: [number, number][] = [
    [8, 8],
    [16, 24],
    [21, 30],
    [40, 48],
    [33, 17],
  ];
  const images: HogTestImage[] = [];
  sizes.forEach(([h, w], i) => {
    const pick = (k: number): HogPattern => HOG_PATTERNS[(i + k) % HOG_PATTERNS.length] ?? 'noise';
    images.push(hogTestImage(rng, h, w, [pick(0), pick(2), pick(4)], 1));
    images.push(hogTestImage(rng, h, w, [pick(1), pick(3), pick(5)], 255));
  });
  return images;
}

/** Stacks equally sized frames into one f32[B,H,W,3] batch. */
export function stackImages(images: readonly HogTestImage[]): Float32Array {
  const first = images[0];
  if (!first) return new Float32Array(0);
  const frame = first.height * first.width * 3;
  const out = new Float32Array(images.length * frame);
  images.forEach((img, b) => {
    if (img.height !== first.height || img.width !== first.width)
      throw new RangeError('stackImages: sizes differ');
    out.set(img.data, b * frame);
  });
  return out;
}
