// Every registry model's tiny preset in Chromium on WebGPU: forward and backward in training mode (our conv3d,
// grouped conv3d and batchNorm5d kernels), gradients reach every parameter, BN statistics move, nothing leaks;
// parameters and MACs are reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../gpu/device.ts';
import { initTf, tf } from '../tf.ts';
import { buildModel, modelInfo, ZOO } from './registry.ts';
import { trainingStepSummary } from './zooTesting.ts';

describe('zoo tiny presets on WebGPU', () => {
  beforeAll(async () => {
    const { device, adapter } = await acquireGpu(); // fails (never skips) without an adapter
    await initTf(device, adapter.info);
    expect(tf.getBackend()).toBe('webgpu');
  });
  afterAll(releaseGpu);

  it.each(ZOO.map((e) => [e.name, e.tinyInput] as const))(
    '%s tiny: forward + backward on %j',
    async (name, [t, h, w]) => {
      const info = modelInfo(name, { numClasses: 4, preset: 'tiny' });
      console.log(
        `${name} tiny: ${info.params} params, ${(info.macs / 1e6).toFixed(1)} M MACs at ${info.input.join('×')}`,
      );
      expect(info.params).toBeGreaterThan(1000);
      expect(info.macs).toBeGreaterThan(0);
      const model = buildModel(name, { numClasses: 4, preset: 'tiny', seed: 5 });
      try {
        const s = await trainingStepSummary(model, [2, t, h, w], 11);
        expect(Number.isFinite(s.loss)).toBe(true);
        expect(s.gradCount).toBe(model.parameters().size);
        expect(s.nonFinite).toEqual([]);
        expect(s.zero).toEqual([]);
        expect(s.runningMeansChanged).toBe(s.runningMeans);
        expect(s.leaked).toBe(0);
      } finally {
        model.dispose();
      }
    },
    600_000,
  );
});
