// Parity of the WGSL HOG kernel with its CPU reference (which equals scikit-image; see hog.skimage.test.ts),
// on the browser's real WebGPU adapter, with seeded natural-looking frames generated in TypeScript.
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../device.ts';
import { readFloat32, uploadStorage } from '../../buffers.ts';
import { Rng } from '../../../shared/random.ts';
import { maxAbsDiff, parityTolerance } from '../parity.ts';
import { encodeHog, hogDispatch, hogOutputBytes, hogOutputShape, type HogDims } from './hog.ts';
import { hogRef } from './hog.ref.ts';
import { HOG_PATTERNS, hogTestImage, hogTestImages, stackImages } from './hog.testImages.ts';

async function hogOnGpu(x: Float32Array, dims: HogDims): Promise<Float32Array> {
  const { device } = await acquireGpu();
  const xBuf = uploadStorage(device, 'test:hog:x', x);
  const encoder = device.createCommandEncoder({ label: 'test:hog' });
  const out = encodeHog(device, encoder, xBuf, dims);
  device.queue.submit([encoder.finish()]);
  try {
    return await readFloat32(device, out, hogOutputBytes(dims));
  } finally {
    xBuf.destroy();
    out.destroy();
  }
}

function expectParity(gpu: Float32Array, x: Float32Array, dims: HogDims, what: string): void {
  const ref = hogRef(x, dims, { binning: 'f32-cross' });
  expect(gpu.length, what).toBe(ref.length);
  expect(maxAbsDiff(gpu, ref), what).toBeLessThanOrEqual(parityTolerance(ref));
  // The kernel's binning agrees with skimage's f64 atan2 binning on these frames too.
  const skimage = hogRef(x, dims);
  expect(maxAbsDiff(gpu, skimage), `${what} (skimage binning)`).toBeLessThanOrEqual(parityTolerance(skimage));
}

describe('hog (WGSL, 4 cells per workgroup)', () => {
  afterAll(releaseGpu);

  it('has a WebGPU adapter (fails, never skips, without one)', async () => {
    const { info } = await acquireGpu();
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  const images = hogTestImages(99);
  // Each frame size compiles its own pipeline (slow on SwiftShader): the minimal frame and both kinds of partial
  // cells here; multi-workgroup rows in the 72×108 case below; 16×24 and 16×16 further down.
  const sizes = ['8x8', '21x30', '33x17'];
  expect(sizes.every((s) => images.some((i) => `${i.height}x${i.width}` === s))).toBe(true);
  for (const size of sizes) {
    it(`matches the CPU reference on a batch of ${size} frames (both value scales)`, async () => {
      const group = images.filter((i) => `${i.height}x${i.width}` === size);
      const first = group[0];
      if (!first) throw new Error('empty group');
      const dims = { batch: group.length, height: first.height, width: first.width };
      const x = stackImages(group);
      expectParity(await hogOnGpu(x, dims), x, dims, size);
    });
  }

  it('matches on a batch of 6 larger frames (72×108, all patterns, workgroups past the last cell)', async () => {
    const rng = new Rng(5);
    const frames = HOG_PATTERNS.map((p, i) =>
      hogTestImage(
        rng,
        72,
        108,
        [p, HOG_PATTERNS[(i + 1) % 6] ?? 'noise', HOG_PATTERNS[(i + 3) % 6] ?? 'bars'],
        i % 2 ? 255 : 1,
      ),
    );
    const dims = { batch: frames.length, height: 72, width: 108 };
    expect(hogDispatch(dims)).toEqual([4, 9, 6]); // 13 cells wide: 3 full workgroups + one with 1 cell
    const x = stackImages(frames);
    expectParity(await hogOnGpu(x, dims), x, dims, '72x108');
  });

  it('drops partial cells: pixels beyond the last full cell (and its gradient neighbour) do not matter', async () => {
    const rng = new Rng(11);
    const dims = { batch: 1, height: 21, width: 30 }; // 2×3 cells cover rows 0..15, columns 0..23
    expect(hogOutputShape(dims)).toEqual([1, 2, 3, 3, 9]);
    const a = hogTestImage(rng, 21, 30, ['noise', 'bars', 'edges']).data;
    const b = a.slice();
    for (let y = 0; y < 21; y++)
      for (let x = 0; x < 30; x++)
        if (y >= 17 || x >= 25) for (let c = 0; c < 3; c++) b[(y * 30 + x) * 3 + c] = rng.next();
    const [ga, gb] = [await hogOnGpu(a, dims), await hogOnGpu(b, dims)];
    expect(maxAbsDiff(ga, gb)).toBe(0);
    // …while row 16, the gradient neighbour of the last cell row, does.
    const c16 = a.slice();
    for (let x = 0; x < 30; x++) c16[(16 * 30 + x) * 3] = 1 - (a[(16 * 30 + x) * 3] ?? 0);
    expect(maxAbsDiff(await hogOnGpu(c16, dims), ga)).toBeGreaterThan(1e-3);
  });

  it('gives all-zero features for flat frames and unit-norm cells elsewhere', async () => {
    const dims = { batch: 2, height: 16, width: 24 };
    const x = new Float32Array(2 * 16 * 24 * 3).fill(0.5);
    for (let i = 16 * 24 * 3; i < x.length; i += 3) x[i] = (i / 3) % 24 < 8 ? 0.2 : 0.8; // a vertical edge
    const gpu = await hogOnGpu(x, dims);
    expect(Math.max(...gpu.subarray(0, 6 * 27))).toBe(0);
    // frame 1, channel 0: the edge at column 8 lies in cells (·,0) and (·,1) — horizontal gradient → bin 0
    expect(gpu[6 * 27]).toBeCloseTo(1, 5);
    expectParity(gpu, x, dims, 'flat+edge');
  });

  it('writes into a caller-provided output buffer', async () => {
    const { device } = await acquireGpu();
    const dims = { batch: 1, height: 16, width: 24 };
    const x = hogTestImage(new Rng(3), 16, 24, ['blobs', 'ramp', 'noise']).data;
    const xBuf = uploadStorage(device, 'test:hog:x', x);
    const own = device.createBuffer({
      label: 'test:hog:own',
      size: hogOutputBytes(dims) + 64,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
    const encoder = device.createCommandEncoder();
    expect(encodeHog(device, encoder, xBuf, dims, { output: own })).toBe(own);
    device.queue.submit([encoder.finish()]);
    expectParity(await readFloat32(device, own, hogOutputBytes(dims)), x, dims, 'own output');
    xBuf.destroy();
    own.destroy();
  });

  it('rejects frames smaller than one cell and bad sizes before touching the GPU', async () => {
    const { device } = await acquireGpu();
    const encoder = device.createCommandEncoder();
    const dummy = uploadStorage(device, 'dummy', new Float32Array(4));
    expect(() => encodeHog(device, encoder, dummy, { batch: 1, height: 7, width: 8 })).toThrow(
      /at least 8×8/,
    );
    expect(() => encodeHog(device, encoder, dummy, { batch: 0, height: 8, width: 8 })).toThrow(/positive/);
    const small = uploadStorage(device, 'small', new Float32Array(4));
    expect(() =>
      encodeHog(device, encoder, dummy, { batch: 1, height: 16, width: 16 }, { output: small }),
    ).toThrow(/output buffer/);
    dummy.destroy();
    small.destroy();
  });
});
