// tf.conv3d and its gradients on the webgpu backend with our kernels registered, against TF.js's cpu backend;
// tensor accounting over training steps; switching to the stock kernels and back; the tile-chooser hook.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../../gpu/device.ts';
import { gemmTraits } from '../../gpu/kernels/gemmTile.ts';
import { conv3dCandidates } from '../../gpu/kernels/conv3d/conv3d.ts';
import { conv3dBackpropInputCandidates } from '../../gpu/kernels/conv3d_dgrad/conv3dDgrad.ts';
import { conv3dBackpropFilterCandidates } from '../../gpu/kernels/conv3d_wgrad/conv3dWgrad.ts';
import { maxAbsDiff, parityTolerance } from '../../gpu/kernels/parity.ts';
import { Rng } from '../../shared/random.ts';
import { initTf, tf } from '../tf.ts';
import {
  conv3dKernelCalls,
  isTubeletConv3dRegistered,
  setConv3dImplementation,
  setConv3dTileChooser,
  type Conv3dKernelName,
} from './conv3d.ts';

type Triple = [number, number, number];
type Shape5 = [number, number, number, number, number];

interface OpCase {
  readonly name: string;
  readonly x: Shape5;
  readonly w: Shape5;
  readonly strides: number | Triple;
  readonly pad: 'same' | 'valid';
  readonly dilations?: number | Triple;
  readonly grads: boolean;
}

const CASES: readonly OpCase[] = [
  { name: 'k3 same b2', x: [2, 4, 6, 6, 4], w: [3, 3, 3, 4, 8], strides: 1, pad: 'same', grads: true },
  {
    name: 'k(3,7,7) stride(1,2,2) 3→8',
    x: [1, 4, 9, 9, 3],
    w: [3, 7, 7, 3, 8],
    strides: [1, 2, 2],
    pad: 'same',
    grads: true,
  },
  {
    name: "k1 stride2 'same' (TF.js pads −1)",
    x: [1, 4, 6, 6, 4],
    w: [1, 1, 1, 4, 4],
    strides: 2,
    pad: 'same',
    grads: true,
  },
  {
    name: 'k3 stride2 valid 5→4',
    x: [1, 5, 6, 7, 5],
    w: [3, 3, 3, 5, 4],
    strides: 2,
    pad: 'valid',
    grads: true,
  },
  {
    name: 'k3 dilation2 (forward only)',
    x: [1, 5, 7, 7, 4],
    w: [3, 3, 3, 4, 4],
    strides: 1,
    pad: 'same',
    dilations: 2,
    grads: false,
  },
];

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** y, and dx, dw of sum(y · r) (so dy = r), computed on the current backend. */
async function compute(c: OpCase, seed: number): Promise<Float32Array[]> {
  const rng = new Rng(seed);
  const xv = rng.float32(size(c.x));
  const wv = rng.float32(size(c.w));
  const outs = tf.tidy(() => {
    const x = tf.tensor5d(xv, c.x);
    const w = tf.tensor5d(wv, c.w);
    const conv = (a: tf.Tensor5D, b: tf.Tensor5D): tf.Tensor5D =>
      tf.conv3d(a, b, c.strides, c.pad, 'NDHWC', c.dilations ?? 1);
    const y = conv(x, w);
    if (!c.grads) return [y];
    const r = tf.tensor(rng.float32(y.size), y.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      conv(a as tf.Tensor5D, b as tf.Tensor5D)
        .mul(r)
        .sum(),
    )([x, w]);
    return dx && dw ? [y, dx, dw] : [y];
  });
  try {
    return await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
  } finally {
    tf.dispose(outs);
  }
}

async function onCpu<T>(fn: () => Promise<T>): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return await fn();
  } finally {
    await tf.setBackend('webgpu');
  }
}

async function expectMatchesCpu(c: OpCase, seed: number): Promise<void> {
  const gpu = await compute(c, seed);
  const cpu = await onCpu(() => compute(c, seed));
  expect(gpu).toHaveLength(c.grads ? 3 : 1);
  gpu.forEach((got, i) => {
    const ref = cpu[i] ?? new Float32Array();
    expect(maxAbsDiff(got, ref), `${c.name} output ${i}`).toBeLessThanOrEqual(parityTolerance(ref));
  });
}

describe('tf.conv3d on webgpu with Tubelet kernels', () => {
  beforeAll(async () => {
    const { adapter, device } = await acquireGpu();
    await initTf(device, adapter.info);
  });
  afterAll(() => {
    setConv3dImplementation('tubelet');
    setConv3dTileChooser(null);
  });

  it('registers our kernels for Conv3D and both gradients', () => {
    expect(tf.getBackend()).toBe('webgpu');
    for (const name of ['Conv3D', 'Conv3DBackpropInputV2', 'Conv3DBackpropFilterV2'] as const) {
      expect(isTubeletConv3dRegistered(name)).toBe(true);
    }
  });

  CASES.forEach((c, i) => {
    it(`matches the cpu backend: ${c.name}`, async () => {
      const before = conv3dKernelCalls();
      await expectMatchesCpu(c, 40 + i);
      const after = conv3dKernelCalls();
      expect(after.fwd).toBeGreaterThan(before.fwd);
      if (c.grads) {
        expect(after.dgrad).toBeGreaterThan(before.dgrad);
        expect(after.wgrad).toBeGreaterThan(before.wgrad);
      }
      expect(after.fallback).toBe(before.fallback);
    });
  });

  it('keeps tf.memory() flat over 50 forward+backward steps', async () => {
    const x = tf.tensor5d(new Rng(1).float32(2 * 3 * 5 * 5 * 4), [2, 3, 5, 5, 4]);
    const w = tf.tensor5d(new Rng(2).float32(27 * 4 * 4), [3, 3, 3, 4, 4]);
    const loss = (a: tf.Tensor, b: tf.Tensor): tf.Scalar =>
      tf
        .relu(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, 1, 'same'))
        .square()
        .mean();
    const step = (): tf.Scalar =>
      tf.tidy(() => {
        const [dx, dw] = tf.grads(loss)([x, w]);
        return tf.add(dx?.sum() ?? 0, dw?.sum() ?? 0);
      });
    const warm = step();
    await warm.data();
    warm.dispose();
    const before = tf.memory();
    for (let i = 0; i < 50; i++) {
      const s = step();
      if (i % 10 === 9) await s.data();
      s.dispose();
    }
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    tf.dispose([x, w]);
  });

  it("setConv3dImplementation('stock') really switches to TF.js's kernels, and back", async () => {
    const c = CASES[3];
    if (!c) throw new Error('missing case');
    setConv3dImplementation('stock');
    expect(isTubeletConv3dRegistered('Conv3D')).toBe(false);
    expect(isTubeletConv3dRegistered('Conv3DBackpropInputV2')).toBe(false);
    expect(isTubeletConv3dRegistered('Conv3DBackpropFilterV2')).toBe(false);
    const before = conv3dKernelCalls();
    await expectMatchesCpu(c, 77);
    expect(conv3dKernelCalls()).toEqual(before);
    setConv3dImplementation('tubelet');
    expect(isTubeletConv3dRegistered('Conv3D')).toBe(true);
    await expectMatchesCpu(c, 78);
    expect(conv3dKernelCalls().fwd).toBeGreaterThan(before.fwd);
  });

  it('asks the tile chooser for every kernel and uses its tiles', async () => {
    const { device } = await acquireGpu();
    const traits = gemmTraits(device);
    const asked = new Set<Conv3dKernelName>();
    setConv3dTileChooser((kernel, g) => {
      asked.add(kernel);
      if (kernel === 'conv3d_fwd') return conv3dCandidates(g, traits)[1];
      if (kernel === 'conv3d_dgrad') return conv3dBackpropInputCandidates(g, traits)[1];
      return conv3dBackpropFilterCandidates(g, traits)[1];
    });
    try {
      const c = CASES[0];
      if (!c) throw new Error('missing case');
      await expectMatchesCpu(c, 91);
    } finally {
      setConv3dTileChooser(null);
    }
    expect([...asked].sort()).toEqual(['conv3d_dgrad', 'conv3d_fwd', 'conv3d_wgrad']);
  });
});
