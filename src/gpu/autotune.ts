// Per-device autotuning (wherever the GPUDevice lives): times a kernel's candidate configurations for a shape
// class once per adapter, keeps the winner in memory and in a persistent TuneStore (IndexedDB in the studio).
// The stock kernel a tuned kernel replaces is one of its candidates, so a tuned choice is never slower than it.
import type { GpuInfo } from '../shared/protocol.ts';

export interface TunedConfig {
  /** JSON of the winning configuration. */
  readonly config: string;
  readonly medianMs: number;
}

export interface TuneRecord extends TunedConfig {
  readonly adapterKey: string;
  readonly kernel: string;
  readonly shapeClass: string;
  readonly candidates: number;
}

/** Where winners persist; injected by the worker (gpu/ must not know about IndexedDB). */
export interface TuneStore {
  get(key: string): Promise<TunedConfig | undefined>;
  set(key: string, record: TuneRecord): Promise<void>;
  /** Forgets every winner of one adapter; returns how many were removed. */
  clear(adapterKey: string): Promise<number>;
}

export interface TuneRequest<C> {
  readonly kernel: string;
  readonly shapeClass: string;
  readonly candidates: readonly C[];
  /**
   * The candidate that runs the stock kernel ours replace (e.g. TF.js's own). When given it must be among
   * `candidates`: it is timed like the others, so the winner is never one measured slower than stock.
   */
  readonly baseline?: C;
  /** Encodes and submits one run of the kernel with config `c`; may return a cleanup for its buffers. */
  readonly run: (c: C) => (() => void) | undefined;
}

export interface TuneOptions {
  readonly warmup?: number;
  readonly reps?: number;
}

/** A stable key naming the adapter, so winners are kept per GPU and driver. */
export function adapterKey(
  info: Pick<GpuInfo, 'vendor' | 'architecture' | 'device' | 'description'>,
): string {
  return [info.vendor, info.architecture, info.device, info.description].map((s) => s || '?').join('/');
}

/** A short stable hash (FNV-1a, 32 bit) of a candidate set: winners persist per set, not per shape class alone. */
export function candidateSetKey(candidates: readonly unknown[]): string {
  let h = 0x811c9dc5;
  for (const ch of JSON.stringify(candidates)) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.POSITIVE_INFINITY;
};

function checkBaseline<C>(request: TuneRequest<C>): void {
  if (request.baseline === undefined) return;
  const json = JSON.stringify(request.baseline);
  if (!request.candidates.some((c) => JSON.stringify(c) === json)) {
    throw new Error(`autotune: the stock baseline of ${request.kernel} is not among its candidates`);
  }
}

export class Autotuner {
  private readonly winners = new Map<string, string>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly device: GPUDevice,
    readonly adapter: string,
    private readonly store: TuneStore | null,
    private readonly options: TuneOptions = {},
  ) {}

  /**
   * Where a winner is kept (memory and store): per adapter, kernel, shape class and candidate set, so a winner
   * picked from an older set (one without the stock kernel, or with other tiles) is measured again, not reused.
   */
  storeKey(kernel: string, shapeClass: string, candidates: readonly unknown[]): string {
    return `${this.adapter}|${kernel}|${shapeClass}|${candidateSetKey(candidates)}`;
  }

  /** The known winner for a shape class and today's candidates. Synchronous. */
  cached<C>(kernel: string, shapeClass: string, candidates: readonly C[]): C | undefined {
    const json = this.winners.get(this.storeKey(kernel, shapeClass, candidates));
    return json === undefined ? undefined : candidates.find((c) => JSON.stringify(c) === json);
  }

  /** Returns the winner: from memory, the store, or by measuring every candidate now. */
  async tune<C>(request: TuneRequest<C>): Promise<C> {
    checkBaseline(request);
    const key = this.storeKey(request.kernel, request.shapeClass, request.candidates);
    const known = this.cached(request.kernel, request.shapeClass, request.candidates);
    if (known !== undefined) return known;
    let work = this.pending.get(key);
    if (!work) {
      work = this.load(key, request).finally(() => this.pending.delete(key));
      this.pending.set(key, work);
    }
    const json = await work;
    this.winners.set(key, json);
    const winner = request.candidates.find((c) => JSON.stringify(c) === json);
    if (winner === undefined) throw new Error(`autotune: no candidate of ${request.kernel} ran`);
    return winner;
  }

  /** For synchronous callers (TF.js kernels): the winner if known, else `fallback` while tuning runs later. */
  choose<C>(request: TuneRequest<C>, fallback: C): C {
    const known = this.cached(request.kernel, request.shapeClass, request.candidates);
    if (known !== undefined) return known;
    checkBaseline(request);
    if (!this.pending.has(this.storeKey(request.kernel, request.shapeClass, request.candidates))) {
      setTimeout(() => {
        this.tune(request).catch(() => undefined);
      }, 0);
    }
    return fallback;
  }

  private async load<C>(key: string, request: TuneRequest<C>): Promise<string> {
    const jsons = request.candidates.map((c) => JSON.stringify(c));
    const stored = await this.store?.get(key).catch(() => undefined);
    if (stored && jsons.includes(stored.config)) return stored.config;
    const { best, ms } = await this.measure(request);
    const config = JSON.stringify(best);
    await this.store
      ?.set(key, {
        adapterKey: this.adapter,
        kernel: request.kernel,
        shapeClass: request.shapeClass,
        config,
        medianMs: ms,
        candidates: request.candidates.length,
      })
      .catch(() => undefined);
    return config;
  }

  /** Times every candidate (after warm-up); candidates that fail validation are skipped. */
  async measure<C>(request: TuneRequest<C>): Promise<{ best: C; ms: number; timings: number[] }> {
    const warmup = this.options.warmup ?? 1;
    const reps = this.options.reps ?? 3;
    const timings: number[] = [];
    let best: C | undefined;
    let bestMs = Number.POSITIVE_INFINITY;
    for (const candidate of request.candidates) {
      const ms = await this.time(() => request.run(candidate), warmup, reps);
      timings.push(ms);
      if (ms < bestMs) {
        bestMs = ms;
        best = candidate;
      }
    }
    if (best === undefined) throw new Error(`autotune: every candidate of ${request.kernel} failed`);
    return { best, ms: bestMs, timings };
  }

  private async time(run: () => (() => void) | undefined, warmup: number, reps: number): Promise<number> {
    const samples: number[] = [];
    for (let i = 0; i < warmup + reps; i++) {
      this.device.pushErrorScope('validation');
      this.device.pushErrorScope('out-of-memory');
      const t0 = performance.now();
      let cleanup: (() => void) | undefined;
      try {
        cleanup = run();
        await this.device.queue.onSubmittedWorkDone();
      } catch {
        await this.device.popErrorScope();
        await this.device.popErrorScope();
        return Number.POSITIVE_INFINITY;
      }
      const elapsed = performance.now() - t0;
      cleanup?.();
      const [oom, invalid] = [await this.device.popErrorScope(), await this.device.popErrorScope()];
      if (oom || invalid) return Number.POSITIVE_INFINITY;
      if (i >= warmup) samples.push(elapsed);
    }
    return median(samples);
  }
}
