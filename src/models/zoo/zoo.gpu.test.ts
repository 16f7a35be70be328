// Every registry model's tiny preset (once where two entries share one) in Chromium on WebGPU: forward and backward in training mode (our conv3d,
// grouped conv3d and batchNorm5d kernels), gradients reach every parameter, BN statistics move, nothing leaks;
// parameters and MACs are reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../gpu/device.ts';
import { initTf, tf } from '../tf.ts';
import { buildModel, modelInfo, ZOO_DISTINCT_TINY, zooEntry } from './registry.ts';
import { lossAndGrads, trainingStepSummary } from './zooTesting.ts';

describe('zoo tiny presets on WebGPU', () => {
  beforeAll(async () => {
    const { device, adapter } = await acquireGpu(); // fails (never skips) without an adapter
    await initTf(device, adapter.info);
    expect(tf.getBackend()).toBe('webgpu');
  });
  afterAll(releaseGpu);

  it.each(ZOO_DISTINCT_TINY.map((e) => [e.name, e.tinyInput] as const))(
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
        expect(s.zero).toEqual(zooEntry(name).noGradient ?? []);
        expect(s.runningMeansChanged).toBe(s.runningMeans);
        expect(s.leaked).toBe(0);
      } finally {
        model.dispose();
      }
    },
    600_000,
  );

  it.each(ZOO_DISTINCT_TINY.map((e) => [e.name, e.tinyInput] as const))(
    '%s tiny: loss and gradients on webgpu equal the cpu backend on %j',
    async (name, [t, h, w]) => {
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        const model = buildModel(name, { numClasses: 4, preset: 'tiny', seed: 6 });
        try {
          return await lossAndGrads(model, [2, t, h, w], 12);
        } finally {
          model.dispose();
        }
      };
      const gpu = await run('webgpu');
      const cpu = await run('cpu');
      await tf.setBackend('webgpu');
      expect(Math.abs(gpu.loss - cpu.loss)).toBeLessThan(1e-4 * Math.abs(cpu.loss) + 1e-5);
      expect([...gpu.grads.keys()]).toEqual([...cpu.grads.keys()]);
      // relative to the parameter's own gradient scale, floored at 1e-4 of the largest one: some BN biases feed
      // a training-mode BN and have gradients at rounding level (~1e-7), where relative differences mean nothing
      const global = Math.max(
        ...[...cpu.grads.values()].map((c) => c.reduce((m, v) => Math.max(m, Math.abs(v)), 0)),
      );
      let worst = { key: '', err: 0 };
      for (const [key, c] of cpu.grads) {
        const g = gpu.grads.get(key) ?? new Float32Array(c.length).fill(NaN);
        const scale = c.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const err =
          c.reduce((m, v, i) => Math.max(m, Math.abs(v - (g[i] ?? NaN))), 0) / Math.max(scale, 1e-4 * global);
        if (!(err <= worst.err)) worst = { key, err };
      }
      console.log(
        `${name} tiny: worst relative gradient difference ${worst.err.toExponential(2)} (${worst.key})`,
      );
      expect(worst.err).toBeLessThan(2e-3);
    },
    600_000,
  );
});
