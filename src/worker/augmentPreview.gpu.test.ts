// The preview's un-normalisation on webgpu: a rank-5 clip batch back to pixels, equal to the cpu backend, with no
// WGSL validation error (TF.js's webgpu rank-5 × rank-1 broadcast shader does not compile).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../gpu/device.ts';
import { initTf, tf } from '../models/tf.ts';
import { Rng } from '../shared/random.ts';
import { toPixels } from './augmentPreview.ts';

const NORM = { mean: [114.75, 116.28, 103.53], std: [57.375, 57.12, 58.395] };

async function pixels(backend: 'cpu' | 'webgpu', values: Float32Array): Promise<number[]> {
  await tf.setBackend(backend);
  const x = tf.tensor5d(values, [2, 3, 4, 4, 3]);
  const out = toPixels(x, NORM);
  const data = [...(await out.data())];
  tf.dispose([x, out]);
  return data;
}

describe('augment preview pixels', () => {
  let device: GPUDevice;
  beforeAll(async () => {
    const gpu = await acquireGpu(); // fails (never skips) without an adapter
    device = gpu.device;
    await initTf(gpu.device, gpu.adapter.info);
  });
  afterAll(releaseGpu);

  it('maps normalised clips back to 0..255 on the GPU exactly as on the cpu backend', async () => {
    const rng = new Rng(7);
    const values = Float32Array.from({ length: 2 * 3 * 4 * 4 * 3 }, () => rng.normal() * 1.5);
    const cpu = await pixels('cpu', values);
    device.pushErrorScope('validation');
    const gpu = await pixels('webgpu', values);
    expect(await device.popErrorScope()).toBeNull();
    expect(gpu).toEqual(cpu);
    expect(Math.min(...gpu)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...gpu)).toBeLessThanOrEqual(255);
    expect(new Set(gpu).size).toBeGreaterThan(20);
  });
});
