// Parity of the layernorm WGSL passes (forward y/mean/rstd, backward dx/dgamma/dbeta) with the f64 CPU references
// on seeded inputs, on the browser's real WebGPU adapter (fails, never skips, without one).
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../device.ts';
import { readFloat32, uploadStorage } from '../../buffers.ts';
import { Rng } from '../../../shared/random.ts';
import { maxAbsDiff, parityTolerance } from '../parity.ts';
import { encodeLayerNormBackward, encodeLayerNormForward, type LayerNormDims } from './layernorm.ts';
import { layerNormBackwardRef, layerNormForwardRef } from './layernorm.ref.ts';

const EPS = 1e-5;

/** Rows with their own offset and spread (some far from zero mean, one nearly constant), plus params and dy. */
function inputs(dims: LayerNormDims, seed: number) {
  const rng = new Rng(seed);
  const { rows, cols } = dims;
  const x = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const offset = rng.uniform(-4, 4);
    const spread = r % 5 === 4 ? 1e-3 : rng.uniform(0.1, 3);
    for (let c = 0; c < cols; c++) x[r * cols + c] = offset + spread * rng.normal();
  }
  return {
    x,
    dy: Float32Array.from({ length: rows * cols }, () => rng.normal()),
    gamma: rng.float32(cols, 0.5, 1.5),
    beta: rng.float32(cols, -0.5, 0.5),
  };
}

function expectClose(got: Float32Array, want: Float32Array, what: string): void {
  expect(maxAbsDiff(got, want), what).toBeLessThanOrEqual(parityTolerance(want));
}

async function check(dims: LayerNormDims, seed: number): Promise<void> {
  const { device } = await acquireGpu();
  const { rows, cols } = dims;
  const v = inputs(dims, seed);
  const up = (name: string, data: Float32Array): GPUBuffer => uploadStorage(device, `test:ln:${name}`, data);
  const buf = { x: up('x', v.x), dy: up('dy', v.dy), gamma: up('gamma', v.gamma), beta: up('beta', v.beta) };
  device.pushErrorScope('validation');
  const encoder = device.createCommandEncoder({ label: 'test:layernorm' });
  const fwd = encodeLayerNormForward(device, encoder, buf, dims, { eps: EPS });
  const bwd = encodeLayerNormBackward(
    device,
    encoder,
    { dy: buf.dy, x: buf.x, gamma: buf.gamma, mean: fwd.outputs.mean, rstd: fwd.outputs.rstd },
    dims,
    { eps: EPS },
  );
  device.queue.submit([encoder.finish()]);
  for (const t of [...fwd.temporaries, ...bwd.temporaries]) t.destroy();
  expect((await device.popErrorScope())?.message).toBeUndefined();
  const got = {
    y: await readFloat32(device, fwd.outputs.y, rows * cols * 4),
    mean: await readFloat32(device, fwd.outputs.mean, rows * 4),
    rstd: await readFloat32(device, fwd.outputs.rstd, rows * 4),
    dx: await readFloat32(device, bwd.outputs.dx, rows * cols * 4),
    dgamma: await readFloat32(device, bwd.outputs.dgamma, cols * 4),
    dbeta: await readFloat32(device, bwd.outputs.dbeta, cols * 4),
  };
  const { y, mean, rstd } = fwd.outputs;
  const { dx, dgamma, dbeta } = bwd.outputs;
  for (const b of [buf.x, buf.dy, buf.gamma, buf.beta, y, mean, rstd, dx, dgamma, dbeta]) b.destroy();
  const f = layerNormForwardRef(v.x, v.gamma, v.beta, dims, EPS);
  const g = layerNormBackwardRef(v.dy, v.x, v.gamma, dims, EPS);
  expectClose(got.y, f.y, 'y');
  expectClose(got.mean, f.mean, 'mean');
  expectClose(got.rstd, f.rstd, 'rstd');
  expectClose(got.dx, g.dx, 'dx');
  expectClose(got.dgamma, g.dgamma, 'dgamma');
  expectClose(got.dbeta, g.dbeta, 'dbeta');
}

describe('layernorm (WGSL)', () => {
  afterAll(releaseGpu);

  it('has a WebGPU adapter (fails, never skips, without one)', async () => {
    const { info } = await acquireGpu();
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  const shapes: [number, number][] = [
    [1, 1],
    [3, 7],
    [5, 64],
    [40, 100], // three column chunks, a partial column block
    [17, 384],
    [394, 768], // ViT-B width, a quarter of 8·197 rows
  ];
  for (const [rows, cols] of shapes) {
    it(`matches the references: ${rows}×${cols}`, async () => {
      await check({ rows, cols }, rows * 1000 + cols);
    });
  }
});
