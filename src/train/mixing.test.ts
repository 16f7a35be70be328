// Label smoothing, MixUp/CutMix label mixing and the clip-level application.
import { describe, expect, it } from 'vitest';
import { tf } from '../models/tf.ts';
import { Rng } from '../shared/random.ts';
import { dominantLabels, drawMix, mixClips, mixTargets, sampleBeta, softCrossEntropy } from './mixing.ts';

describe('mixing', () => {
  it('counts train accuracy against the label of the larger mixing weight', () => {
    const labels = Int32Array.from([0, 1, 2, 3, 4]);
    expect([...dominantLabels(labels, 1)]).toEqual([0, 1, 2, 3, 4]);
    expect([...dominantLabels(labels, 0.5)]).toEqual([0, 1, 2, 3, 4]); // a tie keeps the clip's own label
    expect([...dominantLabels(labels, 0.3)]).toEqual([4, 3, 2, 1, 0]); // mirrored, as mixTargets mixes
    // the hard label is the argmax of the mixed targets
    const soft = mixTargets(labels, 5, 0.1, 0.3);
    const argmax = [0, 1, 2, 3, 4].map((i) => {
      const row = [...soft.slice(i * 5, i * 5 + 5)];
      return row.indexOf(Math.max(...row));
    });
    expect(argmax.filter((_, i) => i !== 2)).toEqual(
      [...dominantLabels(labels, 0.3)].filter((_, i) => i !== 2),
    );
  });

  it('smooths one-hot labels as PySlowFast (off = ε/K, on = 1 − ε + ε/K)', () => {
    const t = mixTargets(new Int32Array([2, 0]), 4, 0.1, 1);
    expect([...t.slice(0, 4)].map((v) => +v.toFixed(6))).toEqual([0.025, 0.025, 0.925, 0.025]);
    expect([...t.slice(4)].map((v) => +v.toFixed(6))).toEqual([0.925, 0.025, 0.025, 0.025]);
  });

  it('mixes each label with the mirrored clip’s label by λ and keeps rows summing to 1', () => {
    const labels = new Int32Array([0, 1, 2]);
    const t = mixTargets(labels, 3, 0, 0.7);
    // row 0: 0.7·y0 + 0.3·y2; row 1 (its own mirror): y1; row 2: 0.7·y2 + 0.3·y0
    expect([...t].map((v) => +v.toFixed(6))).toEqual([0.7, 0, 0.3, 0, 1, 0, 0.3, 0, 0.7]);
    const s = mixTargets(new Int32Array([1, 3, 3, 0]), 5, 0.2, 0.35);
    for (let i = 0; i < 4; i++)
      expect(s.slice(i * 5, i * 5 + 5).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(() => mixTargets(new Int32Array([3]), 3, 0, 1)).toThrow(/outside 0..2/);
  });

  it('draws Beta(α, α) with the right mean and variance', () => {
    const rng = new Rng(1);
    const xs = Array.from({ length: 20000 }, () => sampleBeta(rng, 0.8));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(mean).toBeCloseTo(0.5, 1);
    expect(variance).toBeCloseTo(1 / (4 * (2 * 0.8 + 1)), 2); // αβ/((α+β)²(α+β+1))
    expect(xs.every((x) => x > 0 && x < 1)).toBe(true);
  });

  it('corrects CutMix λ to the pasted area and respects prob and switchProb', () => {
    const rng = new Rng(3);
    const cfg = { alpha: 0.8, cutmixAlpha: 1, prob: 1, switchProb: 0.5 };
    const kinds = { none: 0, mixup: 0, cutmix: 0 };
    for (let i = 0; i < 400; i++) {
      const d = drawMix(cfg, 16, 20, rng);
      kinds[d.kind]++;
      if (d.kind === 'cutmix') {
        const area = (d.box.y1 - d.box.y0) * (d.box.x1 - d.box.x0);
        expect(d.lambda).toBeCloseTo(1 - area / 320, 12);
      }
    }
    expect(kinds.none).toBe(0);
    expect(kinds.cutmix).toBeGreaterThan(150);
    expect(kinds.mixup).toBeGreaterThan(150);
    expect(drawMix(null, 4, 4, rng)).toEqual({ kind: 'none', lambda: 1 });
    expect(drawMix({ ...cfg, prob: 0 }, 4, 4, rng).kind).toBe('none');
    expect(drawMix({ ...cfg, cutmixAlpha: 0 }, 4, 4, rng).kind).toBe('mixup');
  });

  it('pastes the same CutMix box into every frame and blends MixUp by λ', () => {
    const x = tf.concat<tf.Tensor5D>([tf.zeros([1, 3, 4, 4, 1]), tf.ones([1, 3, 4, 4, 1])], 0);
    const cut = mixClips(x, { kind: 'cutmix', lambda: 0.75, box: { y0: 1, y1: 3, x0: 0, x1: 2 } });
    const v = cut.arraySync();
    for (let t = 0; t < 3; t++) {
      for (let y = 0; y < 4; y++) {
        for (let xx = 0; xx < 4; xx++) {
          const inBox = y >= 1 && y < 3 && xx < 2;
          expect(v[0]?.[t]?.[y]?.[xx]?.[0]).toBe(inBox ? 1 : 0);
          expect(v[1]?.[t]?.[y]?.[xx]?.[0]).toBe(inBox ? 0 : 1);
        }
      }
    }
    const mix = mixClips(x, { kind: 'mixup', lambda: 0.3 });
    expect(mix.max().dataSync()[0]).toBeCloseTo(0.7, 6);
    expect(mix.min().dataSync()[0]).toBeCloseTo(0.3, 6);
    tf.dispose([x, cut, mix]);
  });

  it('computes the soft-target cross-entropy', () => {
    const logits = tf.tensor2d([[2, 0, -1]]);
    const loss = softCrossEntropy(logits, tf.tensor2d([[0.5, 0.5, 0]]));
    const lse = Math.log(Math.exp(2) + 1 + Math.exp(-1));
    expect(loss.dataSync()[0]).toBeCloseTo(0.5 * (lse - 2) + 0.5 * lse, 5);
  });
});
