// Checkpoint capture/restore: a resumed run (fresh model and trainer, state from the checkpoint) repeats the
// uninterrupted run's losses, at an epoch boundary and mid-epoch. IndexedDB storage: resume.browser.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../models/tf.ts';
import {
  captureCheckpoint,
  parseCheckpointMeta,
  restoreCheckpoint,
  type CheckpointPayload,
} from './checkpoint.ts';
import type { TrainConfig } from './config.ts';
import { Trainer } from './loop.ts';
import { buildModel } from '../models/zoo/registry.ts';
import { testConfig } from './testing/baseConfig.ts';
import { TinyVideoModel } from './testing/tinyModel.ts';
import { SyntheticClips } from './testing/syntheticClips.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const base = testConfig();
const CONFIG: TrainConfig = {
  ...base,
  data: { ...base.data, clipLen: 4, cropSize: 10 },
  batchSize: 4,
  epochs: 2,
  optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 1e-4 },
  mixup: { alpha: 0.8, cutmixAlpha: 1, prob: 1, switchProb: 0.5 },
  labelSmoothing: 0.1,
};
const source = (): SyntheticClips =>
  new SyntheticClips({ train: 12, val: 6, frames: 4, size: 12, classes: 3 });

async function steps(t: Trainer, n: number, out: number[]): Promise<void> {
  for (let i = 0; i < n && !t.done; i++) {
    out.push((await t.step()).loss);
    if (t.epochFinished) await t.endEpoch();
  }
}

function roundTrip(p: CheckpointPayload): CheckpointPayload {
  return { meta: parseCheckpointMeta(JSON.stringify(p.meta)), data: p.data.slice() };
}

describe('checkpoint resume', () => {
  for (const cut of [3, 4]) {
    it(`repeats the uninterrupted losses when resumed after ${cut} of 6 steps`, async () => {
      const full: number[] = [];
      const a = new Trainer(CONFIG, new TinyVideoModel(3, 1), source());
      await steps(a, 6, full);
      expect(a.done).toBe(true);

      const resumed: number[] = [];
      const b = new Trainer(CONFIG, new TinyVideoModel(3, 1), source());
      await steps(b, cut, resumed);
      const payload = roundTrip(await captureCheckpoint(b));
      b.dispose();
      b.model.dispose();

      // a different initialisation proves the weights come from the checkpoint
      const c = new Trainer(CONFIG, new TinyVideoModel(3, 99), source());
      restoreCheckpoint(c, payload);
      expect(c.position.globalStep).toBe(cut);
      await steps(c, 6, resumed);
      expect(resumed).toHaveLength(6);
      resumed.forEach((l, i) => expect(Math.abs(l - (full[i] ?? NaN))).toBeLessThan(1e-5));
      const lastA = a.records.at(-1);
      const lastC = c.records.at(-1);
      expect(lastC?.type === 'epoch' && lastC.val?.top1).toBe(lastA?.type === 'epoch' && lastA.val?.top1);
      expect(c.records.filter((r) => r.type === 'step')).toHaveLength(6);
      for (const t of [a, c]) {
        t.dispose();
        t.model.dispose();
      }
    });
  }

  it('refuses a checkpoint of another model shape or config, naming the difference', async () => {
    const a = new Trainer(CONFIG, new TinyVideoModel(3, 1), source());
    const p = await captureCheckpoint(a);
    const wide = new Trainer(CONFIG, new TinyVideoModel(3, 1, 6), source());
    expect(() => restoreCheckpoint(wide, p)).toThrow(
      /param\/conv1.weight has shape \[3,3,3,3,4\], model has \[3,3,3,3,6\]/,
    );
    const other = new Trainer({ ...CONFIG, seed: 5 }, new TinyVideoModel(3, 1), source());
    expect(() => restoreCheckpoint(other, p)).toThrow(/config differs/);
    expect(() => parseCheckpointMeta('{"format":"x"}')).toThrow(/unknown format "x"/);
    for (const t of [a, wide, other]) {
      t.dispose();
      t.model.dispose();
    }
  });

  it('restores a zoo model, whose BatchNorm step counters are int32 buffers', async () => {
    const config: TrainConfig = { ...CONFIG, data: { ...CONFIG.data, cropSize: 16 } };
    const clips = (): SyntheticClips =>
      new SyntheticClips({ train: 12, val: 6, frames: 4, size: 16, classes: 3 });
    const zoo = (seed: number) => buildModel('r3d_18', { numClasses: 3, preset: 'tiny', seed });
    const a = new Trainer(config, zoo(1), clips());
    await a.step();
    const p = roundTrip(await captureCheckpoint(a));
    const b = new Trainer(config, zoo(2), clips());
    restoreCheckpoint(b, p);
    const counters = [...b.model.buffers()].filter(([name]) => name.endsWith('num_batches_tracked'));
    expect(counters.length).toBeGreaterThan(0);
    for (const [, v] of counters) {
      expect(v.dtype).toBe('int32');
      expect((await v.data())[0]).toBe(1);
    }
    for (const t of [a, b]) {
      t.dispose();
      t.model.dispose();
    }
  });
});
