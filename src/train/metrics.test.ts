import { describe, expect, it } from 'vitest';
import { AccuracyMeter } from './metrics.ts';

describe('AccuracyMeter', () => {
  it('computes top-1, top-5 and mean class accuracy over batches', () => {
    const m = new AccuracyMeter(6);
    // clip 0: label 0 ranked first; clip 1: label 1 ranked 6th; clip 2: label 1 ranked 2nd
    m.add(new Float32Array([9, 1, 2, 3, 4, 5, 9, 0, 8, 7, 6, 5]), new Int32Array([0, 1]));
    m.add(new Float32Array([0, 5, 6, 1, 1, 1]), new Int32Array([1]));
    const r = m.report();
    expect(r.count).toBe(3);
    expect(r.top1).toBeCloseTo(1 / 3, 12);
    expect(r.top5).toBeCloseTo(2 / 3, 12);
    // class 0: 1/1, class 1: 0/2 → mean over seen classes 0.5
    expect(r.meanClassAccuracy).toBeCloseTo(0.5, 12);
  });

  it('breaks ties towards the lower class index and checks its inputs', () => {
    const m = new AccuracyMeter(3);
    m.add(new Float32Array([1, 1, 1, 1, 1, 1]), new Int32Array([0, 2]));
    expect(m.report().top1).toBe(0.5);
    expect(() => m.add(new Float32Array(3), new Int32Array([3]))).toThrow(/label 3 outside/);
    expect(() => m.add(new Float32Array(4), new Int32Array([0]))).toThrow(/4 scores/);
  });
});
