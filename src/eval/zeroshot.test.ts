// Zero-shot protocols: numpy's seeded permutations reproduced (checked against Debian's numpy at test time),
// half-class splits, prompt ensembling and BIKE's frame-averaged scoring, with mean/std recomputed from the splits.
import { describe, expect, it } from 'vitest';
import { PYTHON } from '../models/weights/fixtures/python.ts';
import { nodeModules } from '../models/zoo/fixtures/nodeModules.ts';
import { Rng } from '../shared/random.ts';
import {
  classEmbeddings,
  fillTemplate,
  fullClass,
  halfClass,
  halfClassSplits,
  numpyPermutation,
  zeroShotScores,
} from './zeroshot.ts';

describe('zero-shot protocols', () => {
  it('numpyPermutation equals np.random.seed(s); np.random.permutation(n)', async () => {
    const node = await nodeModules();
    const cases = [
      [101, 0],
      [101, 9],
      [51, 3],
      [7, 3],
      [1000, 12345],
    ] as const;
    const code = `import numpy as np, json\nout=[]\nfor n, s in ${JSON.stringify(cases)}:\n  np.random.seed(s); out.append(np.random.permutation(n).tolist())\nprint(json.dumps(out))`;
    const want = JSON.parse(
      node.cp.execFileSync(PYTHON, ['-c', code], { encoding: 'utf8', timeout: 60_000 }),
    ) as number[][];
    cases.forEach(([n, s], i) => expect(numpyPermutation(n, s)).toEqual(want[i]));
    // BIKE's UCF101 half-class split 0 starts with classes 26, 86, 2, … (sorted afterwards)
    const splits = halfClassSplits(101);
    expect(splits).toHaveLength(10);
    expect(splits[0]).toHaveLength(50);
    expect(splits[0]).toEqual([...(want[0] ?? []).slice(0, 50)].sort((a, b) => a - b));
  }, 30_000);

  it('halfClass restricts, relabels and reports mean ± std of the splits', () => {
    const rng = new Rng(5);
    const n = 12;
    const labels = Array.from({ length: 120 }, (_, i) => i % n);
    // noisy scores: the true class gets a bonus, so accuracies differ between subsets
    const scores = labels.map((l) => Array.from({ length: n }, (_, c) => rng.normal() + (c === l ? 1.2 : 0)));
    const r = halfClass(scores, labels, n);
    expect(r.splits).toHaveLength(10);
    const tops = r.splits.map((s) => s.top1);
    const mean = tops.reduce((a, b) => a + b, 0) / 10;
    expect(r.mean).toBeCloseTo(mean, 12);
    expect(r.std).toBeCloseTo(Math.sqrt(tops.reduce((a, b) => a + (b - mean) ** 2, 0) / 10), 12);
    expect(r.std).toBeGreaterThan(0);
    for (const s of r.splits) {
      expect(s.classes).toHaveLength(6);
      expect(s.videos).toBe(60);
      // recomputed by hand: argmax over the subset's columns
      const hits = labels.filter((l, i) => {
        if (!s.classes.includes(l)) return false;
        const row = s.classes.map((c) => scores[i]?.[c] ?? 0);
        return s.classes[row.indexOf(Math.max(...row))] === l;
      }).length;
      expect(s.top1).toBeCloseTo(hits / 60, 12);
    }
    expect(fullClass(scores, labels, n).top1).toBeGreaterThan(0.3);
  });

  it('prompt ensembling averages normalised template embeddings; BIKE scoring averages frame softmaxes', async () => {
    expect(fillTemplate('a video of {}', 'riding a bike')).toBe('a video of riding a bike');
    const seen: string[] = [];
    const emb = await classEmbeddings(['a', 'b'], ['x {}', '{} y'], (prompts) => {
      seen.push(...prompts);
      return Promise.resolve(prompts.map((p) => (p.startsWith('x') ? [2, 0] : [0, 5])));
    });
    expect(seen).toEqual(['x a', 'a y', 'x b', 'b y']);
    expect(emb[0]?.[0]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(emb[0]?.[1]).toBeCloseTo(Math.SQRT1_2, 12);
    const scores = zeroShotScores(
      [
        [
          [0.1, 0],
          [0, 0.05],
        ],
      ],
      [
        [1, 0],
        [0, 1],
      ],
    );
    const p = (z: number): number => 1 / (1 + Math.exp(-z)); // softmax of (z, 0); frames are not normalised
    expect(scores[0]?.[0]).toBeCloseTo((p(10) + 1 - p(5)) / 2, 12);
  });
});
