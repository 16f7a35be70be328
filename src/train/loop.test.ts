// The training loop on TF.js's cpu backend with the test-only tiny conv3d model and synthetic moving-bar clips.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../models/tf.ts';
import type { TrainConfig } from './config.ts';
import { Trainer } from './loop.ts';
import { testConfig } from './testing/baseConfig.ts';
import { plainModel, TinyVideoModel } from './testing/tinyModel.ts';
import { SyntheticClips } from './testing/syntheticClips.ts';
import type { VideoModel } from './types.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function config(over: Partial<TrainConfig> = {}): TrainConfig {
  const base = testConfig();
  return {
    ...base,
    data: { ...base.data, clipLen: 6, cropSize: 12 },
    batchSize: 4,
    epochs: 3,
    optimizer: { kind: 'adamw', lr: 0.02, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
    schedule: { warmupEpochs: 0, warmupStartFactor: 1, decay: { kind: 'constant' } },
    ...over,
  };
}

const source = (o: Partial<ConstructorParameters<typeof SyntheticClips>[0]> = {}): SyntheticClips =>
  new SyntheticClips({ train: 16, val: 8, frames: 6, size: 14, classes: 2, ...o });

function values(m: ReadonlyMap<string, tf.Variable>): Record<string, number[]> {
  return Object.fromEntries([...m].map(([k, v]) => [k, [...v.dataSync()]]));
}

async function run(
  cfg: TrainConfig,
  model: VideoModel,
  src = source(),
): Promise<{ trainer: Trainer; losses: number[] }> {
  const trainer = new Trainer(cfg, model, src);
  const losses: number[] = [];
  while (!trainer.done) {
    await trainer.runEpoch((r) => {
      if (r.type === 'step') losses.push(r.loss);
    });
  }
  return { trainer, losses };
}

describe('Trainer', () => {
  it('learns motion direction and reports validation accuracy each epoch', async () => {
    const model = new TinyVideoModel(2, 1);
    const { trainer, losses } = await run(config({ epochs: 6 }), model);
    const epochs = trainer.records.filter((r) => r.type === 'epoch');
    expect(epochs).toHaveLength(6);
    expect(losses).toHaveLength(6 * 4);
    const first = losses.slice(0, 4).reduce((a, b) => a + b) / 4;
    const last = losses.slice(-4).reduce((a, b) => a + b) / 4;
    expect(last).toBeLessThan(first);
    const val = epochs.at(-1)?.type === 'epoch' ? epochs.at(-1) : undefined;
    expect(val?.type === 'epoch' && val.val?.count).toBe(8);
    // deterministic (seeded): above the 0.5 chance level of two classes
    expect(val?.type === 'epoch' && val.val ? val.val.top1 : 0).toBeGreaterThanOrEqual(0.75);
    // train accuracy of each step's batch of 4: a multiple of 1/4; top-5 of two classes is always 1
    const steps = trainer.records.filter((r) => r.type === 'step');
    for (const s of steps) {
      expect(((s.trainTop1 ?? NaN) * 4) % 1).toBe(0);
      expect(s.trainTop5).toBe(1);
    }
    const meanTop1 = (part: typeof steps): number =>
      part.reduce((a, s) => a + (s.trainTop1 ?? NaN), 0) / part.length;
    expect(meanTop1(steps.slice(-4))).toBeGreaterThan(meanTop1(steps.slice(0, 4)));
    expect(meanTop1(steps.slice(-4))).toBeGreaterThanOrEqual(0.75);
    trainer.dispose();
    model.dispose();
  });

  it('records speed metrics and the scheduled lr per step, and leaks no tensors', async () => {
    const model = new TinyVideoModel(2, 2);
    const cfg = config({
      gradAccumSteps: 2,
      batchSize: 2,
      mixup: { alpha: 0.8, cutmixAlpha: 1, prob: 1, switchProb: 0.5 },
      labelSmoothing: 0.1,
      gradClipNorm: 1,
    });
    const trainer = new Trainer(cfg, model, source());
    const first = await trainer.step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await trainer.step();
    expect(tf.memory().numTensors).toBe(before);
    expect(first).toMatchObject({ type: 'step', epoch: 0, step: 1, lr: 0.02 });
    for (const k of [
      'loss',
      'gradNorm',
      'trainTop1',
      'trainTop5',
      'clipsPerSec',
      'readMs',
      'forwardMs',
      'backwardMs',
      'optimizerMs',
    ] as const) {
      const v = first[k] ?? NaN;
      expect(Number.isFinite(v) && v >= 0).toBe(true);
    }
    await trainer.endEpoch();
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    model.dispose();
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const a = await run(config({ epochs: 1 }), new TinyVideoModel(2, 3));
    const b = await run(config({ epochs: 1 }), new TinyVideoModel(2, 3));
    const c = await run(config({ epochs: 1, seed: 9 }), new TinyVideoModel(2, 3));
    expect(b.losses).toEqual(a.losses);
    expect(c.losses).not.toEqual(a.losses);
    for (const r of [a, b, c]) {
      r.trainer.dispose();
      r.trainer.model.dispose();
    }
  });

  it('averages accumulated gradients like one large batch', async () => {
    // eval-mode BN (linear probe) and geometry-free augmentation make the two runs see identical data
    const aug = { ...config().augmentation, crop: { kind: 'center' as const }, colorJitter: null };
    const sgd = { kind: 'sgd' as const, lr: 0.5, momentum: 0, nesterov: false, weightDecay: 0 };
    const common = { epochs: 1, linearProbe: true, augmentation: aug, optimizer: sgd };
    const one = new TinyVideoModel(2, 4);
    const two = new TinyVideoModel(2, 4);
    const src = { randomStart: false, train: 8 };
    const t1 = new Trainer(config({ ...common, batchSize: 8, gradAccumSteps: 1 }), one, source(src));
    const t2 = new Trainer(config({ ...common, batchSize: 4, gradAccumSteps: 2 }), two, source(src));
    const r1 = await t1.step();
    const r2 = await t2.step();
    expect(r2.loss).toBeCloseTo(r1.loss, 5);
    expect(r2.gradNorm).toBeCloseTo(r1.gradNorm, 5);
    const w1 = values(one.parameters());
    const w2 = values(two.parameters());
    for (const k of Object.keys(w1))
      (w2[k] ?? []).forEach((v, i) => expect(v).toBeCloseTo(w1[k]?.[i] ?? NaN, 5));
    [t1, t2].forEach((t) => t.dispose());
    [one, two].forEach((m) => m.dispose());
  });

  it('linear probe trains only the head and leaves BN statistics alone (both model kinds)', async () => {
    for (const wrap of [(m: TinyVideoModel): VideoModel => m, plainModel]) {
      const tiny = new TinyVideoModel(2, 5);
      const before = { ...values(tiny.parameters()), ...values(tiny.buffers()) };
      const trainer = new Trainer(config({ linearProbe: true, epochs: 1 }), wrap(tiny), source());
      await trainer.step();
      await trainer.step();
      const after = { ...values(tiny.parameters()), ...values(tiny.buffers()) };
      for (const k of ['conv1.weight', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var']) {
        expect(after[k]).toEqual(before[k]);
      }
      expect(after['fc.weight']).not.toEqual(before['fc.weight']);
      trainer.dispose();
      tiny.dispose();
    }
  });

  it('updates BN running statistics when finetuning, and honours a zero backbone lr', async () => {
    const tiny = new TinyVideoModel(2, 6);
    const before = { ...values(tiny.parameters()), ...values(tiny.buffers()) };
    const sgd = { kind: 'sgd' as const, lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 };
    const trainer = new Trainer(config({ optimizer: sgd, lrMult: { backbone: 0, head: 1 } }), tiny, source());
    await trainer.step();
    const after = { ...values(tiny.parameters()), ...values(tiny.buffers()) };
    expect(after['bn1.running_mean']).not.toEqual(before['bn1.running_mean']);
    expect(after['conv1.weight']).toEqual(before['conv1.weight']);
    expect(after['fc.weight']).not.toEqual(before['fc.weight']);
    trainer.dispose();
    tiny.dispose();
  });

  it('clips the global gradient norm', async () => {
    const tiny = new TinyVideoModel(2, 7);
    const before = values(tiny.parameters());
    const sgd = { kind: 'sgd' as const, lr: 1, momentum: 0, nesterov: false, weightDecay: 0 };
    const trainer = new Trainer(config({ optimizer: sgd, gradClipNorm: 1e-3 }), tiny, source());
    const r = await trainer.step();
    expect(r.gradNorm).toBeGreaterThan(1e-2);
    const after = values(tiny.parameters());
    let sq = 0;
    for (const k of Object.keys(before))
      (after[k] ?? []).forEach((v, i) => (sq += (v - (before[k]?.[i] ?? 0)) ** 2));
    expect(Math.sqrt(sq)).toBeCloseTo(1e-3, 5);
    trainer.dispose();
    tiny.dispose();
  });

  it('rejects a model whose class count differs from the dataset', () => {
    const tiny = new TinyVideoModel(3, 1);
    expect(() => new Trainer(config(), tiny, source())).toThrow(/3 classes but the dataset has 2/);
    tiny.dispose();
  });
});
