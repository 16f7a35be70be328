// The seeded random CLIP (cpu backend): its learnt BPE merges shorten words of the corpus, the same seed gives the
// same weights and embeddings, another seed other ones, and its text/image encoders run on its generated vocabulary.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { encodeImage, encodeText, encodeTextTrimmed } from './model.ts';
import { learnMerges, randomClip } from './randomClip.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('random CLIP', () => {
  it('learnMerges merges the most frequent pairs first and the tokenizer uses them', () => {
    const merges = learnMerges(['the the the then', 'a cat sat'], 10);
    expect(merges[0]).toEqual(['t', 'h']);
    expect(merges).toContainEqual(['th', 'e</w>']);
    const { tokenizer, weights } = randomClip(1, { merges: 40 });
    try {
      expect(tokenizer.encode('a video about a person').length).toBeLessThan('a video about a person'.length);
      expect(weights.config.vocabSize).toBe(tokenizer.encoder.size);
      expect(tokenizer.encode('naïve 🎬')).not.toHaveLength(0); // byte fallback for what the corpus lacks
    } finally {
      weights.dispose();
    }
  });

  it('is reproducible from its seed and runs both encoders', async () => {
    const [a, b, c] = [randomClip(3), randomClip(3), randomClip(4)];
    try {
      const key = 'visual.transformer.resblocks.0.attn.in_proj_weight';
      const wa = await a.weights.tensors.get(key)?.data();
      expect(wa).toEqual(await b.weights.tensors.get(key)?.data());
      expect(wa).not.toEqual(await c.weights.tensors.get(key)?.data());
      const ids = a.tokenizer.tokenizeAll(['this is a video about archery', 'juggling']);
      const t = encodeText(a.weights, ids);
      const s = a.weights.config.imageSize;
      const img = encodeImage(a.weights, tf.randomNormal([2, s, s, 3], 0, 1, 'float32', 5));
      expect(t.shape).toEqual([2, a.weights.config.embedDim]);
      expect(img.shape).toEqual([2, a.weights.config.embedDim]);
      const [tv, iv] = [await t.data(), await img.data()];
      expect(tv.every(Number.isFinite) && iv.every(Number.isFinite)).toBe(true);
      expect(Math.abs((tv[0] ?? 0) - (tv[a.weights.config.embedDim] ?? 0))).toBeGreaterThan(0);
      // the trimmed context (causal mask) gives the same embeddings
      const trimmed = encodeTextTrimmed(a.weights, ids);
      const d = await trimmed.data();
      expect(Math.max(...tv.map((v, i) => Math.abs(v - (d[i] ?? NaN))))).toBeLessThan(1e-5);
      tf.dispose([t, img, trimmed]);
    } finally {
      [a, b, c].forEach((m) => {
        m.weights.dispose();
      });
    }
  }, 60_000);
});
