import { describe, expect, it } from 'vitest';
import { Rng } from '../../shared/random.ts';
import { DEFAULT_TOY_CONFIG, TOY_CLASSES, reversedClass } from './classes.ts';
import { planToyVideos } from './layout.ts';
import { poseAt, renderBackground, renderClip, sampleClipParams, type ToyClipParams } from './render.ts';

const SIZE = 64;
const FRAMES = 32;
const params = (seed: number, patch: Partial<ToyClipParams> = {}): ToyClipParams => ({
  ...sampleClipParams(new Rng(seed), SIZE, FRAMES),
  ...patch,
});

/** Per-pixel foreground weight of frame t: |frame − background| summed over channels. */
function foreground(p: ToyClipParams, clip: Uint8Array, t: number): Float64Array {
  const bg = renderBackground(p);
  const w = new Float64Array(p.size * p.size);
  const base = t * p.size * p.size * 4;
  for (let i = 0; i < w.length; i++) {
    for (let c = 0; c < 3; c++)
      w[i] = (w[i] ?? 0) + Math.abs((clip[base + i * 4 + c] ?? 0) - (bg[i * 3 + c] ?? 0));
  }
  return w;
}

function moments(p: ToyClipParams, clip: Uint8Array, t: number) {
  const w = foreground(p, clip, t);
  let m = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < w.length; i++) {
    const v = w[i] ?? 0;
    m += v;
    mx += v * ((i % p.size) + 0.5);
    my += v * (Math.floor(i / p.size) + 0.5);
  }
  const cx = mx / m;
  const cy = my / m;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < w.length; i++) {
    const v = w[i] ?? 0;
    const dx = (i % p.size) + 0.5 - cx;
    const dy = Math.floor(i / p.size) + 0.5 - cy;
    xx += v * dx * dx;
    yy += v * dy * dy;
    xy += v * dx * dy;
  }
  return { mass: m, cx, cy, orientation: 0.5 * Math.atan2(2 * xy, xx - yy) };
}

describe('Toy Actions rendering', () => {
  it('is a pure function of the seed', () => {
    const a = renderClip(params(7), 3);
    const b = renderClip(params(7), 3);
    const c = renderClip(params(8), 3);
    expect(a.length).toBe(FRAMES * SIZE * SIZE * 4);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it('moves the object in the labelled direction', () => {
    for (let label = 0; label < 4; label++) {
      const motion = TOY_CLASSES[label]?.motion;
      if (motion?.kind !== 'translate') throw new Error('classes 0..3 translate');
      for (const seed of [1, 2, 3]) {
        const p = params(seed, { background: { ...params(seed).background, kind: 'solid' } });
        const clip = renderClip(p, label, { noise: 0 });
        const first = moments(p, clip, 0);
        const last = moments(p, clip, FRAMES - 1);
        const travel = p.speedPx * (FRAMES - 1);
        expect((last.cx - first.cx) * motion.dx + (last.cy - first.cy) * motion.dy).toBeGreaterThan(
          0.8 * travel,
        );
        expect(Math.abs((last.cx - first.cx) * motion.dy + (last.cy - first.cy) * motion.dx)).toBeLessThan(1);
      }
    }
  });

  it('turns a bar clockwise or counter-clockwise as labelled (y down)', () => {
    for (const [label, sign] of [
      [4, 1],
      [5, -1],
    ] as const) {
      const p = params(11, { shape: 'bar', spinRad: (4 * Math.PI) / 180 });
      const clip = renderClip(p, label, { noise: 0 });
      let turned = 0;
      for (let t = 1; t < FRAMES; t++) {
        let d = moments(p, clip, t).orientation - moments(p, clip, t - 1).orientation;
        if (d > Math.PI / 2) d -= Math.PI;
        if (d < -Math.PI / 2) d += Math.PI;
        expect(Math.sign(d)).toBe(sign);
        turned += d;
      }
      expect(turned * sign).toBeCloseTo(p.spinRad * (FRAMES - 1), 1);
    }
  });

  it('grows and shrinks the area as labelled', () => {
    const p = params(21, { shape: 'square' });
    const ratio = Math.exp(p.growth * (FRAMES - 1));
    for (const [label, sign] of [
      [6, 1],
      [7, -1],
    ] as const) {
      const clip = renderClip(p, label, { noise: 0 });
      const mass = Array.from({ length: FRAMES }, (_, t) => moments(p, clip, t).mass);
      for (let t = 1; t < FRAMES; t++) expect(Math.sign((mass[t] ?? 0) - (mass[t - 1] ?? 0))).toBe(sign);
      const change = (mass[FRAMES - 1] ?? 0) / (mass[0] ?? 1);
      expect(sign > 0 ? change : 1 / change).toBeGreaterThan(0.8 * ratio * ratio);
    }
  });

  it('keeps every class inside the frame', () => {
    for (let seed = 0; seed < 200; seed++) {
      const p = params(seed);
      for (const { motion } of TOY_CLASSES) {
        for (const t of [0, FRAMES - 1]) {
          const pose = poseAt(p, motion, t);
          const reach = pose.radius;
          expect(pose.cx - reach).toBeGreaterThan(0);
          expect(pose.cy - reach).toBeGreaterThan(0);
          expect(pose.cx + reach).toBeLessThan(SIZE);
          expect(pose.cy + reach).toBeLessThan(SIZE);
        }
      }
    }
  });

  it('makes each class its partner played backwards, so frames alone cannot tell a pair apart', () => {
    const frameBytes = SIZE * SIZE * 4;
    for (let label = 0; label < TOY_CLASSES.length; label++) {
      const p = params(100 + label);
      const forward = renderClip(p, label, { noise: 0 });
      const backward = renderClip(p, reversedClass(label), { noise: 0 });
      for (let t = 0; t < FRAMES; t++) {
        const a = forward.subarray(t * frameBytes, (t + 1) * frameBytes);
        const b = backward.subarray((FRAMES - 1 - t) * frameBytes, (FRAMES - t) * frameBytes);
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      }
    }
  });

  it('draws colours, shapes and sizes independently of the class', () => {
    const videos = planToyVideos(DEFAULT_TOY_CONFIG, ['mp4']);
    const perClass = TOY_CLASSES.map((_, label) => {
      const mine = videos.filter((v) => v.label === label);
      const ps = mine.map((v) => sampleClipParams(new Rng(v.seed), SIZE, FRAMES));
      const mean = (f: (q: ToyClipParams) => number): number => ps.reduce((s, q) => s + f(q), 0) / ps.length;
      return {
        luma: mean((q) => 0.299 * q.fg[0] + 0.587 * q.fg[1] + 0.114 * q.fg[2]),
        radius: mean((q) => q.radius),
        bars: mean((q) => (q.shape === 'bar' ? 1 : 0)),
      };
    });
    const spread = (f: (s: (typeof perClass)[number]) => number): number =>
      Math.max(...perClass.map(f)) - Math.min(...perClass.map(f));
    expect(spread((s) => s.luma)).toBeLessThan(40);
    expect(spread((s) => s.radius)).toBeLessThan(1.2);
    expect(spread((s) => s.bars)).toBeLessThan(0.25);
  });

  it('adds fresh noise to every frame', () => {
    const p = params(5, { background: { ...params(5).background, kind: 'solid' }, noise: 6 });
    const clip = renderClip(p, 6);
    const frameBytes = SIZE * SIZE * 4;
    let differ = 0;
    for (let i = 0; i < 400; i += 4) if (clip[i] !== clip[frameBytes + i]) differ++;
    expect(differ).toBeGreaterThan(50);
  });
});
