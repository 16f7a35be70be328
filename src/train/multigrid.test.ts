// The multigrid config block (validation, defaults) and the trainer's StepPlanner: plain runs unchanged,
// long/short-cycle step counts, shapes, learning rates and frame intervals.
import { describe, expect, it } from 'vitest';
import { TubeletError } from '../shared/errors.ts';
import { Rng } from '../shared/random.ts';
import {
  configProblems,
  parseTrainConfig,
  resolveSchedule,
  stepsPerEpoch,
  type TrainConfig,
} from './config.ts';
import { StepPlanner } from './multigrid.ts';
import { TRAIN_PRESETS } from './presets.ts';
import { learningRate } from './schedule.ts';
import { testConfig } from './testing/baseConfig.ts';

/** The toy clip shape (8 × 28²) with a multistep schedule, batch 8, 10 epochs. */
function toyGrid(multigrid: unknown, over: Partial<TrainConfig> = {}): unknown {
  const base = testConfig();
  return {
    ...base,
    data: { ...base.data, clipLen: 8, frameInterval: 2, cropSize: 28 },
    batchSize: 8,
    epochs: 10,
    optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 },
    schedule: {
      warmupEpochs: 1,
      warmupStartFactor: 0.1,
      decay: { kind: 'multistep', milestones: [6, 8], gamma: 0.1 },
    },
    augmentation: { ...base.augmentation, crop: { kind: 'jitter-scale', shortSide: [32, 40] } },
    ...over,
    multigrid,
  };
}

const paths = (input: unknown): string[] => configProblems(input).map((p) => p.path);

describe('multigrid config', () => {
  it('is off in every preset and fills PySlowFast defaults when given', () => {
    for (const c of Object.values(TRAIN_PRESETS)) expect(c.multigrid).toBeUndefined();
    const c = parseTrainConfig(toyGrid({ longCycle: true, shortCycle: true }));
    expect(c.multigrid).toEqual({
      longCycle: true,
      shortCycle: true,
      longCycleFactors: [
        [0.25, Math.SQRT1_2],
        [0.5, Math.SQRT1_2],
        [0.5, 1],
        [1, 1],
      ],
      shortCycleFactors: [0.5, Math.SQRT1_2],
      epochFactor: 1.5,
    });
    expect(parseTrainConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  it('names each bad field and value', () => {
    expect(paths(toyGrid({ longCycle: false, shortCycle: false }))).toEqual(['multigrid']);
    expect(paths(toyGrid({ longCycle: true, shortCycle: true, epochFactor: -1 }))).toEqual([
      'multigrid.epochFactor',
    ]);
    expect(paths(toyGrid({ longCycle: true, shortCycle: false, longCycleFactors: [[0, 1]] }))).toEqual([
      'multigrid.longCycleFactors.0.0',
    ]);
    expect(paths(toyGrid({ longCycle: true, shortCycle: false, shortCycleFactors: [0.5, 1.2] }))).toEqual([
      'multigrid.shortCycleFactors.1',
    ]);
    expect(paths(toyGrid({ longCycle: 'yes', shortCycle: true }))).toEqual(['multigrid.longCycle']);
    expect(paths(toyGrid({ longCycle: true, shortCycle: true, extra: 1 }))).toEqual(['multigrid']);
  });

  it('checks the cross-field rules with clear messages', () => {
    const cosine = toyGrid(
      { longCycle: true, shortCycle: false },
      { schedule: { warmupEpochs: 0, warmupStartFactor: 1, decay: { kind: 'cosine', minLr: 0 } } },
    );
    expect(() => parseTrainConfig(cosine)).toThrow(
      /multigrid\.longCycle: needs schedule\.decay multistep with milestones/,
    );
    const e = (() => {
      try {
        parseTrainConfig(toyGrid({ longCycle: true, shortCycle: false, longCycleFactors: [[0.5, 0.5]] }));
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(TubeletError);
    expect((e as TubeletError).message).toMatch(
      /multigrid\.longCycleFactors: must end with \[1, 1\].*\(got \[0\.5,0\.5\]\)/,
    );
    expect(
      paths(
        toyGrid({
          longCycle: true,
          shortCycle: false,
          longCycleFactors: [
            [0.01, 1],
            [1, 1],
          ],
        }),
      ),
    ).toEqual(['multigrid.longCycleFactors']);
    expect(paths(toyGrid({ longCycle: false, shortCycle: true, epochFactor: 0.05 }))).toEqual([
      'multigrid.epochFactor',
    ]);
    expect(paths(toyGrid({ longCycle: true, shortCycle: true }, { model: 'c3d:tiny' }))).toEqual([
      'multigrid',
    ]);
    // short cycle alone works with any decay
    expect(
      paths(toyGrid({ longCycle: false, shortCycle: true }, { schedule: testConfig().schedule })),
    ).toEqual([]);
  });
});

describe('StepPlanner', () => {
  it('is the plain fixed-batch plan without multigrid', () => {
    const c = { ...testConfig(), epochs: 3 };
    const p = new StepPlanner(c, 70);
    const steps = stepsPerEpoch(c, 70);
    const schedule = resolveSchedule(c, steps);
    expect(p.epochs).toBe(3);
    expect(p.stepsIn(2)).toBe(steps);
    expect(p.totalSteps).toBe(3 * steps);
    for (let g = 0; g < 3 * steps; g++) {
      expect(p.lr(Math.floor(g / steps), g % steps, g)).toBe(learningRate(schedule, g));
    }
    expect(p.at(1, 3)).toEqual({ batchSize: 8, clipLen: 8, cropSize: 32, shortCycle: null, first: 24 });
    expect(p.frameIntervals(p.at(0, 0), 4, new Rng(1))).toBeNull();
    expect(p.augmentation(p.at(0, 0))).toBe(c.augmentation);
  });

  it('follows the long and short cycles epoch by epoch', () => {
    const c = parseTrainConfig(toyGrid({ longCycle: true, shortCycle: true }));
    const p = new StepPlanner(c, 400);
    // stage ends 5, 7, 9, 10, 12, 13, 13, 14, 15 (src/shared/multigrid.test.ts)
    expect(p.epochs).toBe(15);
    // epoch 0: stage (8×, T 2, S 20): batches 64·[2, 1, 1] = 128, 64, 64 at crops 14, 20, 20 → 128+64+64+128 = 384
    expect(p.steps(0).map((s) => [s.batchSize, s.clipLen, s.cropSize, s.shortCycle])).toEqual([
      [128, 2, 14, 0],
      [64, 2, 20, 1],
      [64, 2, 20, 2],
      [128, 2, 14, 0],
    ]);
    // epoch 14: full shape 8 × 28², batches 32, 16, 8 at 14, 20, 28: (32+16+8)·7 = 392 → 21 steps
    expect(p.stepsIn(14)).toBe(21);
    expect(p.at(14, 2)).toEqual({ batchSize: 8, clipLen: 8, cropSize: 28, shortCycle: 2, first: 48 });
    // steps per epoch: stage (64×, 2, 20) 4; (32×, 4, 20) 9; (16×, 4, 28) 10; full 21 — over the stage epochs
    // 0–4, 5–6, 7–8, 9, 10–11, 12, 13, 14: 5·4 + 2·9 + 2·10 + 21 + 2·4 + 9 + 21 + 21 = 138 (plain: 10 · 50 = 500)
    expect([0, 5, 7, 9, 10, 12, 13].map((e) => p.stepsIn(e))).toEqual([4, 9, 10, 21, 4, 9, 21]);
    expect(p.totalSteps).toBe(138);
    // LR: 0.1 × 8 (stage batch factor), warmup over epoch 0 from ×0.1 by the fraction of the epoch's 4 steps
    expect(p.lr(0, 0, 0)).toBeCloseTo(0.08, 12);
    expect(p.lr(0, 2, 2)).toBeCloseTo(0.8 * (0.1 + 0.9 * 0.5), 12);
    expect(p.lr(5, 0, 0)).toBeCloseTo(0.4, 12);
    expect(p.lr(14, 3, 0)).toBeCloseTo(0.1 * 0.01, 12);
  });

  it('draws PySlowFast frame intervals for shorter clips and scales the jitter-scale short side', () => {
    const c = parseTrainConfig(toyGrid({ longCycle: true, shortCycle: true }));
    const p = new StepPlanner(c, 400);
    // T 2 of 8 at interval 2: a random interval in [2, 2·4 = 8] per clip
    const iv = p.frameIntervals(p.at(0, 0), 200, new Rng(7)) ?? [];
    expect(iv).toHaveLength(200);
    expect(Math.min(...iv)).toBe(2);
    expect(Math.max(...iv)).toBe(8);
    expect(p.frameIntervals(p.at(14, 0), 3, new Rng(7))).toBeNull();
    // crop 14 of 28: short side [32·14/28 = 16, 40]
    expect(p.augmentation(p.at(0, 0)).crop).toEqual({ kind: 'jitter-scale', shortSide: [16, 40] });
    expect(p.augmentation(p.at(14, 2)).crop).toEqual({ kind: 'jitter-scale', shortSide: [32, 40] });
  });

  it('short cycle only: epochs and milestones ×epochFactor, the same steps every epoch', () => {
    const c = parseTrainConfig(toyGrid({ longCycle: false, shortCycle: true }));
    const p = new StepPlanner(c, 100);
    expect(p.epochs).toBe(15);
    // batches 32, 16, 8 at crops 14, 20, 28: 32+16+8+32 = 88 → 4 steps
    expect([0, 7, 14].map((e) => p.stepsIn(e))).toEqual([4, 4, 4]);
    // milestones [6, 8] → [9, 12] epochs = iterations 36, 48; warmup 1 epoch = 4 iterations
    expect(p.lr(8, 3, 35)).toBeCloseTo(0.1, 12);
    expect(p.lr(9, 0, 36)).toBeCloseTo(0.01, 12);
    expect(p.lr(12, 0, 48)).toBeCloseTo(0.001, 12);
    expect(p.lr(0, 2, 2)).toBeCloseTo(0.1 * (0.1 + 0.9 * 0.5), 12);
  });

  it('fails clearly when an epoch has no full multigrid batch', () => {
    const c = parseTrainConfig(toyGrid({ longCycle: true, shortCycle: true }));
    expect(() => new StepPlanner(c, 100)).toThrow(/multigrid epoch 0 has no full batch of 128 clips/);
  });
});
