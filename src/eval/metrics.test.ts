// Metrics on hand-computed cases and against MMAction2's rules re-coded in numpy, run at test time with Debian's
// /usr/bin/python3 (scikit-learn is not installed there, so the reference is hand-coded numpy).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Rng } from '../shared/random.ts';
import {
  averagePrecision,
  confusionMatrix,
  meanAveragePrecision,
  meanClassAccuracy,
  mmitMeanAveragePrecision,
  perClassAccuracy,
  singleLabelMetrics,
  topKAccuracy,
} from './metrics.ts';

const NUMPY_SCRIPT = String.raw`
import json, sys
import numpy as np
d = json.loads(sys.stdin.read())
scores = np.array(d['scores']); labels = np.array(d['labels']); multi = np.array(d['multi'])
def topk(k):
    p = np.argsort(scores, axis=1, kind='stable')[:, -k:][:, ::-1]
    return float(np.logical_or.reduce(p == labels[:, None], axis=1).mean())
pred = np.argmax(scores, axis=1)
ids = np.unique(np.concatenate([pred, labels]))
cf = np.zeros((len(ids), len(ids)))
for t, p in zip(labels, pred):
    cf[np.searchsorted(ids, t), np.searchsorted(ids, p)] += 1
cnt = cf.sum(axis=1); hit = np.diag(cf)
mca = float(np.mean([h / c if c else 0.0 for c, h in zip(cnt, hit)]))
def prc(y_score, y_true):
    o = np.argsort(y_score, kind='mergesort')[::-1]
    y_score = y_score[o]; y_true = y_true[o]
    ti = np.r_[np.where(np.diff(y_score))[0], y_true.size - 1]
    tps = np.cumsum(y_true)[ti]; fps = 1 + ti - tps
    with np.errstate(invalid='ignore', divide='ignore'):
        prec = tps / (tps + fps); prec[np.isnan(prec)] = 0
        rec = tps / tps[-1]
    last = tps.searchsorted(tps[-1]); sl = slice(last, None, -1)
    return np.r_[prec[sl], 1], np.r_[rec[sl], 0]
def ap(s, t):
    p, r = prc(s, t)
    return float(-np.sum(np.diff(r) * p[:-1]))
per_class = [ap(s, t) for s, t in zip(scores.T, multi.T)]
per_class = [x for x in per_class if not np.isnan(x)]
print(json.dumps({'top1': topk(1), 'top5': topk(5), 'mca': mca, 'map': float(np.mean(per_class)),
  'mmit': float(np.mean([ap(s, t) for s, t in zip(scores, multi)]))}))
`;

describe('metrics, hand-computed', () => {
  const scores = [
    [0.1, 0.7, 0.2],
    [0.5, 0.3, 0.2],
    [0.2, 0.2, 0.6],
    [0.3, 0.4, 0.3],
  ];
  const labels = [1, 0, 2, 0];
  it('top-k, confusion rows = class counts, per-class recall', () => {
    expect(topKAccuracy(scores, labels, 1)).toBe(0.75);
    // last row [0.3, 0.4, 0.3]: the 0.3 tie puts class 2 before class 0 in the top-2
    expect(topKAccuracy(scores, labels, 2)).toBe(0.75);
    expect(topKAccuracy(scores, labels, 3)).toBe(1);
    const m = singleLabelMetrics(scores, labels, 3);
    expect(m.confusion).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(m.confusion.map((r) => r.reduce((a, b) => a + b, 0))).toEqual([2, 1, 1]);
    expect(m.perClass).toEqual([0.5, 1, 1]);
    expect(m.meanClassAccuracy).toBeCloseTo((0.5 + 1 + 1) / 3, 12);
  });
  it('top-k ties go to the higher class index', () => {
    expect(topKAccuracy([[0.5, 0.5, 0]], [1], 1)).toBe(1);
    expect(topKAccuracy([[0.5, 0.5, 0]], [0], 1)).toBe(0);
  });
  it('mean class accuracy: a class only predicted counts 0, a class absent from both is skipped', () => {
    // labels {0, 1}; class 2 is predicted once (for a class-1 video), class 3 never appears.
    const s = [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
    ];
    expect(meanClassAccuracy(s, [0, 1, 1])).toBeCloseTo((1 + 0.5 + 0) / 3, 12);
    expect(perClassAccuracy(confusionMatrix([0, 1, 2], [0, 1, 1], 4))).toEqual([1, 0.5, null, null]);
  });
  it('average precision with ties and with no positive', () => {
    // sorted: 0.9(T) 0.8(F) 0.8(T) 0.1(F): thresholds P=1 R=.5, then P=2/3 R=1 → 0.5 + 0.5·2/3
    expect(averagePrecision([0.9, 0.8, 0.8, 0.1], [1, 0, 1, 0])).toBeCloseTo(0.5 + 1 / 3, 12);
    expect(averagePrecision([0.1, 0.2], [0, 0])).toBeNaN();
    expect(
      meanAveragePrecision(
        [
          [0.9, 0.1],
          [0.2, 0.3],
        ],
        [
          [1, 0],
          [0, 0],
        ],
      ),
    ).toBe(1);
  });
});

describe('metrics against numpy', () => {
  it('random scores: top-1/5, mean class accuracy, mAP and mmit mAP agree to 1e-12', () => {
    const rng = new Rng(14);
    const n = 60;
    const k = 12;
    const scores = Array.from({ length: n }, () => Array.from(rng.float32(k, 0, 1), Number));
    // labels skip class 11 so it can only be predicted; multi-label targets have 1–3 positives per row
    const labels = Array.from({ length: n }, () => rng.int(k - 1));
    const multi = labels.map((l) => {
      const row = new Array<number>(k).fill(0);
      row[l] = 1;
      row[rng.int(k)] = 1;
      return row;
    });
    let out: string;
    try {
      out = execFileSync('/usr/bin/python3', ['-c', NUMPY_SCRIPT], {
        input: JSON.stringify({ scores, labels, multi }),
        encoding: 'utf8',
      });
    } catch (cause) {
      throw new Error('/usr/bin/python3 with numpy is needed (apt-get install python3-numpy)', { cause });
    }
    const ref = JSON.parse(out) as { top1: number; top5: number; mca: number; map: number; mmit: number };
    expect(topKAccuracy(scores, labels, 1)).toBeCloseTo(ref.top1, 12);
    expect(topKAccuracy(scores, labels, 5)).toBeCloseTo(ref.top5, 12);
    expect(meanClassAccuracy(scores, labels)).toBeCloseTo(ref.mca, 12);
    expect(meanAveragePrecision(scores, multi)).toBeCloseTo(ref.map, 12);
    expect(mmitMeanAveragePrecision(scores, multi)).toBeCloseTo(ref.mmit, 12);
    expect(ref.top1).toBeGreaterThan(0);
  });
});
