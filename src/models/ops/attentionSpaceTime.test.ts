// Divided space-time attention through strided views (CPU-reference kernels) against the explicit-transpose
// composition with stock TF.js ops: outputs and input gradients for temporal, spatial and joint modes. Node.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { maxAbsDiff, parityTolerance } from '../../gpu/kernels/parity.ts';
import {
  spaceTimeAttention,
  spaceTimeAttentionComposed,
  type SpaceTimeLayout,
  type SpaceTimeMode,
} from './attentionSpaceTime.ts';
import type { AttentionOpOptions } from './attention.ts';

type SpaceTimeFn = typeof spaceTimeAttention;

/** Output, class output and gradients of Σ out·wOut + Σ cls·wCls with respect to q, k, v. */
export function spaceTimeValues(
  f: SpaceTimeFn,
  mode: SpaceTimeMode,
  layout: SpaceTimeLayout,
  batch: number,
  seed: number,
  opts: AttentionOpOptions = {},
): Float32Array[] {
  const n = layout.clsTokens + layout.frames * layout.patches;
  const hd = layout.heads * layout.headDim;
  const rng = new Rng(seed);
  return tf.tidy(() => {
    const t = () => tf.tensor3d(rng.float32(batch * n * hd), [batch, n, hd]);
    const [q, k, v, wOut] = [t(), t(), t(), t()];
    const wCls = tf.tensor4d(rng.float32(batch * layout.frames * layout.clsTokens * hd), [
      batch,
      layout.frames,
      layout.clsTokens,
      hd,
    ]);
    const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Scalar => {
      const r = f(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, mode, layout, opts);
      const main = r.out.mul(wOut).sum();
      return (r.cls ? main.add(r.cls.mul(wCls).sum()) : main) as tf.Scalar;
    };
    const r = f(q, k, v, mode, layout, opts);
    const grads = tf.grads(loss)([q, k, v]);
    return [r.out, ...(r.cls ? [r.cls] : []), ...grads].map((x) => x.dataSync() as Float32Array);
  });
}

describe('spaceTimeAttention (views) vs explicit transposes', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const layout: SpaceTimeLayout = { frames: 3, patches: 4, heads: 2, headDim: 32, clsTokens: 1 };
  for (const mode of ['temporal', 'spatial', 'joint'] as const) {
    it(`${mode}: same outputs and gradients`, () => {
      const opts: AttentionOpOptions = mode === 'temporal' ? { keyPaddingMask: [3, 2] } : {};
      const got = spaceTimeValues(spaceTimeAttention, mode, layout, 2, 7, opts);
      const want = spaceTimeValues(spaceTimeAttentionComposed, mode, layout, 2, 7, opts);
      expect(got.length).toBe(want.length);
      got.forEach((g, i) => {
        const w = want[i] ?? new Float32Array();
        expect(maxAbsDiff(g, w), `output ${i}`).toBeLessThanOrEqual(parityTolerance(w));
      });
    });
  }

  it('rejects token tensors of the wrong length', () => {
    const x = tf.zeros<tf.Rank.R3>([1, 5, 64]);
    expect(() => spaceTimeAttention(x, x, x, 'joint', layout)).toThrow(/must be \[B, 13, 64\]/);
    x.dispose();
  });
});
