// Form edits of a config draft: immutable path updates, kind switches that stay valid, per-field problems.
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../shared/testing/trainConfig.ts';
import { configProblems, type TrainConfig } from '../../shared/trainConfig.ts';
import { numberFrom, problemsByPath, setIn, withCrop, withDecay, withOptimizer } from './configEdit.ts';

const toy: TrainConfig = testConfig();

describe('config edits', () => {
  it('sets a value at a path without touching the original', () => {
    const next = setIn(toy, ['data', 'clipLen'], 4);
    expect(next.data.clipLen).toBe(4);
    expect(toy.data.clipLen).toBe(8);
    expect(next.optimizer).toBe(toy.optimizer);
    expect(setIn({ a: [1, 2, 3] }, ['a', 1], 9)).toEqual({ a: [1, 9, 3] });
  });

  it('turns empty or unparsable number text into NaN, which validation names', () => {
    expect(numberFrom('')).toBeNaN();
    expect(numberFrom('0.5')).toBe(0.5);
    const problems = configProblems(setIn(toy, ['batchSize'], numberFrom('')));
    expect(problems.map((p) => p.path)).toEqual(['batchSize']);
  });

  it('switches optimizer, decay and crop kinds to valid settings, keeping lr and weight decay', () => {
    for (const kind of ['sgd', 'adamw', 'lars'] as const) {
      const c = withOptimizer(toy, kind);
      expect(c.optimizer).toMatchObject({
        kind,
        lr: toy.optimizer.lr,
        weightDecay: toy.optimizer.weightDecay,
      });
      expect(configProblems(c)).toEqual([]);
    }
    for (const kind of ['cosine', 'multistep', 'constant'] as const) {
      expect(configProblems(withDecay(toy, kind))).toEqual([]);
    }
    expect(withDecay({ ...toy, epochs: 1 }, 'multistep').schedule.decay).toEqual({
      kind: 'multistep',
      milestones: [1],
      gamma: 0.1,
    });
    for (const kind of ['random-resized', 'multi-scale', 'jitter-scale', 'center'] as const) {
      expect(configProblems(withCrop(toy, kind))).toEqual([]);
    }
  });

  it('groups problems under the closest shown field and lists the rest apart', () => {
    const bad = setIn(setIn(toy, ['optimizer', 'lr'], -1), ['augmentation', 'crop', 'scale'], [1, 0.5]);
    const { byPath, other } = problemsByPath(
      configProblems(bad),
      new Set(['optimizer.lr', 'augmentation.crop.kind', 'optimizer']),
    );
    expect(byPath.get('optimizer.lr')).toMatch(/>0/);
    expect(byPath.has('optimizer')).toBe(false);
    expect(other.map((p) => p.path)).toEqual(['augmentation.crop.scale']);
  });
});
