// toy_r3d at the toy preset's real batch (8 clips of 8×28×28): webgpu gradients equal the cpu backend's. The tiny
// zoo checks run 2 clips of 4×16×16; kernels pick other tiles, split-K and chunking at the sizes training uses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../gpu/device.ts';
import { initTf, tf } from '../tf.ts';
import { buildModel } from './registry.ts';
import { lossAndGrads } from './zooTesting.ts';

describe('toy_r3d at the training batch size', () => {
  beforeAll(async () => {
    const { device, adapter } = await acquireGpu();
    await initTf(device, adapter.info);
  });
  afterAll(releaseGpu);

  it('has the same loss and gradients on webgpu as on the cpu backend', async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const model = buildModel('toy_r3d', { numClasses: 8, seed: 3 });
      try {
        return await lossAndGrads(model, [8, 8, 28, 28], 8);
      } finally {
        model.dispose();
      }
    };
    const gpu = await run('webgpu');
    const cpu = await run('cpu');
    await tf.setBackend('webgpu');
    expect(Math.abs(gpu.loss - cpu.loss)).toBeLessThan(1e-4 * Math.abs(cpu.loss) + 1e-5);
    for (const [key, c] of cpu.grads) {
      const g = gpu.grads.get(key) ?? new Float32Array(c.length).fill(NaN);
      const scale = c.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const err = c.reduce((m, v, i) => Math.max(m, Math.abs(v - (g[i] ?? NaN))), 0) / Math.max(scale, 1e-6);
      console.log(`${key}: ${err.toExponential(2)} of ${scale.toExponential(2)}`);
      expect(err, key).toBeLessThan(2e-3);
    }
  }, 600_000);
});
