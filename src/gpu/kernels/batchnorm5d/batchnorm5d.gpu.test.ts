// Parity of the batchnorm5d WGSL passes (forward statistics, normalise, running stats, gradient) with the f64
// CPU references on seeded inputs, on the browser's real WebGPU adapter.
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../device.ts';
import { readFloat32, uploadStorage } from '../../buffers.ts';
import { Rng } from '../../../shared/random.ts';
import { maxAbsDiff, parityTolerance } from '../parity.ts';
import {
  bn5dPlan,
  encodeBatchNorm5dBackward,
  encodeBatchNorm5dForward,
  type Bn5dDims,
} from './batchnorm5d.ts';
import { batchNorm5dBackwardRef, batchNorm5dForwardRef } from './batchnorm5d.ref.ts';

const EPS = 1e-5;
const MOMENTUM = 0.1;

/** x with per-channel offsets and spreads (mean far from 0 in some channels), plus the per-channel params. */
function inputs(rows: number, channels: number, seed: number) {
  const rng = new Rng(seed);
  const offset = rng.float32(channels, -3, 3);
  const spread = rng.float32(channels, 0.05, 2.5);
  const x = new Float32Array(rows * channels);
  for (let i = 0; i < x.length; i++)
    x[i] = (offset[i % channels] ?? 0) + (spread[i % channels] ?? 1) * rng.normal();
  const dy = Float32Array.from({ length: rows * channels }, () => rng.normal());
  return {
    x,
    dy,
    gamma: rng.float32(channels, 0.5, 1.5),
    beta: rng.float32(channels, -0.5, 0.5),
    runningMean: rng.float32(channels, -1, 1),
    runningVar: rng.float32(channels, 0.5, 2),
    dmean: rng.float32(channels),
    dvar: rng.float32(channels),
  };
}

function expectClose(got: Float32Array, want: Float32Array, what: string): void {
  expect(maxAbsDiff(got, want), what).toBeLessThanOrEqual(parityTolerance(want));
}

async function readAll<K extends string>(
  device: GPUDevice,
  buffers: Record<K, GPUBuffer>,
  lengths: Record<K, number>,
) {
  const out = {} as Record<K, Float32Array>;
  for (const key of Object.keys(buffers) as K[])
    out[key] = await readFloat32(device, buffers[key], lengths[key] * 4);
  return out;
}

async function check(dims: Bn5dDims, seed: number, withStatGrads: boolean): Promise<void> {
  const { device } = await acquireGpu();
  const { rows, channels: cs } = dims;
  const v = inputs(rows, cs, seed);
  const up = (name: string, data: Float32Array): GPUBuffer =>
    uploadStorage(device, `test:bn5d:${name}`, data);
  const buf = {
    x: up('x', v.x),
    dy: up('dy', v.dy),
    gamma: up('gamma', v.gamma),
    beta: up('beta', v.beta),
    runningMean: up('runningMean', v.runningMean),
    runningVar: up('runningVar', v.runningVar),
    dmean: up('dmean', v.dmean),
    dvar: up('dvar', v.dvar),
  };
  device.pushErrorScope('validation');
  const encoder = device.createCommandEncoder({ label: 'test:bn5d' });
  const fwd = encodeBatchNorm5dForward(device, encoder, buf, dims, { eps: EPS, momentum: MOMENTUM });
  const bwd = encodeBatchNorm5dBackward(
    device,
    encoder,
    {
      dy: buf.dy,
      x: buf.x,
      mean: fwd.outputs.mean,
      variance: fwd.outputs.variance,
      gamma: buf.gamma,
      ...(withStatGrads ? { dmean: buf.dmean, dvar: buf.dvar } : {}),
    },
    dims,
    { eps: EPS },
  );
  device.queue.submit([encoder.finish()]);
  for (const t of [...fwd.temporaries, ...bwd.temporaries]) t.destroy();
  expect((await device.popErrorScope())?.message).toBeUndefined();
  const n = rows * cs;
  const f = await readAll(device, fwd.outputs, {
    y: n,
    mean: cs,
    variance: cs,
    newRunningMean: cs,
    newRunningVar: cs,
  });
  const b = await readAll(device, bwd.outputs, { dx: n, dgamma: cs, dbeta: cs });
  const { y, mean, variance, newRunningMean, newRunningVar } = fwd.outputs;
  const { dx, dgamma, dbeta } = bwd.outputs;
  for (const buffer of [
    ...Object.values(buf),
    y,
    mean,
    variance,
    newRunningMean,
    newRunningVar,
    dx,
    dgamma,
    dbeta,
  ])
    buffer.destroy();

  const rf = batchNorm5dForwardRef(v.x, v.gamma, v.beta, v.runningMean, v.runningVar, dims, {
    eps: EPS,
    momentum: MOMENTUM,
  });
  for (const key of ['y', 'mean', 'variance', 'newRunningMean', 'newRunningVar'] as const) {
    expectClose(f[key], rf[key], key);
  }
  // The gradient reference uses the GPU's own statistics, as the op does.
  const rb = batchNorm5dBackwardRef(
    v.dy,
    v.x,
    f.mean,
    f.variance,
    v.gamma,
    dims,
    EPS,
    ...(withStatGrads ? [v.dmean, v.dvar] : []),
  );
  for (const key of ['dx', 'dgamma', 'dbeta'] as const) expectClose(b[key], rb[key], key);
}

describe('batchnorm5d (WGSL: chunked Welford → combine → normalise; gradient sums → combine → apply)', () => {
  afterAll(releaseGpu);

  it('has a WebGPU adapter (fails, never skips, without one)', async () => {
    const { info } = await acquireGpu();
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  const rowsList = [1, 7, 300, 2048, 4099];
  const channelList = [1, 3, 8, 64, 65];
  for (const rows of rowsList) {
    it(`matches the references for rows (N·D·H·W) = ${rows}, C ∈ {${channelList.join(', ')}}`, async () => {
      for (const channels of channelList) await check({ rows, channels }, rows * 100 + channels, false);
    });
  }

  it('propagates gradients reaching the mean and variance outputs', async () => {
    await check({ rows: 777, channels: 5 }, 1, true);
    await check({ rows: 2, channels: 64 }, 2, true);
  });

  it('updates running statistics in place when the outputs alias the inputs', async () => {
    const { device } = await acquireGpu();
    const dims = { rows: 96, channels: 3 };
    const v = inputs(dims.rows, dims.channels, 9);
    const rm = uploadStorage(device, 'rm', v.runningMean);
    const rv = uploadStorage(device, 'rv', v.runningVar);
    const other = ['x', 'gamma', 'beta'] as const;
    const [x, gamma, beta] = other.map((k) => uploadStorage(device, k, v[k]));
    if (!x || !gamma || !beta) throw new Error('upload failed');
    const encoder = device.createCommandEncoder();
    const fwd = encodeBatchNorm5dForward(
      device,
      encoder,
      { x, gamma, beta, runningMean: rm, runningVar: rv },
      dims,
      { eps: EPS, momentum: 0.3, outputs: { newRunningMean: rm, newRunningVar: rv } },
    );
    device.queue.submit([encoder.finish()]);
    for (const t of fwd.temporaries) t.destroy();
    const ref = batchNorm5dForwardRef(v.x, v.gamma, v.beta, v.runningMean, v.runningVar, dims, {
      eps: EPS,
      momentum: 0.3,
    });
    expectClose(await readFloat32(device, rm), ref.newRunningMean, 'running mean');
    expectClose(await readFloat32(device, rv), ref.newRunningVar, 'running var (unbiased)');
    for (const b of [rm, rv, x, gamma, beta, fwd.outputs.y, fwd.outputs.mean, fwd.outputs.variance])
      b.destroy();
  });

  it('plans bounded chunk counts and folds large elementwise grids', () => {
    const big = bn5dPlan({ rows: 8 * 8 * 56 * 56, channels: 64 });
    expect(big.tc).toBe(32);
    expect(big.chunks).toBeLessThanOrEqual(512);
    expect(big.chunks * big.rowsPerChunk).toBeGreaterThanOrEqual(8 * 8 * 56 * 56);
    const folded = bn5dPlan({ rows: 16 * 16 * 112 * 112, channels: 64 });
    expect(folded.elementGroups[0]).toBe(65535);
    expect(folded.elementGroups[0] * folded.elementGroups[1] * 256).toBeGreaterThanOrEqual(
      16 * 16 * 112 * 112 * 64,
    );
    expect(bn5dPlan({ rows: 1, channels: 3 }).tc).toBe(4);
    expect(() => bn5dPlan({ rows: 0, channels: 3 })).toThrow(/positive integer/);
  });
});
