// Divided space-time attention capture on the tiny TimeSformer (cpu backend): the embedded token matrices are
// row-stochastic, the spatial class rows and temporal mean-query rows sum to 1 over the keys before reshaping,
// capture leaves the logits unchanged, and rollout is the product of the temporal then spatial parts.
import { describe, expect, it } from 'vitest';
import { tf } from '../../models/tf.ts';
import { buildModel } from '../../models/zoo/registry.ts';
import { Rng } from '../../shared/random.ts';
import { clsAttention } from './attention.ts';
import { captureDivided, dividedLayers, embedSpatial, embedTemporal, rolloutDivided } from './divided.ts';

const rowSums = (m: Float32Array, rows: number, n: number): number[] =>
  Array.from({ length: rows }, (_, r) => m.subarray(r * n, (r + 1) * n).reduce((a, b) => a + b, 0));

describe('divided attention (timesformer_b16:tiny)', () => {
  it('embeds a hand-made 2-frame, 1-patch case exactly', () => {
    // spatial per frame over [CLS, p]: frame 0 [[.6,.4],[.3,.7]], frame 1 [[.2,.8],[.5,.5]]
    const sp = embedSpatial(Float32Array.from([0.6, 0.4, 0.3, 0.7, 0.2, 0.8, 0.5, 0.5]), 2, 1, 1);
    // tokens [CLS, (0,0), (1,0)]: the CLS row is the frames' mean, each patch sees CLS and itself
    expect(Array.from(sp).map((v) => +v.toFixed(6))).toEqual([0.4, 0.2, 0.4, 0.3, 0.7, 0, 0.5, 0, 0.5]);
    const tp = embedTemporal(Float32Array.from([0.9, 0.1, 0.25, 0.75]), 2, 1, 1);
    expect(Array.from(tp).map((v) => +v.toFixed(6))).toEqual([1, 0, 0, 0, 0.9, 0.1, 0, 0.25, 0.75]);
  });

  it('captures every block, rows sum to 1, logits unchanged, rollout over all blocks', async () => {
    await tf.setBackend('cpu');
    const model = buildModel('timesformer_b16', { numClasses: 4, preset: 'tiny', seed: 2 });
    const rng = new Rng(5);
    const x = tf.tensor5d(
      Float32Array.from({ length: 4 * 16 * 16 * 3 }, () => rng.normal()),
      [1, 4, 16, 16, 3],
    );
    try {
      const plain = model.forward(x, { training: false }) as tf.Tensor;
      const expected = Array.from(await plain.data());
      plain.dispose();
      const before = tf.memory().numTensors;
      const c = await captureDivided(model, x);
      expect(tf.memory().numTensors).toBe(before);
      expect(Array.from(c.logits)).toEqual(expected);
      expect(c.grid).toEqual([4, 4, 4]);
      expect(c.layers.map((l) => l.layer)).toEqual(dividedLayers(model));
      const n = 1 + 4 * 16;
      for (const b of c.blocks)
        for (const part of [b.spatial, b.temporal])
          for (const s of rowSums(part.probs, part.heads * n, n)) expect(s).toBeCloseTo(1, 5);
      for (const a of c.layers) {
        for (const s of rowSums(a.probs, a.heads, a.keys)) expect(s).toBeCloseTo(1, 5);
        const { heads, mean } = clsAttention(a);
        expect(heads).toHaveLength(2);
        expect(mean.data).toHaveLength(64);
        expect(Math.max(...mean.data) - Math.min(...mean.data)).toBeGreaterThan(1e-4);
      }
      const r = rolloutDivided(c);
      expect(r.layers).toEqual(['model.blocks.0', 'model.blocks.1']);
      expect(r.map.data).toHaveLength(64);
      const mass = r.map.data.reduce((a, b) => a + b, 0);
      expect(mass).toBeGreaterThan(0);
      expect(mass).toBeLessThan(1);
    } finally {
      x.dispose();
      model.dispose();
    }
  });
});
