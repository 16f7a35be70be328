// Multigrid steps on the webgpu backend (our conv3d/BatchNorm kernels and GPU augmentation at every clip length,
// crop and batch of the cycles) against the cpu backend: losses agree to float tolerance and nothing leaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../gpu/device.ts';
import { initTf, tf } from '../models/tf.ts';
import { parseTrainConfig } from './config.ts';
import { Trainer } from './loop.ts';
import { testConfig } from './testing/baseConfig.ts';
import { TinyVideoModel } from './testing/tinyModel.ts';
import { SyntheticClips } from './testing/syntheticClips.ts';

const base = testConfig();
// 3 multigrid epochs over 40 clips: T 1 (3 steps), then T 2 with batches 8/4/2 at crops 6/8/12 (8 steps)
const CONFIG = parseTrainConfig({
  ...base,
  data: { ...base.data, clipLen: 4, cropSize: 12 },
  batchSize: 1,
  epochs: 2,
  schedule: {
    warmupEpochs: 0,
    warmupStartFactor: 1,
    decay: { kind: 'multistep', milestones: [1], gamma: 0.1 },
  },
  multigrid: { longCycle: true, shortCycle: true },
});

async function run(
  backend: 'cpu' | 'webgpu',
  steps: number,
): Promise<{ losses: number[]; shapes: string[]; leak: number }> {
  await tf.setBackend(backend);
  const model = new TinyVideoModel(3, 1);
  const trainer = new Trainer(
    CONFIG,
    model,
    new SyntheticClips({ train: 40, val: 4, frames: 4, size: 14, classes: 3 }),
  );
  const losses: number[] = [];
  const shapes: string[] = [];
  let before = 0;
  while (losses.length < steps) {
    const { epoch, stepInEpoch } = trainer.position;
    const s = trainer.plan.at(epoch, stepInEpoch);
    shapes.push(`${s.batchSize}x${s.clipLen}x${s.cropSize}`);
    losses.push((await trainer.step()).loss);
    if (losses.length === 1) before = tf.memory().numTensors;
    if (trainer.epochFinished) await trainer.endEpoch();
  }
  const leak = tf.memory().numTensors - before;
  trainer.dispose();
  model.dispose();
  return { losses, shapes, leak };
}

describe('multigrid on webgpu', () => {
  beforeAll(async () => {
    const { device, adapter } = await acquireGpu(); // fails (never skips) without an adapter
    await initTf(device, adapter.info);
  });
  afterAll(releaseGpu);

  it('matches the cpu backend across the cycle shapes and leaks nothing', async () => {
    const cpu = await run('cpu', 6);
    const gpu = await run('webgpu', 6);
    expect(tf.getBackend()).toBe('webgpu');
    expect(gpu.shapes).toEqual(['18x1x6', '9x1x8', '9x1x8', '8x2x6', '4x2x8', '2x2x12']);
    expect(gpu.leak).toBe(0);
    gpu.losses.forEach((l, i) => expect(Math.abs(l - (cpu.losses[i] ?? NaN))).toBeLessThan(1e-3));
  });
});
