// Kernel benchmark harness (compute worker or Node): warms up, times median wall-clock per case for our
// kernel and the stock one, measures parity, and reports rows for `tubelet bench kernels`.
import type { BenchRow } from '../shared/protocol.ts';

export interface PreparedCase {
  /** Enqueues one run of our kernel (the harness waits for the GPU to finish). */
  readonly ours: () => void;
  /** Enqueues one run of the stock kernel, or null when there is none to compare with. */
  readonly stock: (() => void) | null;
  /** max |ours − reference| for this case. */
  readonly maxError: () => Promise<number>;
  readonly dispose: () => void;
}

export interface BenchCase {
  readonly op: string;
  readonly shape: string;
  readonly flops: number;
  readonly prepare: () => Promise<PreparedCase>;
}

export interface HarnessOptions {
  readonly warmup: number;
  readonly reps: number;
  /** Resolves when every kernel enqueued so far has finished on the GPU. */
  readonly sync: () => Promise<void>;
  readonly onCase?: (index: number, total: number, label: string) => void;
  readonly checkpoint?: () => void;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? Number.NaN) + (s[mid] ?? Number.NaN)) / 2;
}

export async function timeRuns(run: () => void, options: HarnessOptions): Promise<number> {
  await options.sync();
  for (let i = 0; i < options.warmup; i++) {
    run();
    await options.sync();
  }
  const samples: number[] = [];
  for (let i = 0; i < options.reps; i++) {
    options.checkpoint?.();
    const t0 = performance.now();
    run();
    await options.sync();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

export async function runBench(cases: readonly BenchCase[], options: HarnessOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [index, c] of cases.entries()) {
    options.onCase?.(index, cases.length, `${c.op} ${c.shape}`);
    const prepared = await c.prepare();
    try {
      const oursMs = await timeRuns(prepared.ours, options);
      const stockMs = prepared.stock ? await timeRuns(prepared.stock, options) : null;
      rows.push({
        op: c.op,
        shape: c.shape,
        ours_ms: round(oursMs, 3),
        stock_ms: stockMs === null ? null : round(stockMs, 3),
        speedup: stockMs === null ? null : round(stockMs / oursMs, 2),
        gflops: round(c.flops / (oursMs * 1e6), 3),
        max_err: await prepared.maxError(),
      });
    } finally {
      prepared.dispose();
    }
  }
  options.onCase?.(cases.length, cases.length, 'done');
  return rows;
}

/** Geometric mean of the speed-ups of rows that have one. */
export function geomeanSpeedup(rows: readonly BenchRow[]): number | null {
  const s = rows.map((r) => r.speedup).filter((x): x is number => x !== null && x > 0);
  return s.length ? Math.exp(s.reduce((acc, x) => acc + Math.log(x), 0) / s.length) : null;
}

const round = (x: number, digits: number): number => Number(x.toPrecision(digits + 2));
