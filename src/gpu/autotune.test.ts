// The Autotuner's choice rules without a GPU (a fake device whose queue is idle at once): the stock baseline is
// a candidate like any other, and a winner persisted from another candidate set is measured again, not reused.
import { describe, expect, it } from 'vitest';
import { Autotuner, candidateSetKey, type TuneRecord, type TuneStore, type TuneRequest } from './autotune.ts';

const fakeDevice = {
  pushErrorScope: () => undefined,
  popErrorScope: () => Promise.resolve(null),
  queue: { onSubmittedWorkDone: () => Promise.resolve() },
} as unknown as GPUDevice;

function memoryStore(): TuneStore & { records: Map<string, TuneRecord> } {
  const records = new Map<string, TuneRecord>();
  return {
    records,
    get: (key) => Promise.resolve(records.get(key)),
    set: (key, record) => {
      records.set(key, record);
      return Promise.resolve();
    },
    clear: () => Promise.resolve(0),
  };
}

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin: the candidate's "kernel time"
  }
};

type Choice = { tile: number } | 'stock';

/** Candidates whose runs take the given milliseconds; counts runs per candidate. */
function request(
  costs: ReadonlyMap<Choice, number>,
  withStock = true,
): TuneRequest<Choice> & { runs: Map<string, number> } {
  const runs = new Map<string, number>();
  const candidates = [...costs.keys()].filter((c) => withStock || c !== 'stock');
  return {
    kernel: 'k',
    shapeClass: 's',
    candidates,
    ...(withStock ? { baseline: 'stock' as const } : {}),
    runs,
    run: (c) => {
      runs.set(JSON.stringify(c), (runs.get(JSON.stringify(c)) ?? 0) + 1);
      busy(costs.get(c) ?? 0);
      return undefined;
    },
  };
}

describe('Autotuner and the stock baseline', () => {
  it('picks the stock kernel when every tile is slower, and a tile when one beats it', async () => {
    const slowTiles = new Map<Choice, number>([
      [{ tile: 1 }, 12],
      [{ tile: 2 }, 9],
      ['stock', 2],
    ]);
    const tuner = new Autotuner(fakeDevice, 'a', null, { warmup: 0, reps: 3 });
    expect(await tuner.tune(request(slowTiles))).toBe('stock');
    const fastTile = new Map<Choice, number>([
      [{ tile: 3 }, 1],
      ['stock', 8],
    ]);
    expect(await tuner.tune(request(fastTile))).toEqual({ tile: 3 });
  });

  it('refuses a baseline that is not among the candidates', async () => {
    const tuner = new Autotuner(fakeDevice, 'a', null);
    const r = { ...request(new Map<Choice, number>([[{ tile: 1 }, 0]])), baseline: 'stock' as const };
    await expect(tuner.tune(r)).rejects.toThrow(/baseline/);
  });

  it('does not reuse a winner persisted from a candidate set without stock; it measures stock too', async () => {
    const store = memoryStore();
    const costs = new Map<Choice, number>([
      [{ tile: 1 }, 10],
      ['stock', 1],
    ]);
    const old = new Autotuner(fakeDevice, 'a', store, { warmup: 0, reps: 1 });
    expect(await old.tune(request(costs, false))).toEqual({ tile: 1 });
    expect(store.records.size).toBe(1);
    const fresh = new Autotuner(fakeDevice, 'a', store, { warmup: 0, reps: 1 });
    const withStock = request(costs);
    expect(await fresh.tune(withStock)).toBe('stock');
    expect(withStock.runs.get('"stock"')).toBe(1);
    expect(store.records.size).toBe(2);
    // The same set again: the persisted stock winner is reused without timing anything.
    const again = request(costs);
    expect(await new Autotuner(fakeDevice, 'a', store).tune(again)).toBe('stock');
    expect(again.runs.size).toBe(0);
    expect(candidateSetKey([1, 2])).not.toBe(candidateSetKey([2, 1]));
  });
});
