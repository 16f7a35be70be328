// The autotuner on a real adapter: it measures, picks the fastest candidate, persists and reuses winners.
import { describe, expect, it } from 'vitest';
import { acquireGpu } from './device.ts';
import { Autotuner, adapterKey, type TuneRecord, type TuneStore } from './autotune.ts';
import { uploadStorage } from './buffers.ts';
import { encodeMatmul } from './kernels/matmul/matmul.ts';

function memoryStore(): TuneStore & { records: Map<string, TuneRecord> } {
  const records = new Map<string, TuneRecord>();
  return {
    records,
    get: (key) => Promise.resolve(records.get(key)),
    set: (key, record) => {
      records.set(key, record);
      return Promise.resolve();
    },
    clear: () => {
      const n = records.size;
      records.clear();
      return Promise.resolve(n);
    },
  };
}

/** Candidates that repeat a 96³ matmul 1 or 12 times: the tuner must prefer `{ repeats: 1 }`. */
async function matmulRequest() {
  const { device } = await acquireGpu();
  const n = 96;
  const a = uploadStorage(device, 'tune:a', new Float32Array(n * n).fill(1));
  const calls = { count: 0 };
  const request = {
    kernel: 'test_matmul',
    shapeClass: 'n96',
    candidates: [{ repeats: 12 }, { repeats: 1 }] as const,
    run: (c: { repeats: number }) => {
      calls.count += 1;
      const encoder = device.createCommandEncoder();
      const outs = Array.from({ length: c.repeats }, () =>
        encodeMatmul(device, encoder, a, a, { m: n, n, k: n }),
      );
      device.queue.submit([encoder.finish()]);
      return () => {
        for (const o of outs) o.destroy();
      };
    },
  };
  return {
    device,
    request,
    calls,
    dispose: () => {
      a.destroy();
    },
  };
}

describe('Autotuner', () => {
  it('measures every candidate and keeps the fastest, persisted per adapter', async () => {
    const { device, info } = await acquireGpu();
    const store = memoryStore();
    const tuner = new Autotuner(device, adapterKey(info), store, { warmup: 1, reps: 3 });
    const { request, calls, dispose } = await matmulRequest();
    expect(await tuner.tune(request)).toEqual({ repeats: 1 });
    expect(calls.count).toBe(8); // 2 candidates × (1 warm-up + 3 reps)
    const [record] = [...store.records.values()];
    expect(record).toMatchObject({ kernel: 'test_matmul', shapeClass: 'n96', candidates: 2 });
    expect(record?.config).toBe(JSON.stringify({ repeats: 1 }));
    expect(tuner.cached('test_matmul', 'n96', request.candidates)).toEqual({ repeats: 1 });

    // A new tuner on the same adapter reuses the stored winner without measuring.
    const again = new Autotuner(device, adapterKey(info), store);
    calls.count = 0;
    expect(await again.tune(request)).toEqual({ repeats: 1 });
    expect(calls.count).toBe(0);

    // Another adapter does not see it.
    const other = new Autotuner(device, 'other/adapter', store);
    expect(other.cached('test_matmul', 'n96', request.candidates)).toBeUndefined();
    dispose();
  });

  it('shares one measurement between concurrent callers and falls back synchronously', async () => {
    const { device, info } = await acquireGpu();
    const tuner = new Autotuner(device, adapterKey(info), null, { warmup: 0, reps: 1 });
    const { request, calls, dispose } = await matmulRequest();
    expect(tuner.choose(request, request.candidates[0])).toEqual({ repeats: 12 }); // fallback, tuning starts
    const [x, y] = await Promise.all([tuner.tune(request), tuner.tune(request)]);
    expect(x).toEqual({ repeats: 1 });
    expect(y).toEqual({ repeats: 1 });
    expect(calls.count).toBe(2);
    expect(tuner.choose(request, request.candidates[0])).toEqual({ repeats: 1 });
    dispose();
  });

  it('skips a candidate that fails validation', async () => {
    const { device, info } = await acquireGpu();
    const tuner = new Autotuner(device, adapterKey(info), null, { warmup: 0, reps: 1 });
    const best = await tuner.tune({
      kernel: 'broken',
      shapeClass: 'x',
      candidates: ['bad', 'good'],
      run: (c) => {
        // 'bad' asks for an invalid buffer usage combination: a validation error, not a crash.
        const usage = c === 'bad' ? GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE : GPUBufferUsage.STORAGE;
        const b = device.createBuffer({ size: 16, usage });
        device.queue.submit([]);
        return () => {
          b.destroy();
        };
      },
    });
    expect(best).toBe('good');
  });
});
