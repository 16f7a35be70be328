// A seeded random CLIP for runs without imported weights (compute worker and Node): a BPE vocabulary learnt from a
// fixed corpus of prompt and action words, in OpenAI's layout) and CLIP's initialisation (normal std 0.02, LayerNorm
// 1/0, logit_scale ln(1/0.07)) drawn from the one seeded Rng. Its scores mean nothing; callers label them random.
import { Rng } from '../../shared/random.ts';
import { tf } from '../tf.ts';
import { clipParameterShapes, CLIP_CONFIGS, type ClipConfig } from './config.ts';
import { cleanText, ClipTokenizer } from './tokenizer.ts';
import type { ClipWeights } from './weights.ts';

/**
 * BPE merges learnt greedily from `corpus` (lower-cased a–z words, `</w>` on each word's last symbol): at each step
 * the most frequent adjacent pair (ties: first seen) is merged, up to `count` merges.
 */
export function learnMerges(corpus: readonly string[], count: number): [string, string][] {
  const freq = new Map<string, number>();
  for (const line of corpus)
    for (const w of cleanText(line).match(/[a-z]+/g) ?? []) freq.set(w, (freq.get(w) ?? 0) + 1);
  const words = [...freq].map(([w, n]) => {
    const chars = w.split(''); // a–z only
    return { symbols: [...chars.slice(0, -1), `${chars[chars.length - 1] ?? ''}</w>`], n };
  });
  const merges: [string, string][] = [];
  while (merges.length < count) {
    const pairs = new Map<string, number>();
    for (const { symbols, n } of words)
      for (let i = 0; i + 1 < symbols.length; i++) {
        const k = `${symbols[i]} ${symbols[i + 1]}`;
        pairs.set(k, (pairs.get(k) ?? 0) + n);
      }
    let best = '';
    let bestN = 1; // a pair seen once is not worth a merge
    for (const [k, n] of pairs) if (n > bestN) [best, bestN] = [k, n];
    if (!best) break;
    const [a = '', b = ''] = best.split(' ');
    merges.push([a, b]);
    for (const w of words) {
      const next: string[] = [];
      for (let i = 0; i < w.symbols.length; i++) {
        if (w.symbols[i] === a && w.symbols[i + 1] === b) {
          next.push(a + b);
          i++;
        } else next.push(w.symbols[i] ?? '');
      }
      w.symbols = next;
    }
  }
  return merges;
}

export interface RandomClip {
  readonly weights: ClipWeights;
  readonly tokenizer: ClipTokenizer;
}

/** The fixed corpus of the random CLIP's vocabulary: prompt words and common action words. */
export const RANDOM_CLIP_CORPUS = [
  'this is a video about a person doing an action',
  'a photo of a person playing the guitar, riding a bike, walking the dog and running in the park',
  'a video of people dancing, jumping, swimming, climbing, throwing, catching and kicking a ball',
  'moving left right up down spinning rotating growing shrinking bouncing circle square shape',
];

/** The tiny CLIP (or `base`) with random weights and a vocabulary of `merges` learnt from RANDOM_CLIP_CORPUS. */
export function randomClip(seed: number, opts: { base?: ClipConfig; merges?: number } = {}): RandomClip {
  const tokenizer = ClipTokenizer.fromMerges(learnMerges(RANDOM_CLIP_CORPUS, opts.merges ?? 96));
  const config: ClipConfig = { ...(opts.base ?? CLIP_CONFIGS.tiny), vocabSize: tokenizer.encoder.size };
  const rng = new Rng(seed);
  const tensors = new Map<string, tf.Tensor>();
  for (const [key, shape] of clipParameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (key === 'logit_scale') data[0] = Math.log(1 / 0.07);
    else if (/(ln_\w+|ln_final)\.weight$/.test(key)) data.fill(1);
    else if (!/(ln_\w+|ln_final)\.bias$/.test(key) && !key.endsWith('_bias') && !key.endsWith('.bias'))
      for (let i = 0; i < size; i++) data[i] = 0.02 * rng.normal();
    tensors.set(key, tf.tensor(data, shape, 'float32'));
  }
  const weights: ClipWeights = {
    config,
    tensors,
    dispose: () => {
      tensors.forEach((t) => {
        t.dispose();
      });
    },
  };
  return { weights, tokenizer };
}
