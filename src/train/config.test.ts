// Training config validation, presets and JSON round trips.
import { describe, expect, it } from 'vitest';
import { TubeletError } from '../shared/errors.ts';
import {
  exportTrainConfig,
  importTrainConfig,
  parseTrainConfig,
  resolveSchedule,
  stepsPerEpoch,
  type TrainConfig,
} from './config.ts';
import { DEFAULT_PRESET, TRAIN_PRESETS, trainPreset } from './presets.ts';
import { learningRate } from './schedule.ts';

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TubeletError);
    expect((e as TubeletError).code).toBe('INVALID_ARGUMENT');
    return (e as Error).message;
  }
  throw new Error('expected a throw');
}

describe('training config', () => {
  it('has the named presets, all valid', () => {
    expect(Object.keys(TRAIN_PRESETS).sort()).toEqual([
      'fgkvmempred-ucf101-finetune-r3d18-16x4-112',
      'fgkvmempred-ucf101-linear-r3d18-16x4-112',
      'mmaction2-tsm-r50-1x1x8-kinetics400',
      'toy-actions-avg2d-baseline',
      'toy-actions-r3d-tiny',
      'toy-actions-timesformer-tiny',
      'toy-actions-videomae-tiny',
    ]);
    expect(TRAIN_PRESETS[DEFAULT_PRESET]).toBeDefined();
    const ft = trainPreset('fgkvmempred-ucf101-finetune-r3d18-16x4-112');
    expect([ft.data.clipLen, ft.data.frameInterval, ft.data.cropSize]).toEqual([16, 4, 112]);
    expect(trainPreset('fgkvmempred-ucf101-linear-r3d18-16x4-112').linearProbe).toBe(true);
  });

  it('returns copies of presets', () => {
    const a = trainPreset(DEFAULT_PRESET);
    a.data.clipLen = 99;
    expect(trainPreset(DEFAULT_PRESET).data.clipLen).not.toBe(99);
    expect(() => trainPreset('nope')).toThrow(
      /unknown training preset 'nope'; presets: .*toy-actions-r3d-tiny/,
    );
  });

  it('round-trips through JSON', () => {
    for (const c of Object.values(TRAIN_PRESETS)) {
      expect(importTrainConfig(exportTrainConfig(c))).toEqual(c);
    }
  });

  it('names the field and the value of every bad entry', () => {
    const bad = structuredClone(trainPreset(DEFAULT_PRESET)) as unknown as Record<string, unknown>;
    bad.batchSize = 0;
    (bad.data as Record<string, unknown>).clipLen = 2.5;
    (bad.optimizer as Record<string, unknown>).lr = -1;
    const msg = messageOf(() => parseTrainConfig(bad));
    expect(msg).toMatch(/batchSize: .*\(got 0\)/);
    expect(msg).toMatch(/data\.clipLen: .*\(got 2\.5\)/);
    expect(msg).toMatch(/optimizer\.lr: .*\(got -1\)/);
  });

  it('rejects unknown keys, wrong kinds, bad ranges and bad JSON', () => {
    const base = trainPreset(DEFAULT_PRESET);
    expect(messageOf(() => parseTrainConfig({ ...base, epoch: 3 }))).toMatch(/epoch/);
    expect(messageOf(() => parseTrainConfig({ ...base, optimizer: { kind: 'rmsprop', lr: 1 } }))).toMatch(
      /optimizer\.kind.*rmsprop/,
    );
    const aug = { ...base.augmentation, crop: { kind: 'random-resized', scale: [0.9, 0.1], ratio: [1, 1] } };
    expect(messageOf(() => parseTrainConfig({ ...base, augmentation: aug }))).toMatch(
      /augmentation\.crop\.scale: range must be \[low, high\].*\[0\.9,0\.1\]/,
    );
    expect(messageOf(() => importTrainConfig('{ nope'))).toMatch(/not valid JSON/);
    expect(messageOf(() => parseTrainConfig({ ...base, version: 2 }))).toMatch(/version.*got 2/);
  });

  it('checks fields against each other', () => {
    const base = trainPreset('mmaction2-tsm-r50-1x1x8-kinetics400');
    const c: TrainConfig = {
      ...base,
      schedule: { ...base.schedule, decay: { kind: 'multistep', milestones: [45, 25], gamma: 0.1 } },
    };
    expect(messageOf(() => parseTrainConfig(c))).toMatch(
      /schedule\.decay\.milestones: must be increasing.*\[45,25\]/,
    );
    const w: TrainConfig = { ...base, schedule: { ...base.schedule, warmupEpochs: 60 } };
    expect(messageOf(() => parseTrainConfig(w))).toMatch(
      /warmupEpochs: must not exceed epochs \(50\) \(got 60\)/,
    );
    const probe = trainPreset('fgkvmempred-ucf101-linear-r3d18-16x4-112');
    const withMix = { ...probe, mixup: { alpha: 1, cutmixAlpha: 0, prob: 1, switchProb: 0 } };
    expect(messageOf(() => parseTrainConfig(withMix))).toMatch(/mixup: must be null for a linear probe/);
  });

  it('resolves epoch settings into the per-iteration schedule', () => {
    const c = trainPreset('mmaction2-tsm-r50-1x1x8-kinetics400');
    const steps = stepsPerEpoch(c, 16 * 10 + 5);
    expect(steps).toBe(10);
    const s = resolveSchedule(c, steps);
    expect(s).toMatchObject({ totalIters: 500, warmupIters: 50, baseLr: 0.02 });
    expect(s.decay).toEqual({ kind: 'multistep', milestones: [250, 450], gamma: 0.1 });
    expect(learningRate(s, 0)).toBeCloseTo(0.002, 10);
    expect(learningRate(s, 300)).toBeCloseTo(0.002, 10);
    expect(() => resolveSchedule(c, 0)).toThrow(/no full batch of 16 clips/);
  });
});
