// Issue 5's memory criterion: fused attention stays O(L) per head — no L×L buffer is ever allocated. Checked two
// ways on the real adapter: (1) every GPUBuffer created while the raw kernels (forward + backward) are encoded and
// run, via a spy on device.createBuffer; (2) every kernel output and the peak tensor bytes of the TF.js op's
// forward + backward, via tf.profile. The composed version is run through (2) as well, to show the check bites.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../gpu/device.ts';
import { initTf, tf } from '../tf.ts';
import { contiguousViews, type AttentionGeometry } from '../../gpu/kernels/attention/layout.ts';
import { randomInputs } from '../../gpu/kernels/attention/testing.ts';
import { runForwardBackward, withDvAfterDk } from '../../gpu/kernels/attention_bwd/testing.ts';
import { composedAttention, fusedAttention } from './attention.ts';
import { disposeInputs, opInputs, type AttentionFn } from './attentionTesting.ts';

const L = 1568; // joint space-time attention over 8×14×14 tokens
const D = 32;

/** Runs `work` while recording the size of every buffer `device` creates. */
async function createdBufferSizes(device: GPUDevice, work: () => Promise<unknown>): Promise<number[]> {
  const sizes: number[] = [];
  const original = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor): GPUBuffer => {
    sizes.push(descriptor.size);
    return original(descriptor);
  };
  try {
    await work();
  } finally {
    device.createBuffer = original;
  }
  return sizes;
}

/** Largest kernel output (elements) and peak tensor bytes of forward + backward of Σ(f(q, k, v) ∘ dy). */
async function profileFwdBwd(
  f: AttentionFn,
  bh: number,
): Promise<{ largestOutput: number; peakBytes: number }> {
  const x = opInputs(7, 1, bh, L, L, D);
  try {
    const info = await tf.profile(() => {
      tf.dispose(
        tf.tidy(() => {
          const g = tf.grads((q, k, v) =>
            f(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D)
              .mul(x.dy)
              .sum(),
          );
          return g([x.q, x.k, x.v]);
        }),
      );
    });
    const sizes = info.kernels.flatMap((k) => k.outputShapes.map((s) => s.reduce((a, b) => a * b, 1)));
    return { largestOutput: Math.max(...sizes), peakBytes: info.peakBytes };
  } finally {
    disposeInputs(x);
  }
}

describe('fused attention memory is O(L) per head', () => {
  beforeAll(async () => {
    const { device, adapter } = await acquireGpu();
    await initTf(device, adapter.info);
  });
  afterAll(releaseGpu);

  it(`raw kernels: no buffer created for forward + backward at L = ${L} exceeds O(L·d)`, async () => {
    const { device } = await acquireGpu();
    const bh = 1;
    const g: AttentionGeometry = { batch: 1, inner: 1, heads: bh, lq: L, lk: L, headDim: D, prefix: 0 };
    const n = bh * L * D;
    const x = randomInputs(3, n, n);
    const sizes = await createdBufferSizes(device, () =>
      runForwardBackward(device, g, withDvAfterDk(contiguousViews(g), n), x, { q: n, kv: n }),
    );
    expect(sizes.length).toBeGreaterThan(0); // the spy saw the allocations
    // the largest is [dk | dv] (2·bh·L·d floats); one L×L score matrix per head would be bh·L·L floats
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2 * n * 4);
    expect(Math.max(...sizes)).toBeLessThan(L * L * 4);
    // all of them together stay linear in L as well: q, k, v, dO, o, dq, [dk | dv] (8n), the read-back staging
    // copies of o, dq, [dk | dv] (4n), lse and (lse, D) statistics (3·bh·L) and uniforms
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(13 * n * 4);
  });

  it('TF.js op: no kernel output or peak of the fused forward + backward is L×L; the composed one is', async () => {
    const bh = 1;
    const fused = await profileFwdBwd(fusedAttention, bh);
    expect(fused.largestOutput).toBeLessThanOrEqual(bh * L * D);
    expect(fused.peakBytes).toBeLessThan(L * L * 4);
    const composed = await profileFwdBwd(composedAttention, bh);
    expect(composed.largestOutput).toBeGreaterThanOrEqual(bh * L * L);
    expect(composed.peakBytes).toBeGreaterThan(L * L * 4);
  });
});
