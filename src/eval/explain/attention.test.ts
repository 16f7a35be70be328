// Attention capture on the tiny MViT-v2-S (cpu backend): every captured row sums to 1 over its keys, the CLS maps
// have the key grid's size, capturing leaves the logits unchanged, and rollout covers only square trailing layers.
import { describe, expect, it } from 'vitest';
import { tf } from '../../models/tf.ts';
import { buildModel } from '../../models/zoo/registry.ts';
import { Rng } from '../../shared/random.ts';
import { attentionLayers, captureAttention, clsAttention, rolloutTrailing } from './attention.ts';

describe('attention capture (mvit_v2_s:tiny)', () => {
  it('records row-stochastic maps per block and a rollout over the final-resolution blocks', async () => {
    await tf.setBackend('cpu');
    const model = buildModel('mvit_v2_s', { numClasses: 5, preset: 'tiny', seed: 3 });
    try {
      const rng = new Rng(7);
      const x = tf.tensor5d(
        Float32Array.from({ length: 4 * 32 * 32 * 3 }, () => rng.normal()),
        [1, 4, 32, 32, 3],
      );
      const plain = model.forward(x, { training: false }) as tf.Tensor;
      const expected = await plain.data();
      plain.dispose();
      const names = attentionLayers(model);
      expect(names.length).toBeGreaterThan(1);
      const before = tf.memory().numTensors;
      const { logits, layers } = await captureAttention(model, x);
      expect(tf.memory().numTensors).toBe(before);
      expect(Array.from(logits)).toEqual(Array.from(expected));
      expect(layers.map((l) => l.layer)).toEqual(names);
      for (const a of layers) {
        for (let r = 0; r < a.heads * a.queries; r++) {
          const row = a.probs.subarray(r * a.keys, (r + 1) * a.keys);
          expect(Math.abs(row.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-4);
        }
        const grid = a.keyGrid ?? [0, 0, 0];
        expect(a.keys).toBe(1 + grid[0] * grid[1] * grid[2]);
        const { heads, mean } = clsAttention(a);
        expect(heads).toHaveLength(a.heads);
        expect(mean.data.length).toBe(a.keys - 1);
        // the mean over heads of a CLS row (without the CLS key) sums to at most 1
        expect(mean.data.reduce((s, v) => s + v, 0)).toBeLessThanOrEqual(1 + 1e-5);
      }
      const roll = rolloutTrailing(layers);
      const last = layers[layers.length - 1];
      expect(roll.layers[roll.layers.length - 1]).toBe(last?.layer);
      for (const name of roll.layers) {
        const a = layers.find((l) => l.layer === name);
        expect(a?.queries).toBe(a?.keys);
      }
      expect(roll.map.data.length).toBe((last?.keys ?? 0) - 1);
      x.dispose();
    } finally {
      model.dispose();
    }
  }, 120_000);
});
