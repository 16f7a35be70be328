// View planning against hand-computed MMAction2 / PySlowFast tables.
import { describe, expect, it } from 'vitest';
import {
  cropBoxes,
  planViews,
  slowfastClipStarts,
  temporalIndices,
  uniformCrop,
  viewCount,
  type ViewSpec,
} from './views.ts';
import { averageViews, softmax } from './average.ts';
import { parseViews, protocolPreset, PROTOCOLS, resolveProtocol } from './protocols.ts';
import { EVAL_PROTOCOL_NAMES } from '../shared/protocol/eval.ts';

const spec = (over: Partial<ViewSpec>): ViewSpec => ({
  temporal: 'mmaction',
  numClips: 10,
  clipLen: 16,
  frameInterval: 4,
  crop: 'three',
  cropSize: 256,
  ...over,
});

describe('temporal views', () => {
  it('MMAction2 test mode: first clip at 0, last at max_offset, rounded evenly between', () => {
    // n=300, ori=(16−1)·4+1=61, max_off=239, offsets round(i·239/9)
    const starts = temporalIndices(300, spec({})).map((c) => c[0]);
    expect(starts).toEqual([0, 27, 53, 80, 106, 133, 159, 186, 212, 239]);
    expect(Array.from(temporalIndices(300, spec({}))[9] ?? []).at(-1)).toBe(299);
  });
  it('MMAction2 test mode loops a video shorter than the clip', () => {
    const clips = temporalIndices(40, spec({}));
    expect(clips.every((c) => c[0] === 0)).toBe(true);
    expect(Array.from(clips[0] ?? []).slice(9, 12)).toEqual([36, 0, 4]);
    expect(
      Array.from(temporalIndices(10, spec({ clipLen: 8, frameInterval: 8, numClips: 1 }))[0] ?? []),
    ).toEqual([0, 8, 6, 4, 2, 0, 8, 6]);
  });
  it('PySlowFast: start = delta·i/views, linspace over the clip, clamped', () => {
    expect(slowfastClipStarts(300, 64, 10)).toEqual([
      0, 23.6, 47.2, 70.8, 94.4, 118, 141.6, 165.2, 188.8, 212.4,
    ]);
    const c = temporalIndices(100, spec({ temporal: 'slowfast', numClips: 2, clipLen: 4, frameInterval: 8 }));
    // clip size 32, delta 68: starts 0 and 34; linspace(34, 65, 4) = 34, 44.33, 54.67, 65
    expect(Array.from(c[1] ?? [])).toEqual([34, 44, 54, 65]);
    const short = temporalIndices(
      10,
      spec({ temporal: 'slowfast', numClips: 1, clipLen: 4, frameInterval: 8 }),
    );
    expect(Array.from(short[0] ?? [])).toEqual([0, 9, 9, 9]);
  });
});

describe('spatial crops', () => {
  it('ThreeCrop on 340×256 and 256×340: left, right, middle', () => {
    expect(cropBoxes('three', 340, 256, 256).map((b) => [b.x, b.y])).toEqual([
      [0, 0],
      [84, 0],
      [42, 0],
    ]);
    expect(cropBoxes('three', 256, 340, 256).map((b) => [b.x, b.y])).toEqual([
      [0, 0],
      [0, 84],
      [0, 42],
    ]);
    expect(() => cropBoxes('three', 340, 256, 224)).toThrow(/short side/);
  });
  it('TenCrop on 340×256 at 224: corners + centre, each then flipped', () => {
    const boxes = cropBoxes('ten', 340, 256, 224);
    // w_step = 116//4 = 29, h_step = 32//4 = 8
    expect(boxes.map((b) => [b.x, b.y, b.flip])).toEqual([
      [0, 0, false],
      [0, 0, true],
      [116, 0, false],
      [116, 0, true],
      [0, 32, false],
      [0, 32, true],
      [116, 32, false],
      [116, 32, true],
      [58, 16, false],
      [58, 16, true],
    ]);
  });
  it('CenterCrop floors, PySlowFast uniform_crop ceils the centre', () => {
    expect(cropBoxes('center', 341, 256, 224)[0]).toMatchObject({ x: 58, y: 16 });
    expect(uniformCrop(341, 256, 256, 1)).toMatchObject({ x: 43, y: 0 });
    expect(uniformCrop(341, 256, 256, 2)).toMatchObject({ x: 85, y: 0 });
    expect(uniformCrop(256, 341, 256, 1)).toMatchObject({ x: 0, y: 43 });
  });
  it('planViews is clip-major and counts clips × crops', () => {
    const s = spec({ numClips: 3, crop: 'three', clipLen: 4, frameInterval: 1, cropSize: 4 });
    const views = planViews(20, 6, 4, s);
    expect(views.length).toBe(viewCount(s));
    expect(views.map((v) => [v.clip, v.crop])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
      [2, 0],
      [2, 1],
      [2, 2],
    ]);
  });
});

describe('averaging and protocols', () => {
  const views = [
    [2, 0, -1],
    [0, 3, 1],
  ];
  it('score = mean logits, prob = mean softmax, sum = summed softmax, max = elementwise max of softmax', () => {
    expect(averageViews(views, 'score')).toEqual([1, 1.5, 0]);
    const p0 = softmax(views[0] ?? []);
    const p1 = softmax(views[1] ?? []);
    const prob = averageViews(views, 'prob');
    const sum = averageViews(views, 'sum');
    const max = averageViews(views, 'max');
    for (let c = 0; c < 3; c++) {
      expect(prob[c]).toBeCloseTo(((p0[c] ?? 0) + (p1[c] ?? 0)) / 2, 12);
      expect(sum[c]).toBeCloseTo((p0[c] ?? 0) + (p1[c] ?? 0), 12);
      expect(max[c]).toBeCloseTo(Math.max(p0[c] ?? 0, p1[c] ?? 0), 12);
    }
    expect(softmax([1000, 1000])).toEqual([0.5, 0.5]);
  });
  it('presets and custom views resolve against the model input', () => {
    const p = resolveProtocol(protocolPreset('ucf101-split2'), [16, 112, 112]);
    expect(p).toMatchObject({
      split: 'test2',
      shortSide: 112,
      views: { numClips: 10, crop: 'three', clipLen: 16 },
    });
    expect(parseViews('4x10')).toEqual({ numClips: 4, crop: 'ten' });
    expect(() => parseViews('3x2')).toThrow(/CROPS 1, 3 or 10/);
    expect(() => protocolPreset('nope')).toThrow(/unknown protocol/);
    expect(resolveProtocol(protocolPreset('kinetics400-val'), [8, 224, 224]).shortSide).toBe(256);
    expect(PROTOCOLS.map((p) => p.name)).toEqual([...EVAL_PROTOCOL_NAMES]);
  });
});
