// Multi-view test planning (compute worker; pure): temporal clips (MMAction2 SampleFrames test mode or PySlowFast
// uniform ensemble views) × spatial crops (MMAction2 CenterCrop/ThreeCrop/TenCrop or PySlowFast uniform_crop).
// Boxes are in the coordinates of frames already resized so their short side is the protocol's `shortSide`.
import { TubeletError } from '../shared/errors.ts';
import { sampleFrames } from '../data/sampling/sampleFrames.ts';

/** 'mmaction': SampleFrames(test_mode=True) (v1.2 index math); 'slowfast': start = max(n − clip, 0)·i/views. */
export type TemporalMode = 'mmaction' | 'slowfast';
/** 'center'/'three'/'ten': MMAction2 crops; 'uniform3': PySlowFast's left/centre/right with ceil centre. */
export type CropMode = 'center' | 'three' | 'ten' | 'uniform3';

export interface ViewSpec {
  readonly temporal: TemporalMode;
  readonly numClips: number;
  readonly clipLen: number;
  readonly frameInterval: number;
  readonly crop: CropMode;
  /** Side of the square crop (pixels, after the short-side resize). */
  readonly cropSize: number;
}

export interface CropBox {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly flip: boolean;
}

export interface PlannedView {
  /** Temporal clip index (0..numClips-1) and spatial crop index. */
  readonly clip: number;
  readonly crop: number;
  /** i32[clipLen] frame indices into the video. */
  readonly frameInds: Int32Array;
  readonly box: CropBox;
}

function box(x: number, y: number, c: number, flip = false): CropBox {
  return { x, y, w: c, h: c, flip };
}

/** MMAction2 CenterCrop: offset ((w − c)//2, (h − c)//2). */
export function centerCrop(w: number, h: number, c: number): CropBox[] {
  return [box(Math.floor((w - c) / 2), Math.floor((h - c) / 2), c)];
}

/** MMAction2 ThreeCrop: c must equal the short side; along the long side the order is left, right, middle. */
export function threeCrop(w: number, h: number, c: number): CropBox[] {
  if (c !== Math.min(w, h)) {
    throw new TubeletError('INVALID_ARGUMENT', `ThreeCrop needs crop ${c} = short side ${Math.min(w, h)}`, {
      hint: 'resize the short side to the crop size first (Resize(-1, c))',
    });
  }
  if (w >= h) {
    const step = Math.floor((w - c) / 2);
    return [box(0, 0, c), box(2 * step, 0, c), box(step, 0, c)];
  }
  const step = Math.floor((h - c) / 2);
  return [box(0, 0, c), box(0, 2 * step, c), box(0, step, c)];
}

/** MMAction2 TenCrop: 4 corners + centre at step (L − c)//4 per axis, each followed by its horizontal flip. */
export function tenCrop(w: number, h: number, c: number): CropBox[] {
  const ws = Math.floor((w - c) / 4);
  const hs = Math.floor((h - c) / 4);
  const offsets: [number, number][] = [
    [0, 0],
    [4 * ws, 0],
    [0, 4 * hs],
    [4 * ws, 4 * hs],
    [2 * ws, 2 * hs],
  ];
  return offsets.flatMap(([x, y]) => [box(x, y, c), box(x, y, c, true)]);
}

/** PySlowFast uniform_crop for spatial_idx 0/1/2: 0, ceil((L − c)/2), L − c along the long side. */
export function uniformCrop(w: number, h: number, c: number, idx: number): CropBox {
  const along = (len: number): number => (idx === 0 ? 0 : idx === 2 ? len - c : Math.ceil((len - c) / 2));
  const yc = Math.ceil((h - c) / 2);
  const xc = Math.ceil((w - c) / 2);
  return h > w ? box(xc, along(h), c) : box(along(w), yc, c);
}

export function cropBoxes(mode: CropMode, w: number, h: number, c: number): CropBox[] {
  if (c > w || c > h) {
    throw new TubeletError('INVALID_ARGUMENT', `crop ${c} does not fit a ${w}×${h} frame`);
  }
  switch (mode) {
    case 'center':
      return centerCrop(w, h, c);
    case 'three':
      return threeCrop(w, h, c);
    case 'ten':
      return tenCrop(w, h, c);
    case 'uniform3':
      return [0, 1, 2].map((i) => uniformCrop(w, h, c, i));
  }
}

/** PySlowFast's temporal views: clip i starts at delta·i/numViews, delta = max(n − clipSize, 0). */
export function slowfastClipStarts(n: number, clipSize: number, numViews: number): number[] {
  const delta = Math.max(n - clipSize, 0);
  return Array.from({ length: numViews }, (_, i) => (delta * i) / numViews);
}

/** Frame indices i32[numClips·clipLen] (clip-major) of the temporal views of a `frameCount`-frame video. */
export function temporalIndices(frameCount: number, spec: ViewSpec): Int32Array[] {
  const { clipLen, frameInterval, numClips } = spec;
  if (spec.temporal === 'mmaction') {
    const s = sampleFrames(frameCount, { clipLen, frameInterval, numClips, testMode: true });
    return Array.from({ length: s.numClips }, (_, c) => s.frameInds.slice(c * clipLen, (c + 1) * clipLen));
  }
  // PySlowFast (decoder.py temporal_sampling): linspace(start, start + clipSize − 1, clipLen), clamped to
  // [0, n − 1], truncated to integers (fps scaling omitted: stored videos are resampled to one fps).
  const clipSize = clipLen * frameInterval;
  return slowfastClipStarts(frameCount, clipSize, numClips).map((start) => {
    const out = new Int32Array(clipLen);
    const end = start + clipSize - 1;
    for (let j = 0; j < clipLen; j++) {
      const v = clipLen === 1 ? start : start + ((end - start) * j) / (clipLen - 1);
      out[j] = Math.trunc(Math.min(Math.max(v, 0), frameCount - 1));
    }
    return out;
  });
}

/** Every view of one video, clip-major (clip 0 crop 0, clip 0 crop 1, …), as MMAction2 flattens them. */
export function planViews(frameCount: number, width: number, height: number, spec: ViewSpec): PlannedView[] {
  const clips = temporalIndices(frameCount, spec);
  const boxes = cropBoxes(spec.crop, width, height, spec.cropSize);
  return clips.flatMap((frameInds, clip) => boxes.map((b, crop) => ({ clip, crop, frameInds, box: b })));
}

/** Views per video for a spec (clips × crops). */
export function viewCount(spec: ViewSpec): number {
  const crops = spec.crop === 'center' ? 1 : spec.crop === 'ten' ? 10 : 3;
  return spec.numClips * crops;
}
