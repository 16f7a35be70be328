// The training loop on the webgpu backend (our conv3d and BatchNorm kernels, GPU augmentation) against the same
// run on the cpu backend: losses agree to float tolerance and no tensors leak across steps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../gpu/device.ts';
import { initTf, tf } from '../models/tf.ts';
import type { TrainConfig } from './config.ts';
import { Trainer } from './loop.ts';
import { testConfig } from './testing/baseConfig.ts';
import { TinyVideoModel } from './testing/tinyModel.ts';
import { SyntheticClips } from './testing/syntheticClips.ts';
import { buildModel } from '../models/zoo/registry.ts';

const base = testConfig();
const CONFIG: TrainConfig = {
  ...base,
  data: { ...base.data, clipLen: 4, cropSize: 12 },
  batchSize: 4,
  epochs: 1,
  mixup: { alpha: 0.8, cutmixAlpha: 1, prob: 1, switchProb: 0.5 },
  labelSmoothing: 0.1,
  gradClipNorm: 1,
};

async function losses(backend: 'cpu' | 'webgpu', steps: number): Promise<{ losses: number[]; leak: number }> {
  await tf.setBackend(backend);
  const model = new TinyVideoModel(3, 1);
  const trainer = new Trainer(
    CONFIG,
    model,
    new SyntheticClips({ train: 16, val: 4, frames: 4, size: 14, classes: 3 }),
  );
  const out: number[] = [(await trainer.step()).loss];
  const before = tf.memory().numTensors;
  for (let i = 1; i < steps; i++) out.push((await trainer.step()).loss);
  const leak = tf.memory().numTensors - before;
  trainer.dispose();
  model.dispose();
  return { losses: out, leak };
}

describe('Trainer on webgpu', () => {
  beforeAll(async () => {
    const { device, adapter } = await acquireGpu(); // fails (never skips) without an adapter
    await initTf(device, adapter.info);
  });
  afterAll(releaseGpu);

  it('matches the cpu backend step by step and leaks nothing', async () => {
    const cpu = await losses('cpu', 4);
    const gpu = await losses('webgpu', 4);
    expect(tf.getBackend()).toBe('webgpu');
    expect(gpu.leak).toBe(0);
    gpu.losses.forEach((l, i) => expect(Math.abs(l - (cpu.losses[i] ?? NaN))).toBeLessThan(1e-3));
  });

  it('reports the same gradient norm as the cpu backend for a zoo model with dozens of tensors', async () => {
    const gradNorm = async (backend: 'cpu' | 'webgpu'): Promise<{ loss: number; gradNorm: number }> => {
      await tf.setBackend(backend);
      const model = buildModel('r3d_18', { numClasses: 3, preset: 'tiny', seed: 1 });
      expect(model.parameters().size).toBeGreaterThan(16); // more inputs than one shader may bind
      const trainer = new Trainer(
        { ...CONFIG, mixup: null, labelSmoothing: 0, gradClipNorm: null, batchSize: 2 },
        model,
        new SyntheticClips({ train: 4, val: 2, frames: 4, size: 14, classes: 3 }),
      );
      const r = await trainer.step();
      trainer.dispose();
      model.dispose();
      return { loss: r.loss, gradNorm: r.gradNorm };
    };
    const cpu = await gradNorm('cpu');
    const gpu = await gradNorm('webgpu');
    expect(gpu.gradNorm).not.toBe(gpu.loss);
    expect(Math.abs(gpu.gradNorm - cpu.gradNorm)).toBeLessThan(1e-3 * cpu.gradNorm + 1e-4);
  });
});
