// Divided space-time attention on the webgpu backend: the fused kernels reading token tensors through strided
// views match the explicit-transpose composition (stock TF.js ops) in outputs and input gradients.
// Runs in Chromium on the real adapter; fails, never skips, without one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../gpu/device.ts';
import { initTf, tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { maxAbsDiff, parityTolerance } from '../../gpu/kernels/parity.ts';
import {
  spaceTimeAttention,
  spaceTimeAttentionComposed,
  type SpaceTimeLayout,
  type SpaceTimeMode,
} from './attentionSpaceTime.ts';

async function values(
  f: typeof spaceTimeAttention,
  mode: SpaceTimeMode,
  layout: SpaceTimeLayout,
): Promise<Float32Array[]> {
  const batch = 2;
  const n = layout.clsTokens + layout.frames * layout.patches;
  const hd = layout.heads * layout.headDim;
  const rng = new Rng(17);
  const tensors = tf.tidy(() => {
    const t = (): tf.Tensor3D => tf.tensor3d(rng.float32(batch * n * hd), [batch, n, hd]);
    const [q, k, v, w] = [t(), t(), t(), t()];
    const wCls = tf.tensor4d(rng.float32(batch * layout.frames * layout.clsTokens * hd), [
      batch,
      layout.frames,
      layout.clsTokens,
      hd,
    ]);
    const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Scalar => {
      const r = f(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, mode, layout);
      const main = r.out.mul(w).sum();
      return (r.cls ? main.add(r.cls.mul(wCls).sum()) : main) as tf.Scalar;
    };
    const r = f(q, k, v, mode, layout);
    return [r.out, ...(r.cls ? [r.cls] : []), ...tf.grads(loss)([q, k, v])];
  });
  try {
    return (await Promise.all(tensors.map((t) => t.data()))).map((a) => Float32Array.from(a));
  } finally {
    tf.dispose(tensors);
  }
}

describe('spaceTimeAttention on webgpu', () => {
  beforeAll(async () => {
    const { device, adapter } = await acquireGpu();
    await initTf(device, adapter.info);
  });
  afterAll(releaseGpu);

  const layout: SpaceTimeLayout = { frames: 4, patches: 9, heads: 2, headDim: 64, clsTokens: 1 };
  for (const mode of ['temporal', 'spatial', 'joint'] as const) {
    it(`${mode}: matches the explicit transposes around composedAttention`, async () => {
      const got = await values(spaceTimeAttention, mode, layout);
      const want = await values(spaceTimeAttentionComposed, mode, layout);
      expect(got.length).toBe(want.length);
      got.forEach((g, i) => {
        const w = want[i] ?? new Float32Array();
        expect(maxAbsDiff(g, w), `output ${i}`).toBeLessThanOrEqual(parityTolerance(w));
      });
    });
  }
});
