// layerNorm and gelu on TF.js's webgpu backend (our WGSL kernels on the shared device) against the f64 CPU
// references and against the stock TF.js compositions: value and every input gradient, and no tensor leaks over
// 50 forward + backward steps. Runs in Chromium on the real adapter (SwiftShader in CI); fails without one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../gpu/device.ts';
import { initTf, tf } from '../tf.ts';
import { maxAbsDiff, parityTolerance } from '../../gpu/kernels/parity.ts';
import { layerNormBackwardRef, layerNormForwardRef } from '../../gpu/kernels/layernorm/layernorm.ref.ts';
import { geluBackwardRef, geluForwardRef } from '../../gpu/kernels/gelu/gelu.ref.ts';
import { Rng } from '../../shared/random.ts';
import { layerNorm, layerNormComposed } from './layerNorm.ts';
import { gelu, geluComposed, type GeluApproximate } from './gelu.ts';

function expectClose(got: Float32Array[], want: Float32Array[], names: string[], what: string): void {
  names.forEach((name, i) => {
    const w = want[i] ?? new Float32Array();
    expect(maxAbsDiff(got[i] ?? new Float32Array(), w), `${name} vs ${what}`).toBeLessThanOrEqual(
      parityTolerance(w),
    );
  });
}

async function read(ts: tf.Tensor[]): Promise<Float32Array[]> {
  const out = await Promise.all(ts.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(ts);
  return out;
}

type Ln = (x: tf.Tensor, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor;

/** [y, dx, dgamma, dbeta] of Σ(f(x, gamma, beta) ∘ dy). */
function lnValueAndGrads(
  f: Ln,
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  dy: tf.Tensor,
): tf.Tensor[] {
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads((a, g, b) =>
      f(a, g as tf.Tensor1D, b as tf.Tensor1D)
        .mul(dy)
        .sum(),
    )([x, gamma, beta]);
    value.dispose();
    return [f(x, gamma, beta), ...grads];
  });
}

/** [y, dx] of Σ(f(x) ∘ dy). */
function geluValueAndGrad(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, dy: tf.Tensor): tf.Tensor[] {
  return tf.tidy(() => [f(x), tf.grad((a) => f(a).mul(dy).sum())(x)]);
}

describe('layerNorm and gelu ops on webgpu', () => {
  beforeAll(async () => {
    const { device, adapter } = await acquireGpu();
    await initTf(device, adapter.info);
  });
  afterAll(releaseGpu);

  it('runs on the webgpu backend of our device', () => {
    expect(tf.getBackend()).toBe('webgpu');
  });

  const lnShapes: number[][] = [
    [2, 197, 64],
    [1568, 384],
    [3, 5],
  ];
  for (const shape of lnShapes) {
    it(`layerNorm [${shape.join(',')}] matches the reference and layerNormComposed`, async () => {
      const rng = new Rng(shape.reduce((a, b) => a * b, 7));
      const cols = shape[shape.length - 1] ?? 1;
      const size = shape.reduce((a, b) => a * b, 1);
      const xv = Float32Array.from({ length: size }, (_, i) => 2 * Math.sin(i) + 1.5 * rng.normal());
      const gv = rng.float32(cols, 0.5, 1.5);
      const bv = rng.float32(cols, -0.5, 0.5);
      const dyv = Float32Array.from({ length: size }, () => rng.normal());
      const [x, dy] = [tf.tensor(xv, shape), tf.tensor(dyv, shape)];
      const [gamma, beta] = [tf.tensor1d(gv), tf.tensor1d(bv)];
      try {
        const names = ['y', 'dx', 'dgamma', 'dbeta'];
        const fused = await read(lnValueAndGrads((a, g, b) => layerNorm(a, g, b), x, gamma, beta, dy));
        const dims = { rows: size / cols, cols };
        const f = layerNormForwardRef(xv, gv, bv, dims, 1e-5);
        const g = layerNormBackwardRef(dyv, xv, gv, dims, 1e-5);
        expectClose(fused, [f.y, g.dx, g.dgamma, g.dbeta], names, 'CPU reference');
        const stock = await read(
          lnValueAndGrads((a, gg, b) => layerNormComposed(a, gg, b), x, gamma, beta, dy),
        );
        expectClose(fused, stock, names, 'layerNormComposed');
      } finally {
        tf.dispose([x, dy, gamma, beta]);
      }
    });
  }

  for (const approximate of ['none', 'tanh'] as const satisfies readonly GeluApproximate[]) {
    it(`gelu (approximate=${approximate}) matches the reference and geluComposed`, async () => {
      const rng = new Rng(approximate === 'none' ? 11 : 12);
      const shape = [1568, 96];
      const size = 1568 * 96;
      const xv = Float32Array.from({ length: size }, () => 2.5 * rng.normal());
      const dyv = Float32Array.from({ length: size }, () => rng.normal());
      const [x, dy] = [tf.tensor(xv, shape), tf.tensor(dyv, shape)];
      try {
        const fused = await read(geluValueAndGrad((a) => gelu(a, { approximate }), x, dy));
        const ref = [geluForwardRef(xv, approximate), geluBackwardRef(xv, dyv, approximate)];
        expectClose(fused, ref, ['y', 'dx'], 'CPU reference');
        const stock = await read(geluValueAndGrad((a) => geluComposed(a, approximate), x, dy));
        expectClose(fused, stock, ['y', 'dx'], 'geluComposed');
      } finally {
        tf.dispose([x, dy]);
      }
    });
  }

  it('dispatches our kernels, not the composition, forward and backward', async () => {
    const x = tf.tensor2d([1, 2, 3, 5, 8, 13], [2, 3]);
    const [gamma, beta] = [tf.ones<tf.Rank.R1>([3]), tf.zeros<tf.Rank.R1>([3])];
    try {
      const info = await tf.profile(() =>
        tf.tidy(() => tf.grads((a) => layerNorm(gelu(a), gamma, beta).sum())([x])),
      );
      for (const name of ['TubeletGelu', 'TubeletGeluGrad', 'TubeletLayerNorm', 'TubeletLayerNormGrad']) {
        expect(info.kernelNames).toContain(name);
      }
      expect(info.kernelNames).not.toContain('Erf');
    } finally {
      tf.dispose([x, gamma, beta]);
    }
  });

  it('leaks no tensors over 50 forward + backward steps of each op', async () => {
    const rng = new Rng(13);
    const x = tf.tensor2d(rng.float32(8 * 32), [8, 32]);
    const dy = tf.tensor2d(rng.float32(8 * 32), [8, 32]);
    const gamma = tf.tensor1d(rng.float32(32, 0.5, 1.5));
    const beta = tf.tensor1d(rng.float32(32));
    const step = async (): Promise<void> => {
      const ln = lnValueAndGrads((a, g, b) => layerNorm(a, g, b), x, gamma, beta, dy);
      const ge = geluValueAndGrad((a) => gelu(a), x, dy);
      const both = geluValueAndGrad((a) => layerNorm(gelu(a), gamma, beta), x, dy);
      await read([...ln, ...ge, ...both]);
    };
    try {
      await step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 50; i++) await step();
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      tf.dispose([x, dy, gamma, beta]);
    }
  });
});
