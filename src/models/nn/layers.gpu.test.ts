// The zoo's leaf layers on TF.js's webgpu backend against the cpu backend (real Chromium): channel-wise affine
// (TF.js webgpu broadcasts rank-5 binary ops wrongly, so layers use channelAffine), PyTorch-padded convs and pools.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../gpu/device.ts';
import { Rng } from '../../shared/random.ts';
import { initTf, tf } from '../tf.ts';
import { AvgPool3d, BatchNorm3d, channelAffine, Conv3d, MaxPool3d } from './layers.ts';
import type { Module } from './module.ts';

type Shape5 = [number, number, number, number, number];

/** Runs `f` on both backends with the same input values; returns the max abs difference. */
async function webgpuVsCpu(shape: Shape5, f: (x: tf.Tensor5D) => tf.Tensor): Promise<number> {
  const values = new Rng(1).float32(
    shape.reduce((a, b) => a * b, 1),
    -2,
    2,
  );
  const run = async (backend: string): Promise<Float32Array> => {
    await tf.setBackend(backend);
    const x = tf.tensor5d(values, shape);
    const y = f(x);
    const out = (await y.data()) as Float32Array;
    tf.dispose([x, y]);
    return out;
  };
  const gpu = await run('webgpu');
  const cpu = await run('cpu');
  await tf.setBackend('webgpu');
  expect(gpu.length).toBe(cpu.length);
  return cpu.reduce((m, v, i) => Math.max(m, Math.abs(v - (gpu[i] ?? NaN))), 0);
}

/** A module built on the cpu backend's side of things is plain variables: build it once per backend. */
async function moduleVsCpu(shape: Shape5, make: () => Module): Promise<number> {
  return webgpuVsCpu(shape, (x) => {
    const m = make();
    const y = m.forward(x, { training: false }) as tf.Tensor;
    m.dispose();
    return y;
  });
}

describe('zoo layers on webgpu match the cpu backend', () => {
  beforeAll(async () => {
    const { device, adapter } = await acquireGpu(); // fails (never skips) without an adapter
    await initTf(device, adapter.info);
  });
  afterAll(releaseGpu);

  it('channelAffine scales and shifts per channel', async () => {
    const scale = Array.from({ length: 16 }, (_, i) => 0.5 + i / 16);
    const shift = Array.from({ length: 16 }, (_, i) => i / 8 - 1);
    const diff = await webgpuVsCpu([2, 4, 16, 16, 16], (x) =>
      channelAffine(x, tf.tensor1d(scale), tf.tensor1d(shift)),
    );
    expect(diff).toBeLessThan(1e-6);
  });

  it('BatchNorm3d (eval) and biased, non-uniformly padded Conv3d', async () => {
    expect(await moduleVsCpu([1, 4, 8, 8, 16], () => new BatchNorm3d(16))).toBeLessThan(1e-6);
    const conv = (): Module =>
      new Conv3d(new Rng(3), 16, 24, {
        kernel: [1, 3, 3],
        stride: [1, 2, 2],
        padding: [0, 1, 1],
        bias: true,
        init: 'torch_default',
      });
    expect(await moduleVsCpu([1, 4, 9, 9, 16], conv)).toBeLessThan(1e-4);
    const dense = (): Module => new Conv3d(new Rng(4), 16, 8, { kernel: 3, stride: 2, padding: 1 });
    expect(await moduleVsCpu([1, 5, 9, 9, 16], dense)).toBeLessThan(1e-4);
  });

  it('pools with PyTorch padding and floor rounding', async () => {
    const cases: [Shape5, () => Module][] = [
      [[1, 4, 9, 9, 8], () => new MaxPool3d([1, 3, 3], [1, 2, 2], [0, 1, 1])],
      [[1, 5, 9, 9, 8], () => new MaxPool3d(3, 2, 1)],
      [[1, 4, 8, 8, 8], () => new MaxPool3d(3, 1, 1)],
      [[1, 5, 9, 9, 8], () => new MaxPool3d(2, 2, 0)],
      [[1, 3, 8, 8, 8], () => new AvgPool3d([2, 7, 7], 1)],
      [[1, 2, 7, 7, 8], () => new MaxPool3d(2, 2, [0, 1, 1])], // C3D's pool5
    ];
    for (const [shape, make] of cases) expect(await moduleVsCpu(shape, make)).toBeLessThan(1e-6);
  });
});
