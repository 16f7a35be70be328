// The grouped Conv3D op through TF.js in a real browser: webgpu (our WGSL kernels) against cpu (the references)
// for values, first and second derivatives; ordering after pending TF.js work; no tensor or GPU-memory growth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../gpu/device.ts';
import { initTf, tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { maxAbsDiff, parityTolerance } from '../../gpu/kernels/parity.ts';
import { conv3dGeometry } from '../../gpu/kernels/conv3d/geometry.ts';
import { conv3dRef } from '../../gpu/kernels/conv3d/conv3d.ref.ts';
import {
  depthwiseConv3d,
  groupedConv3d,
  registerGroupedConv3dKernels,
  type GroupedConv3DOptions,
} from './groupedConv3d.ts';

type Shape5 = [number, number, number, number, number];

interface OpCase {
  readonly name: string;
  readonly x: Shape5;
  readonly w: Shape5;
  readonly opts: GroupedConv3DOptions;
}

const CASES: readonly OpCase[] = [
  {
    name: 'dense k3 s1,2,2 same',
    x: [1, 3, 6, 5, 3],
    w: [3, 3, 3, 3, 8],
    opts: { groups: 1, strides: [1, 2, 2], pad: 'same' },
  },
  {
    name: 'groups 2, 8→16 k1×3×3',
    x: [2, 3, 5, 4, 8],
    w: [1, 3, 3, 4, 16],
    opts: { groups: 2, pad: 'same' },
  },
  {
    name: 'depthwise ×2 k3 dil 2',
    x: [1, 5, 6, 6, 4],
    w: [3, 3, 3, 1, 8],
    opts: { groups: 4, dilations: 2, pad: 'same' },
  },
  {
    name: 'depthwise C12 k3 s2 asym',
    x: [1, 4, 7, 6, 12],
    w: [3, 3, 3, 1, 12],
    opts: {
      groups: 12,
      strides: 2,
      pad: [
        [1, 1],
        [0, 2],
        [1, 0],
      ],
    },
  },
];

interface Data {
  readonly x: Float32Array;
  readonly w: Float32Array;
  readonly r: Float32Array;
  readonly yShape: Shape5;
}

function dataFor(c: OpCase, seed: number): Data {
  const g = conv3dGeometry(c.x, c.w, c.opts);
  const yShape: Shape5 = [g.batch, g.outD, g.outH, g.outW, g.outC];
  const rng = new Rng(seed);
  const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
  return { x: rng.float32(size(c.x)), w: rng.float32(size(c.w)), r: rng.float32(size(yShape)), yShape };
}

/** dL/dx and dL/dw of L = Σ r · tanh(groupedConv3d(1.5·x, w)) on the current backend. */
async function grads(c: OpCase, d: Data): Promise<{ y: Float32Array; dx: Float32Array; dw: Float32Array }> {
  const [y, dx, dw] = tf.tidy(() => {
    const x = tf.tensor5d(d.x, c.x);
    const w = tf.tensor5d(d.w, c.w);
    const r = tf.tensor5d(d.r, d.yShape);
    // The 1.5· is a TF.js op still pending in TF.js's encoder when our kernel runs: checks the ordering.
    const f = (a: tf.Tensor, b: tf.Tensor): tf.Scalar =>
      tf.sum(tf.mul(tf.tanh(groupedConv3d(tf.mul<tf.Tensor5D>(a, 1.5), b as tf.Tensor5D, c.opts)), r));
    const [gx, gw] = tf.grads(f)([x, w]);
    if (!gx || !gw) throw new Error('tf.grads returned too few gradients');
    return [groupedConv3d(x, w, c.opts), gx, gw];
  });
  const out = await Promise.all([y, dx, dw].map((t) => t.data<'float32'>()));
  tf.dispose([y, dx, dw]);
  const [yv, dxv, dwv] = out;
  if (!yv || !dxv || !dwv) throw new Error('missing outputs');
  return { y: yv, dx: dxv, dw: dwv };
}

async function onBackend<T>(name: 'cpu' | 'webgpu', f: () => Promise<T>): Promise<T> {
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} unavailable`);
  return f();
}

describe('groupedConv3d op (TF.js, webgpu vs cpu)', () => {
  beforeAll(async () => {
    const { adapter, device } = await acquireGpu();
    await initTf(device, adapter.info);
    registerGroupedConv3dKernels();
    registerGroupedConv3dKernels(); // idempotent
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
    await releaseGpu();
  });

  for (const [i, c] of CASES.entries()) {
    it(`values and tf.grads match the cpu backend: ${c.name}`, async () => {
      const d = dataFor(c, 100 + i);
      const cpu = await onBackend('cpu', () => grads(c, d));
      const gpu = await onBackend('webgpu', () => grads(c, d));
      expect(maxAbsDiff(cpu.y, conv3dRef(d.x, d.w, conv3dGeometry(c.x, c.w, c.opts)))).toBe(0);
      for (const key of ['y', 'dx', 'dw'] as const) {
        expect(maxAbsDiff(gpu[key], cpu[key]), key).toBeLessThanOrEqual(parityTolerance(cpu[key]));
      }
    });
  }

  it('second derivatives (through the gradient kernels) match the cpu backend', async () => {
    const c = CASES[3];
    if (!c) throw new Error('case missing');
    const d = dataFor(c, 7);
    const s = new Rng(8).float32(d.x.length);
    // h(w) = Σ s · ∂/∂x Σ r·conv(x, w): the dgrad kernel's own gradient gives ∂h/∂w.
    const run = async (): Promise<Float32Array> => {
      const t = tf.tidy(() => {
        const x = tf.tensor5d(d.x, c.x);
        const r = tf.tensor5d(d.r, d.yShape);
        const sT = tf.tensor5d(s, c.x);
        const h = (w: tf.Tensor): tf.Scalar => {
          const gx = tf.grad((xx: tf.Tensor) =>
            tf.sum(tf.mul(groupedConv3d(xx as tf.Tensor5D, w as tf.Tensor5D, c.opts), r)),
          )(x);
          return tf.sum(tf.mul(gx, sT));
        };
        return tf.grad(h)(tf.tensor5d(d.w, c.w));
      });
      const v = await t.data<'float32'>();
      t.dispose();
      return v;
    };
    const cpu = await onBackend('cpu', run);
    const gpu = await onBackend('webgpu', run);
    expect(maxAbsDiff(gpu, cpu)).toBeLessThanOrEqual(parityTolerance(cpu));
  });

  it('depthwiseConv3d is groupedConv3d with groups = C; bad shapes and dtypes throw', async () => {
    await tf.setBackend('webgpu');
    const c = CASES[2];
    if (!c) throw new Error('case missing');
    const d = dataFor(c, 9);
    const x = tf.tensor5d(d.x, c.x);
    const w = tf.tensor5d(d.w, c.w);
    const a = depthwiseConv3d(x, w, { dilations: 2, pad: 'same' });
    const b = groupedConv3d(x, w, c.opts);
    expect(maxAbsDiff(await a.data(), await b.data())).toBe(0);
    expect(() => groupedConv3d(x, w, { groups: 3 })).toThrow(RangeError);
    const xi = tf.zeros<tf.Rank.R5>([1, 3, 3, 3, 4], 'int32');
    expect(() => groupedConv3d(xi, w, { groups: 4 })).toThrow(/float32/);
    tf.dispose([x, w, a, b, xi]);
  });

  it('leaks no tensors and no GPU memory over 50 forward+backward steps (tf.variableGrads)', async () => {
    await tf.setBackend('webgpu');
    const c = CASES[3];
    if (!c) throw new Error('case missing');
    const d = dataFor(c, 11);
    const x = tf.tensor5d(d.x, c.x);
    const r = tf.tensor5d(d.r, d.yShape);
    const w = tf.variable(tf.tensor5d(d.w, c.w));
    const step = (): void => {
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.mul(tf.tanh(groupedConv3d(x, w as tf.Tensor5D, c.opts)), r)),
          [w],
        );
        w.assign(tf.sub<tf.Tensor5D>(w, tf.mul(grads[w.name] ?? tf.scalar(0), 0.01)));
        return value;
      }).dispose();
    };
    step();
    await w.data();
    const tensors = tf.memory().numTensors;
    const bytes = (tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number }).numBytesInGPU;
    for (let i = 0; i < 50; i++) step();
    await w.data();
    expect(tf.memory().numTensors).toBe(tensors);
    expect((tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number }).numBytesInGPU).toBe(bytes);
    tf.dispose([x, r, w]);
  });
});
