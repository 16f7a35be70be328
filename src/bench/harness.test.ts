import { describe, expect, it } from 'vitest';
import { geomeanSpeedup, median, runBench, type BenchCase } from './harness.ts';

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin: a stand-in for GPU work in this CPU-only test
  }
};

describe('bench harness', () => {
  it('takes medians', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('times ours and stock, reports speed-up, GFLOP/s and parity, and disposes every case', async () => {
    const disposed: string[] = [];
    const cases: BenchCase[] = [
      {
        op: 'fake_fwd',
        shape: '[1]',
        flops: 2e6,
        prepare: () =>
          Promise.resolve({
            ours: () => {
              busy(2);
            },
            stock: () => {
              busy(8);
            },
            maxError: () => Promise.resolve(1e-6),
            dispose: () => disposed.push('fwd'),
          }),
      },
      {
        op: 'fake_new',
        shape: '[2]',
        flops: 1e6,
        prepare: () =>
          Promise.resolve({
            ours: () => {
              busy(1);
            },
            stock: null,
            maxError: () => Promise.resolve(0),
            dispose: () => disposed.push('new'),
          }),
      },
    ];
    const progress: string[] = [];
    const rows = await runBench(cases, {
      warmup: 1,
      reps: 3,
      sync: () => Promise.resolve(),
      onCase: (_i, _n, label) => progress.push(label),
    });
    expect(rows).toHaveLength(2);
    const [fwd, fresh] = rows;
    expect(fwd?.speedup).toBeGreaterThan(2);
    expect(fwd?.gflops).toBeGreaterThan(0);
    expect(fwd?.max_err).toBe(1e-6);
    expect(fresh?.stock_ms).toBeNull();
    expect(fresh?.speedup).toBeNull();
    expect(disposed).toEqual(['fwd', 'new']);
    expect(progress).toEqual(['fake_fwd [1]', 'fake_new [2]', 'done']);
    expect(geomeanSpeedup(rows)).toBeCloseTo(fwd?.speedup ?? 0, 9);
  });
});
