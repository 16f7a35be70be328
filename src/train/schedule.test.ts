import { describe, expect, it } from 'vitest';
import { learningRate, scheduleCurve, validateSchedule, type ScheduleConfig } from './schedule.ts';

const cosine: ScheduleConfig = {
  baseLr: 0.1,
  totalIters: 1000,
  warmupIters: 100,
  warmupStartFactor: 0.1,
  decay: { kind: 'cosine', minLr: 0 },
};

describe('learning-rate schedules', () => {
  it('warms up linearly from startFactor·lr to lr', () => {
    expect(learningRate(cosine, 0)).toBeCloseTo(0.01, 12);
    expect(learningRate(cosine, 50)).toBeCloseTo(0.1 * (0.1 + 0.9 * 0.5), 12);
    expect(learningRate(cosine, 100)).toBeCloseTo(0.1, 12);
  });

  it('anneals with a cosine to minLr at the last iteration, halfway at the midpoint', () => {
    expect(learningRate(cosine, 550)).toBeCloseTo(0.05, 12);
    expect(learningRate(cosine, 1000)).toBeCloseTo(0, 12);
    const curve = scheduleCurve(cosine, 10).map((p) => p.lr);
    for (let i = 11; i < curve.length; i++) expect(curve[i]).toBeLessThanOrEqual((curve[i - 1] ?? 0) + 1e-15);
  });

  it('decays by gamma at each milestone', () => {
    const c: ScheduleConfig = {
      baseLr: 0.01,
      totalIters: 300,
      warmupIters: 0,
      warmupStartFactor: 1,
      decay: { kind: 'multistep', milestones: [100, 200], gamma: 0.1 },
    };
    expect(learningRate(c, 99)).toBeCloseTo(0.01, 15);
    expect(learningRate(c, 100)).toBeCloseTo(0.001, 15);
    expect(learningRate(c, 250)).toBeCloseTo(0.0001, 15);
  });

  it('is a pure function of the iteration (resume-safe) and clamps out-of-range iterations', () => {
    expect(learningRate(cosine, 700)).toBe(learningRate(cosine, 700));
    expect(learningRate(cosine, -5)).toBe(learningRate(cosine, 0));
    expect(learningRate(cosine, 5000)).toBe(learningRate(cosine, 1000));
  });

  it('rejects bad configurations with a message naming the value', () => {
    expect(() => validateSchedule({ ...cosine, baseLr: 0 })).toThrow(/baseLr/);
    expect(() => validateSchedule({ ...cosine, warmupIters: 2000 })).toThrow(/warmupIters/);
    expect(() =>
      validateSchedule({ ...cosine, decay: { kind: 'multistep', milestones: [200, 100], gamma: 0.1 } }),
    ).toThrow(/milestones/);
    expect(() => validateSchedule(cosine)).not.toThrow();
  });
});
