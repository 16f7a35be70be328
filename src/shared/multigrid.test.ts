// Multigrid schedule math against hand-worked PySlowFast examples (slowfast/utils/multigrid.py and
// ShortCycleBatchSampler semantics; the arithmetic is spelled out next to each expectation).
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LONG_CYCLE_FACTORS,
  DEFAULT_SHORT_CYCLE_FACTORS,
  epochSteps,
  longCycleLrFactor,
  longCycleSchedule,
  pyRound,
  shortCycleShapes,
  stageAt,
  type MultigridSettings,
} from './multigrid.ts';

const settings = (shortCycle: boolean): MultigridSettings => ({
  longCycle: true,
  shortCycle,
  longCycleFactors: DEFAULT_LONG_CYCLE_FACTORS,
  shortCycleFactors: DEFAULT_SHORT_CYCLE_FACTORS,
  epochFactor: 1.5,
});

const shapes = (s: ReturnType<typeof longCycleSchedule>): [number, number, number][] =>
  s.map((x) => [x.shape.batchFactor, x.shape.clipLen, x.shape.cropSize]);

describe('pyRound', () => {
  it('rounds halves to even like Python 3', () => {
    expect([0.5, 1.5, 2.5, 4.5, 2.4999, 2.5001, 3].map(pyRound)).toEqual([0, 2, 2, 4, 2, 3, 3]);
  });
});

describe('long cycle (8×224², long cycle only)', () => {
  // Shapes: (0.25, √½) → T 2, S round(158.39) = 158, B = round(8·224²/(2·158²)) = round(8.04) = 8;
  // (0.5, √½) → 4, 158, round(4.02) = 4; (0.5, 1) → 4, 224, 2; (1, 1) → 8, 224, 1. Average B per shape: 8, 4, 2, 1.
  // One LR stage [0, 2): epochs ∝ B: 2·8/15, 2·4/15, 2·2/15, 2·1/15, each 2/15 iterations → 8/15 in all, so the
  // iteration saving is 2 / (8/15) = 3.75; fine-tuning [2, 3): 1 / 3.75 · 1 = 4/15 epochs. Total 34/15 scaled to
  // 3 × 1.5 = 4.5: x = 67.5/34. Cumulative ends 2.118, 3.176, 3.706, 3.971, 4.5 → round: 2, 3, 4, 4, 4 (4.5 → 4).
  const base = { clipLen: 8, cropSize: 224, batchSize: 1, epochs: 3, milestones: [2], gamma: 0.1 };
  const s = longCycleSchedule(base, settings(false));

  it('gives PySlowFast stage shapes, LR stages and rounded cumulative end epochs', () => {
    expect(shapes(s)).toEqual([
      [8, 2, 158],
      [4, 4, 158],
      [2, 4, 224],
      [1, 8, 224],
      [1, 8, 224],
    ]);
    expect(s.map((x) => x.lrStage)).toEqual([0, 0, 0, 0, 1]);
    expect(s.map((x) => x.endEpoch)).toEqual([2, 3, 4, 4, 4]);
  });

  it('keeps B·T·S² near the default 8·224²', () => {
    for (const x of s) {
      const ratio = (x.shape.batchFactor * x.shape.clipLen * x.shape.cropSize ** 2) / (8 * 224 ** 2);
      expect(Math.abs(ratio - 1)).toBeLessThan(0.05);
    }
  });

  it('scales the LR by the stage batch factor (linear scaling rule)', () => {
    expect([0, 1, 2, 3].map((e) => longCycleLrFactor(s, 0.1, e))).toEqual([8, 8, 4, 2]);
    expect(stageAt(s, 3).shape.batchFactor).toBe(2);
    expect(stageAt(s, 99).shape.batchFactor).toBe(1);
  });

  it('needs a milestone', () => {
    expect(() => longCycleSchedule({ ...base, milestones: [] }, settings(false))).toThrow(/milestone/);
  });
});

describe('long + short cycle (8×28², milestones [6, 8], 10 epochs: the toy clip shape)', () => {
  // Per factor (T, S) the short cycle adds crops 0.5·28 = 14 and 0.7071·28 = 19.80 (from the default S):
  // (2, 20): B = round(6272/(2·14²)) = 16, round(6272/(2·19.8²)) = 8, round(6272/(2·20²)) = round(7.84) = 8 → avg 32/3;
  // (4, 20): 8, 4, round(3.92) = 4 → 16/3; (4, 28): 8, 4, 2 → 14/3; (8, 28): 4, 2, 1 → 7/3. Sum 69/3 = 23.
  // LR stage [0, 6): 6·avg/23 epochs per shape, 6/23 iterations each → 24/23; [6, 8): 2/23 each → 8/23;
  // saving = 8 / (32/23) = 5.75; fine-tune [8, 10): 2/5.75 · 7/3 = 0.8116 epochs. Epochs: 2.783, 1.391, 1.217,
  // 0.609, 0.928, 0.464, 0.406, 0.203, 0.812 (sum 8.811) scaled ×15/8.811 and rounded cumulatively:
  // 4.74, 7.11, 9.18, 10.21, 11.79, 12.58, 13.27, 13.62, 15 → 5, 7, 9, 10, 12, 13, 13, 14, 15.
  const base = { clipLen: 8, cropSize: 28, batchSize: 8, epochs: 10, milestones: [6, 8], gamma: 0.1 };
  const s = longCycleSchedule(base, settings(true));

  it('repeats the long cycle in every LR stage, then fine-tunes at the full shape', () => {
    expect(s.map((x) => x.endEpoch)).toEqual([5, 7, 9, 10, 12, 13, 13, 14, 15]);
    expect(s.map((x) => x.lrStage)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2]);
    expect(shapes(s).slice(0, 4)).toEqual([
      [8, 2, 20],
      [4, 4, 20],
      [2, 4, 28],
      [1, 8, 28],
    ]);
    expect(shapes(s)[8]).toEqual([1, 8, 28]);
  });

  it('splits the fine-tuning phase: its first half keeps the previous LR', () => {
    // ends …14, 15: middle floor((14 + 15)/2) = 14, so epoch 14 is already at gamma² (the first half is empty)
    const lrs = Array.from({ length: 15 }, (_, e) => longCycleLrFactor(s, 0.1, e));
    const want = [8, 8, 8, 8, 8, 4, 4, 2, 2, 1, 0.8, 0.8, 0.4, 0.1, 0.01];
    lrs.forEach((lr, e) => expect(lr).toBeCloseTo(want[e] ?? NaN, 12));
    // a longer fine-tuning phase [10, 14): epochs 10 and 11 stay at the previous stage's LR
    const long = [
      { lrStage: 0, shape: { batchFactor: 2, clipLen: 4, cropSize: 8 }, endEpoch: 6 },
      { lrStage: 0, shape: { batchFactor: 1, clipLen: 8, cropSize: 8 }, endEpoch: 10 },
      { lrStage: 1, shape: { batchFactor: 1, clipLen: 8, cropSize: 8 }, endEpoch: 14 },
    ];
    expect([5, 9, 10, 11, 12, 13].map((e) => longCycleLrFactor(long, 0.1, e))).toEqual([
      2, 1, 1, 1, 0.1, 0.1,
    ]);
  });
});

describe('short cycle', () => {
  it('alternates crops ×0.5, ×0.7071 and the stage crop with batches 4b, 2b, b at the full shape', () => {
    const stage = { batchSize: 8, clipLen: 8, cropSize: 224, shortCycle: null };
    // crops round(112) = 112, round(158.39) = 158; batches 8·round((224/112)²) = 32, 8·round((224/158.39)²) = 16
    expect(shortCycleShapes(stage, 224, DEFAULT_SHORT_CYCLE_FACTORS)).toEqual([
      { batchSize: 32, clipLen: 8, cropSize: 112, shortCycle: 0 },
      { batchSize: 16, clipLen: 8, cropSize: 158, shortCycle: 1 },
      { batchSize: 8, clipLen: 8, cropSize: 224, shortCycle: 2 },
    ]);
  });

  it('measures its crops from the default size inside a smaller long-cycle stage', () => {
    // stage crop 158 (×√½): batches 8·round((158/112)²) = 8·round(1.99) = 16, 8·round((158/158.39)²) = 8
    const stage = { batchSize: 8, clipLen: 4, cropSize: 158, shortCycle: null };
    expect(
      shortCycleShapes(stage, 224, DEFAULT_SHORT_CYCLE_FACTORS).map((s) => [s.batchSize, s.cropSize]),
    ).toEqual([
      [16, 112],
      [8, 158],
      [8, 158],
    ]);
  });

  it('fills an epoch greedily with whole steps, restarting the cycle each epoch (drop_last)', () => {
    const cycle = shortCycleShapes(
      { batchSize: 8, clipLen: 8, cropSize: 224, shortCycle: null },
      224,
      DEFAULT_SHORT_CYCLE_FACTORS,
    );
    // 100 clips: 32 + 16 + 8 + 32 = 88, the next 16 would pass 100 → 4 steps (PySlowFast's __len__ says 5)
    const steps = epochSteps(cycle, 100, 1);
    expect(steps.map((s) => [s.first, s.batchSize])).toEqual([
      [0, 32],
      [32, 16],
      [48, 8],
      [56, 32],
    ]);
    // with 2 accumulated micro-batches each step takes twice the clips
    expect(epochSteps(cycle, 100, 2).map((s) => s.first)).toEqual([0, 64]);
    expect(epochSteps(cycle, 20, 1)).toEqual([]);
  });
});
