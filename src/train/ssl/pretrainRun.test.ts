// The BYOL + FGKV pretraining run on synthetic clips (cpu backend, toy_r3d, tiny dims): two views of one video
// differ (independent starts and augmentation draws), the LR warms up, epochs advance, and a snapshot restored
// into fresh networks continues with exactly the losses of the uninterrupted run.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../models/tf.ts';
import { buildModel } from '../../models/zoo/registry.ts';
import { Rng } from '../../shared/random.ts';
import { SyntheticClips } from '../testing/syntheticClips.ts';
import { ByolFgkvRun, readTwoViews } from './pretrainRun.ts';
import { byolFgkvPreset, type ByolFgkvPreset } from './presets.ts';

const toy = byolFgkvPreset('toy-byol-fgkv');
if (!toy) throw new Error('no toy-byol-fgkv preset');
const PRESET: ByolFgkvPreset = {
  ...toy,
  dims: { projHidden: 16, dim: 8, nMemory: 16, nConcept: 12 },
  epochs: 2,
  batchSize: 4,
  cropSize: 12,
  warmupEpochs: 1,
};
const source = (): SyntheticClips =>
  new SyntheticClips({ train: 8, val: 0, frames: 4, size: 16, classes: 4 });

function makeRun(seed: number): ByolFgkvRun {
  const online = buildModel('toy_r3d', { numClasses: 8, seed });
  const target = buildModel('toy_r3d', { numClasses: 8, seed: seed + 1 });
  return new ByolFgkvRun(PRESET, online, target, 32, source());
}

describe('BYOL + FGKV pretraining run', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('two views of the same videos differ (independent temporal starts and augmentation draws)', async () => {
    const [v1, v2] = await readTwoViews(source(), [0, 1], new Rng(4), PRESET.augmentation, 12);
    expect(v1.shape).toEqual([2, 4, 12, 12, 3]);
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(v1, v2))).dataSync()[0] ?? 0);
    expect(d).toBeGreaterThan(0.1);
    tf.dispose([v1, v2]);
  });

  it('warms the LR up, advances epochs, and resumes exactly from a snapshot', async () => {
    const a = makeRun(9);
    expect(a.stepsPerEpoch).toBe(2);
    const full = [];
    while (!a.done) full.push(await a.step());
    a.dispose();
    expect(full.map((r) => r.epoch)).toEqual([0, 0, 1, 1]);
    expect(full[0]?.lr).toBeCloseTo(PRESET.warmupStartLr, 9);
    expect(full[1]?.lr ?? 0).toBeGreaterThan(full[0]?.lr ?? 0);
    expect(full.every((r) => Number.isFinite(r.loss))).toBe(true);

    const b = makeRun(9);
    await b.step();
    await b.step();
    await b.step();
    const snap = await b.snapshot();
    b.dispose();
    const c = makeRun(31);
    c.restore(snap);
    const last = await c.step();
    expect(c.done).toBe(true);
    c.dispose();
    expect(last.loss).toBe(full[3]?.loss);
    expect(last.kl).toBe(full[3]?.kl);
  });
});
