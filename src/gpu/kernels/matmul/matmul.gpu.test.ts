// Parity of the tiled WGSL matmul against its CPU reference, on the browser's real WebGPU adapter.
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../device.ts';
import { readFloat32, uploadStorage } from '../../buffers.ts';
import { Rng } from '../../../shared/random.ts';
import { maxAbsDiff, parityTolerance } from '../parity.ts';
import { encodeMatmul } from './matmul.ts';
import { matmulRef } from './matmul.ref.ts';

async function runOnGpu(
  m: number,
  n: number,
  k: number,
  seed: number,
): Promise<{ gpu: Float32Array; ref: Float32Array }> {
  const { device } = await acquireGpu();
  const rng = new Rng(seed);
  const a = rng.float32(m * k);
  const b = rng.float32(k * n);
  const aBuf = uploadStorage(device, 'test:a', a);
  const bBuf = uploadStorage(device, 'test:b', b);
  const encoder = device.createCommandEncoder();
  const cBuf = encodeMatmul(device, encoder, aBuf, bBuf, { m, n, k });
  device.queue.submit([encoder.finish()]);
  const gpu = await readFloat32(device, cBuf, m * n * 4);
  for (const buffer of [aBuf, bBuf, cBuf]) buffer.destroy();
  return { gpu, ref: matmulRef(a, b, m, n, k) };
}

describe('matmul (WGSL, tiled 16×16)', () => {
  afterAll(releaseGpu);

  it('has a WebGPU adapter (fails, never skips, without one)', async () => {
    const { info } = await acquireGpu();
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [16, 16, 16],
    [17, 33, 5],
    [64, 48, 80],
    [3, 129, 257],
  ];
  for (const [m, n, k] of shapes) {
    it(`matches the CPU reference for ${m}×${k} · ${k}×${n}`, async () => {
      const { gpu, ref } = await runOnGpu(m, n, k, m * 1000 + n * 10 + k);
      expect(maxAbsDiff(gpu, ref)).toBeLessThanOrEqual(parityTolerance(ref));
    });
  }

  it('rejects non-positive sizes before touching the GPU', async () => {
    const { device } = await acquireGpu();
    const encoder = device.createCommandEncoder();
    const dummy = uploadStorage(device, 'dummy', new Float32Array(4));
    expect(() => encodeMatmul(device, encoder, dummy, dummy, { m: 0, n: 4, k: 4 })).toThrow(
      /positive integer/,
    );
    dummy.destroy();
  });
});
