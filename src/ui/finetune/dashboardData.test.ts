import { describe, expect, it } from 'vitest';
import type { EpochRecord, StepRecord, TrainRecord } from '../../shared/training.ts';
import { epochColumns, etaSeconds, formatEta, stepColumns } from './dashboardData.ts';

describe('etaSeconds with per-step clip counts (multigrid)', () => {
  it('times each recent step by its own clips', () => {
    const rec = (n: number, clips: number, clipsPerSec: number): StepRecord => ({
      ...step(n, clipsPerSec),
      clips,
    });
    // 40 clips at 10 clips/s and 8 clips at 2 clips/s: 4 s per step; 8 of 10 steps left
    expect(etaSeconds([rec(1, 40, 10), rec(2, 8, 2)], 10, 8)).toBeCloseTo(32, 10);
    // without counts the config's clips per step is used: 8/10 and 8/2 → 2.4 s per step
    expect(etaSeconds([step(1, 10), step(2, 2)], 10, 8)).toBeCloseTo(19.2, 10);
  });
});

const step = (n: number, clipsPerSec: number, top1?: number): StepRecord => ({
  type: 'step',
  epoch: n > 2 ? 1 : 0,
  step: n,
  loss: 2 / n,
  lr: 0.1,
  gradNorm: 1,
  ...(top1 === undefined ? {} : { trainTop1: top1, trainTop5: 1 }),
  clipsPerSec,
  readMs: 1,
  forwardMs: 2,
  backwardMs: 3,
  optimizerMs: 0.5,
});
const epoch = (e: number, top1: number | null): EpochRecord => ({
  type: 'epoch',
  epoch: e,
  steps: 2,
  trainLoss: 1,
  val: top1 === null ? null : { count: 10, top1, top5: 1, meanClassAccuracy: top1, loss: 0.5 },
  seconds: 3,
});

describe('dashboard data', () => {
  const records: TrainRecord[] = [
    step(1, 8),
    step(2, 8),
    epoch(0, null),
    step(3, 4, 0.25),
    step(4, 4, 0.5),
    epoch(1, 0.6),
  ];

  it('splits records into step and epoch columns with gaps where validation did not run', () => {
    expect(stepColumns(records).step).toEqual([1, 2, 3, 4]);
    expect(stepColumns(records).loss[1]).toBe(1);
    const e = epochColumns(records);
    expect(e.epoch).toEqual([1, 2]);
    expect(e.valTop1).toEqual([null, 0.6]);
  });

  it('charts train accuracy per step and as the epoch mean, blank where records predate it', () => {
    const s = stepColumns(records);
    expect(s.trainTop1).toEqual([null, null, 0.25, 0.5]);
    expect(s.trainTop5).toEqual([null, null, 1, 1]);
    const e = epochColumns(records);
    expect(e.trainTop1).toEqual([null, 0.375]);
    expect(e.trainTop5).toEqual([null, 1]);
  });

  it('estimates the time left from recent throughput', () => {
    // 8 clips per step; last two steps at 4 clips/s → 2 s/step; window 2 → 6 steps left × 2 s
    expect(etaSeconds(records, 10, 8, 2)).toBeCloseTo(12, 10);
    expect(etaSeconds([], 10, 8)).toBeNull();
    expect(formatEta(12)).toBe('12 s');
    expect(formatEta(3725)).toBe('1 h 2 min');
    expect(formatEta(null)).toBe('estimating…');
  });
});
