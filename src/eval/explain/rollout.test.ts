// Attention rollout and CLS maps against a numpy reference run at test time by Debian's /usr/bin/python3.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../shared/random.ts';
import { PYTHON } from '../../models/weights/fixtures/python.ts';
import { nodeModules } from '../../models/zoo/fixtures/nodeModules.ts';
import { attentionRollout, clsMap, massThreshold, type HeadFusion, type LayerAttention } from './rollout.ts';

function softmaxAttention(rng: Rng, heads: number, n: number): LayerAttention {
  const probs = new Float32Array(heads * n * n);
  for (let r = 0; r < heads * n; r++) {
    const row = Array.from({ length: n }, () => Math.exp(2 * rng.next()));
    const s = row.reduce((a, b) => a + b, 0);
    row.forEach((v, j) => (probs[r * n + j] = v / s));
  }
  return { heads, tokens: n, probs };
}

const NUMPY = `
import json, sys, numpy as np
d = json.load(sys.stdin); n = d["n"]; out = {}
def hat(a, f):
    a = np.array(a).reshape(d["heads"], n, n); a = getattr(a, f)(axis=0)
    a = 0.5 * a + 0.5 * np.eye(n); return a / a.sum(axis=1, keepdims=True)
for f in ["mean", "max", "min"]:
    r = np.eye(n)
    for l in d["joint"]: r = hat(l, f) @ r
    out[f] = r.flatten().tolist()
r = np.eye(n)
for t, s in d["divided"]: r = hat(s, "mean") @ hat(t, "mean") @ r
out["divided"] = r.flatten().tolist()
print(json.dumps(out))
`;

describe('attention rollout', () => {
  it('equals numpy for joint (mean/max/min fusion) and divided attention; CLS maps and mass threshold', async () => {
    const node = await nodeModules();
    const rng = new Rng(17);
    const [heads, n] = [3, 9];
    const joint = [0, 1, 2].map(() => softmaxAttention(rng, heads, n));
    const divided = [0, 1].map(() => ({
      temporal: softmaxAttention(rng, heads, n),
      spatial: softmaxAttention(rng, heads, n),
    }));
    for (const a of joint)
      for (let r = 0; r < heads * n; r++)
        expect(a.probs.slice(r * n, r * n + n).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    const input = JSON.stringify({
      n,
      heads,
      joint: joint.map((a) => [...a.probs]),
      divided: divided.map((l) => [[...l.temporal.probs], [...l.spatial.probs]]),
    });
    const ref = JSON.parse(
      node.cp.execFileSync(PYTHON, ['-c', NUMPY], { input, encoding: 'utf8', timeout: 60_000 }),
    ) as Record<string, number[]>;
    const diff = (a: Float64Array, b: readonly number[] | undefined): number =>
      (b ?? [NaN]).reduce((m, v, i) => Math.max(m, Math.abs(v - (a[i] ?? NaN))), 0);
    for (const f of ['mean', 'max', 'min'] as HeadFusion[])
      expect(diff(attentionRollout(joint, f), ref[f])).toBeLessThan(1e-6);
    const r = attentionRollout(divided);
    expect(diff(r, ref.divided)).toBeLessThan(1e-6);
    for (let i = 0; i < n; i++)
      expect(r.slice(i * n, i * n + n).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
    const map = clsMap(r, n, 2, 2, 2);
    expect(map.length).toBe(8);
    expect(map[0]).toBeCloseTo(r[1] ?? NaN, 6);
    const mask = massThreshold(Float32Array.from([0.5, 0.1, 0.3, 0.1]), 0.7);
    expect([...mask]).toEqual([1, 0, 1, 0]);
  }, 60_000);
});
