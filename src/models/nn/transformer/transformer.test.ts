// The transformer toolkit on the cpu backend (Node): position-table resizing equals PyTorch's F.interpolate
// (Debian's /usr/bin/python3 at test time), attention capture gives row-stochastic probabilities for the chosen
// layers only and changes nothing else, DropPath is identity at eval and seeded in training.
import { describe, expect, it } from 'vitest';
import { tf } from '../../tf.ts';
import { PYTHON } from '../../weights/fixtures/python.ts';
import { nodeModules } from '../../zoo/fixtures/nodeModules.ts';
import { Rng } from '../../../shared/random.ts';
import { real } from '../module.ts';
import { bicubicResizeMatrix, resizePositionTable, sinusoidTable, type Grid } from './posTables.ts';
import { PreNormBlock, runBlocks, type AttentionCapture } from './block.ts';
import { dropPath } from './dropPath.ts';

const TORCH_RESIZE = `
import json, sys, torch, torch.nn.functional as F
def resize(a):
    t, h, w, c = list(a['from']) + [a['c']]
    T, H, W = a['to']
    x = torch.tensor(a['x'], dtype=torch.float64).reshape(t, h, w, c).permute(0, 3, 1, 2)
    x = F.interpolate(x, size=(H, W), mode='bicubic', align_corners=False)      # [t, c, H, W]
    x = x.permute(1, 2, 3, 0).reshape(1, c * H * W, t)
    x = F.interpolate(x, size=T, mode='linear', align_corners=False)             # [1, c·H·W, T]
    return x.reshape(c, H, W, T).permute(3, 1, 2, 0).reshape(-1).tolist()
print(json.dumps([resize(a) for a in json.loads(sys.argv[1])]))
`;

describe('position tables', () => {
  it('sinusoid table: sin on even, cos on odd channels', () => {
    const s = sinusoidTable(3, 4);
    expect(s[0]).toBe(0);
    expect(s[1]).toBe(1);
    expect(s[4 + 0]).toBeCloseTo(Math.sin(1), 6);
    expect(s[4 + 3]).toBeCloseTo(Math.cos(1 / 100), 6);
  });

  it('bicubic rows sum to 1 and the same size is the identity', () => {
    const m = bicubicResizeMatrix(5, 7);
    for (let i = 0; i < 7; i++) {
      expect(m.slice(i * 5, i * 5 + 5).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
    expect([...bicubicResizeMatrix(3, 3)]).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('resizing 2×3×3 → 4×5×5 and 4×6×5 → 2×3×4 equals F.interpolate (linear t, bicubic h·w)', async () => {
    const node = await nodeModules();
    const c = 3;
    const rng = new Rng(7);
    const cases = (
      [
        [
          [2, 3, 3],
          [4, 5, 5],
        ],
        [
          [4, 6, 5],
          [2, 3, 4],
        ],
      ] as const
    ).map(([from, to]) => ({
      from,
      to,
      c,
      x: Array.from({ length: from[0] * from[1] * from[2] * c }, () => rng.normal()),
    }));
    const wants = JSON.parse(
      node.cp.execFileSync(PYTHON, ['-c', TORCH_RESIZE, JSON.stringify(cases)], {
        encoding: 'utf8',
        timeout: 120_000,
      }),
    ) as number[][];
    cases.forEach(({ from, to, x }, n) => {
      const want = wants[n] ?? [];
      const rows = from[0] * from[1] * from[2];
      const got = tf.tidy(() =>
        resizePositionTable(tf.tensor2d(x, [rows, c]), from as Grid, to as Grid).dataSync(),
      );
      expect(got.length).toBe(to[0] * to[1] * to[2] * c);
      expect(got.length).toBe(want.length);
      const err = want.reduce((m, v, i) => Math.max(m, Math.abs(v - (got[i] ?? NaN))), 0);
      expect(err).toBeLessThan(1e-5);
    });
  }, 120_000);
});

describe('attention capture', () => {
  it('returns f32[B, H, L, L] rows summing to 1 for the chosen layers only; outputs unchanged', () => {
    const rng = new Rng(3);
    const blocks = [0, 1, 2].map(
      () => new PreNormBlock(rng, { dim: 64, numHeads: 2, qkvBias: 'qv', impl: 'composed' }),
    );
    const x = tf.randomNormal<tf.Rank.R3>([2, 9, 64], 0, 1, 'float32', 11);
    const ctx = { training: false };
    const before = tf.memory().numTensors;
    const plain = tf.tidy(() => real(runBlocks(blocks, x, ctx), 'test').dataSync());
    expect(tf.memory().numTensors).toBe(before); // free when off
    const capture: AttentionCapture = { layers: new Set([0, 2]), probs: new Map() };
    const withCapture = tf.tidy(() => real(runBlocks(blocks, x, ctx, capture), 'test').dataSync());
    expect([...withCapture]).toEqual([...plain]);
    expect([...capture.probs.keys()].sort()).toEqual([0, 2]);
    for (const p of capture.probs.values()) {
      expect(p.shape).toEqual([2, 2, 9, 9]);
      const sums = tf.tidy(() => tf.sum(p, -1).dataSync());
      for (const s of sums) expect(s).toBeCloseTo(1, 5);
      const v = p.dataSync();
      expect(Math.max(...v) - Math.min(...v)).toBeGreaterThan(1e-3); // not uniform
    }
    tf.dispose([...capture.probs.values(), x]);
    blocks.forEach((b) => b.dispose());
  });
});

describe('DropPath', () => {
  it('is the identity at eval and a seeded per-sample mask in training', () => {
    const x = tf.ones([8, 3, 2]);
    expect(dropPath(x, 0.5, { training: false })).toBe(x);
    const run = (): number[] =>
      Array.from(
        tf.tidy(() => tf.sum(dropPath(x, 0.5, { training: true, rng: new Rng(5) }), [1, 2]).dataSync()),
      );
    const a = run();
    expect(run()).toEqual(a);
    for (const v of a) expect([0, 12]).toContain(v);
    expect(new Set(a).size).toBe(2);
    x.dispose();
  });
});
