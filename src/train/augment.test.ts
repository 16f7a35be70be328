// Clip augmentation: one transform per clip for every frame, seeded parameters, crop/flip geometry, normalisation.
import { describe, expect, it } from 'vitest';
import { tf } from '../models/tf.ts';
import { Rng } from '../shared/random.ts';
import { augmentClips } from './augment.ts';
import {
  evalClipParams,
  hueMatrix,
  sampleClipParams,
  saturationMatrix,
  type ClipAugParams,
} from './augmentParams.ts';
import type { AugmentationConfig, CropConfig } from './config.ts';
import { MMACTION_MEAN, MMACTION_STD } from './presets.ts';

const ALL_ON: AugmentationConfig = {
  crop: { kind: 'random-resized', scale: [0.3, 0.9], ratio: [0.75, 4 / 3] },
  flipProb: 0.5,
  colorJitter: { prob: 1, brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 },
  grayscaleProb: 0.3,
  mean: MMACTION_MEAN,
  std: MMACTION_STD,
};
const NORM = { mean: MMACTION_MEAN, std: MMACTION_STD };

function frames(v: number[][][][][]): number[][][][] {
  return v.flat();
}

describe('clip augmentation', () => {
  it('gives every frame of a clip the same transform (identical frames stay identical)', () => {
    const rng = new Rng(7);
    const image = tf.tidy(() => tf.mul(tf.randomUniform([1, 1, 12, 16, 3], 0, 1, 'float32', 5), 255));
    const x = tf.tile(image, [4, 5, 1, 1, 1]) as tf.Tensor5D; // 4 clips × 5 identical frames
    const params = Array.from({ length: 4 }, () => sampleClipParams(ALL_ON, 8, 12, 16, rng));
    const y = augmentClips(x, params, 8, NORM);
    expect(y.shape).toEqual([4, 5, 8, 8, 3]);
    const v = y.arraySync();
    for (const clip of v) for (const frame of clip) expect(frame).toEqual(clip[0]);
    // the clips themselves differ: the parameters are per clip
    expect(v[0]?.[0]).not.toEqual(v[1]?.[0]);
    tf.dispose([image, x, y]);
  });

  it('applies the same geometry to differing frames (a per-frame offset survives unchanged)', () => {
    const rng = new Rng(11);
    const geometryOnly: AugmentationConfig = { ...ALL_ON, colorJitter: null, grayscaleProb: 0, flipProb: 1 };
    const base = tf.tidy(() => tf.mul(tf.randomUniform([1, 1, 10, 10, 3], 0, 1, 'float32', 9), 200));
    const x = tf.tidy<tf.Tensor5D>(() =>
      tf.add(tf.tile(base, [1, 3, 1, 1, 1]), tf.reshape(tf.tensor1d([0, 20, 40]), [1, 3, 1, 1, 1])),
    );
    const y = augmentClips(x, [sampleClipParams(geometryOnly, 6, 10, 10, rng)], 6, {
      mean: [0, 0, 0],
      std: [1, 1, 1],
    });
    const d1 = tf.tidy(() =>
      tf
        .sub(y.slice([0, 1], [1, 1]), tf.add(y.slice([0, 0], [1, 1]), 20))
        .abs()
        .max(),
    );
    const d2 = tf.tidy(() =>
      tf
        .sub(y.slice([0, 2], [1, 1]), tf.add(y.slice([0, 0], [1, 1]), 40))
        .abs()
        .max(),
    );
    expect(d1.dataSync()[0]).toBeLessThan(1e-3);
    expect(d2.dataSync()[0]).toBeLessThan(1e-3);
    tf.dispose([base, x, y, d1, d2]);
  });

  it('crops the box and mirrors it on flip', () => {
    // pixel value = column index in every channel
    const cols = tf.tidy<tf.Tensor5D>(() =>
      tf.tile(tf.reshape(tf.range(0, 8), [1, 1, 1, 8, 1]), [1, 2, 6, 1, 3]),
    );
    const p: ClipAugParams = { ...evalClipParams(6, 8), box: { top: 1, left: 2, height: 4, width: 4 } };
    const id = { mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
    const plain = augmentClips(cols, [p], 4, id);
    const flipped = augmentClips(cols, [{ ...p, flip: true }], 4, id);
    const row = (t: tf.Tensor5D): number[] => frames(t.arraySync())[0]?.[0]?.map((px) => px[0] ?? -1) ?? [];
    expect(row(plain)).toEqual([2, 3, 4, 5]);
    expect(row(flipped)).toEqual([5, 4, 3, 2]);
    tf.dispose([cols, plain, flipped]);
  });

  it('shrinks by 2× as an exact area average, at pixel centres (no aliasing)', () => {
    const x = tf.tidy<tf.Tensor5D>(() => tf.mul(tf.randomUniform([1, 1, 8, 8, 3], 0, 1, 'float32', 8), 255));
    const id = { mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
    const p: ClipAugParams = { ...evalClipParams(8, 8), box: { top: 2, left: 0, height: 4, width: 8 } };
    const y = augmentClips(x, [p], 2, id); // 4×8 box → 2×2 output: rows 2..5, 2×2 blocks horizontally 4 wide
    // box 4 high → 2 rows: 2× in y; 8 wide → 2 columns: 4× in x; the smaller shrink (2×) is pre-averaged
    const src = x.arraySync()[0]?.[0] ?? [];
    const at = (r: number, c: number, k: number): number => src[r]?.[c]?.[k] ?? NaN;
    const out = y.arraySync()[0]?.[0] ?? [];
    for (let i = 0; i < 2; i++)
      for (let k = 0; k < 3; k++) {
        // column j samples x = (j + ½)·4 − ½ = 1.5 and 5.5: on 2×-pooled frames, pooled columns 0.5 and 2.5
        const pooled = (r: number, pc: number): number =>
          (at(r, 2 * pc, k) + at(r, 2 * pc + 1, k) + at(r + 1, 2 * pc, k) + at(r + 1, 2 * pc + 1, k)) / 4;
        const row = 2 + 2 * i;
        const want0 = (pooled(row, 0) + pooled(row, 1)) / 2;
        const want1 = (pooled(row, 2) + pooled(row, 3)) / 2;
        expect(out[i]?.[0]?.[k]).toBeCloseTo(want0, 3);
        expect(out[i]?.[1]?.[k]).toBeCloseTo(want1, 3);
      }
    tf.dispose([x, y]);
  });

  it('normalises with MMAction2 mean/std when nothing else changes', () => {
    const x = tf.tidy<tf.Tensor5D>(() => tf.mul(tf.randomUniform([2, 2, 4, 4, 3], 0, 1, 'float32', 3), 255));
    const y = augmentClips(x, [evalClipParams(4, 4), evalClipParams(4, 4)], 4, NORM);
    const want = tf.tidy(() => tf.div(tf.sub(x, tf.tensor1d(MMACTION_MEAN)), tf.tensor1d(MMACTION_STD)));
    const err = tf.tidy(() => tf.sub(y, want).abs().max());
    expect(err.dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([x, y, want, err]);
  });

  it('applies brightness, contrast around the mean gray and the colour matrix like a per-pixel reference', () => {
    const rng = new Rng(3);
    const [n, t, h, w] = [3, 2, 4, 4];
    const x = tf.tidy<tf.Tensor5D>(() => tf.mul(tf.randomUniform([n, t, h, w, 3], 0, 1, 'float32', 4), 255));
    const params = Array.from({ length: n }, () => ({
      ...sampleClipParams(ALL_ON, 4, h, w, rng),
      box: { top: 0, left: 0, height: h, width: w },
      flip: false,
    }));
    const y = augmentClips(x, params, 4, { mean: [0, 0, 0], std: [1, 1, 1] });
    const src = x.dataSync();
    const out = y.dataSync();
    const clamp = (v: number): number => Math.min(255, Math.max(0, v));
    const per = t * h * w;
    let maxErr = 0;
    params.forEach((p, c) => {
      const px = Array.from({ length: per }, (_, i) =>
        [0, 1, 2].map((k) => clamp((src[(c * per + i) * 3 + k] ?? 0) * p.brightness)),
      );
      const gray =
        px.reduce((s, v) => s + 0.299 * (v[0] ?? 0) + 0.587 * (v[1] ?? 0) + 0.114 * (v[2] ?? 0), 0) / per;
      px.forEach((v, i) => {
        const u = v.map((a) => clamp(a * p.contrast + (1 - p.contrast) * gray));
        for (let k = 0; k < 3; k++) {
          const m = p.colorMatrix;
          const want = clamp(
            (m[3 * k] ?? 0) * (u[0] ?? 0) +
              (m[3 * k + 1] ?? 0) * (u[1] ?? 0) +
              (m[3 * k + 2] ?? 0) * (u[2] ?? 0),
          );
          maxErr = Math.max(maxErr, Math.abs((out[(c * per + i) * 3 + k] ?? NaN) - want));
        }
      });
    });
    expect(params.some((p) => p.brightness !== 1 && p.contrast !== 1)).toBe(true);
    expect(maxErr).toBeLessThan(1e-3);
    tf.dispose([x, y]);
  });

  it('draws the same parameters from the same seed and keeps boxes inside the frame', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    for (let i = 0; i < 200; i++) {
      const pa = sampleClipParams(ALL_ON, 8, 30, 40, a);
      expect(sampleClipParams(ALL_ON, 8, 30, 40, b)).toEqual(pa);
      const { top, left, height, width } = pa.box;
      expect(top >= 0 && left >= 0 && height >= 1 && width >= 1).toBe(true);
      expect(top + height <= 30 && left + width <= 40).toBe(true);
    }
    const ms: AugmentationConfig = {
      ...ALL_ON,
      crop: { kind: 'multi-scale', scales: [1, 0.875, 0.75, 0.66], maxWhScaleGap: 1, randomCrop: false },
    };
    const js: AugmentationConfig = { ...ALL_ON, crop: { kind: 'jitter-scale', shortSide: [128, 160] } };
    for (let i = 0; i < 100; i++) {
      const m = sampleClipParams(ms, 112, 128, 171, a).box;
      expect(m.top + m.height <= 128 && m.left + m.width <= 171).toBe(true);
      expect([128, 112, 96, 84]).toContain(m.width);
      const j = sampleClipParams(js, 112, 128, 171, a).box;
      expect(j.width).toBe(j.height);
      expect(j.width).toBeGreaterThanOrEqual(Math.round((112 * 128) / 160));
      expect(j.width).toBeLessThanOrEqual(112);
    }
  });

  it('builds colour matrices that keep grays gray and preserve luma under hue shifts', () => {
    const apply = (m: number[], v: number[]): number[] =>
      [0, 1, 2].map(
        (r) =>
          (m[r * 3] ?? 0) * (v[0] ?? 0) +
          (m[r * 3 + 1] ?? 0) * (v[1] ?? 0) +
          (m[r * 3 + 2] ?? 0) * (v[2] ?? 0),
      );
    const h = hueMatrix(0.2);
    apply(h, [100, 100, 100]).forEach((v) => expect(v).toBeCloseTo(100, 3));
    const luma = (v: number[]): number => 0.299 * (v[0] ?? 0) + 0.587 * (v[1] ?? 0) + 0.114 * (v[2] ?? 0);
    expect(luma(apply(h, [200, 30, 90]))).toBeCloseTo(luma([200, 30, 90]), 3);
    const g = apply(saturationMatrix(0), [200, 30, 90]);
    expect(g[0]).toBeCloseTo(g[1] ?? 0, 6);
    expect(g[0]).toBeCloseTo(luma([200, 30, 90]), 6);
    hueMatrix(0).forEach((v, i) => expect(v).toBeCloseTo(i % 4 === 0 ? 1 : 0, 6));
  });

  it("validates on PySlowFast's test view after a jitter-scale crop, else on the largest centred square", () => {
    const jitter: CropConfig = { kind: 'jitter-scale', shortSide: [32, 40] };
    // short side 64 → 32 (the smallest training scale), centre 28²: a 56² box at (4, 4)
    expect(evalClipParams(64, 64, jitter, 28).box).toEqual({ top: 4, left: 4, height: 56, width: 56 });
    // 48×80: short side 48 → 32, centre 28² = 42² source pixels
    expect(evalClipParams(48, 80, jitter, 28).box).toEqual({ top: 3, left: 19, height: 42, width: 42 });
    expect(evalClipParams(48, 80).box).toEqual({ top: 0, left: 16, height: 48, width: 48 });
    const rr: CropConfig = { kind: 'random-resized', scale: [0.5, 1], ratio: [0.75, 1.33] };
    expect(evalClipParams(48, 80, rr, 28).box).toEqual({ top: 0, left: 16, height: 48, width: 48 });
  });
});
