// The worker boundary over a real MessageChannel: coded errors, job progress, cancellation and transfers.
import { afterEach, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { serializeError, TubeletError } from '../shared/errors.ts';
import type { JobEvent, JobResults, JobSpec, SelfTestResult, WorkerApi } from '../shared/protocol.ts';
import { createClient, type TubeletClient } from './workerClient.ts';

const fakeResult = (sample: Float32Array): SelfTestResult => ({
  ok: true,
  kernel: 'fake',
  shape: { m: 1, n: 1, k: 1 },
  seed: 1,
  maxAbsError: 0,
  tolerance: 1e-5,
  tfMaxAbsError: 0,
  gpuMs: 0,
  cpuMs: 0,
  sample,
});

let transferredFrom: Float32Array | null = null;

const cancelled = new Set<string>();

/** A WorkerApi whose init fails like a browser without GPU, and whose jobs step until cancelled. */
const fakeApi: WorkerApi = {
  init: () => {
    throw serializeError(new TubeletError('ADAPTER_NOT_FOUND', 'no adapter', { hint: 'h' }));
  },
  doctor: () => {
    throw serializeError(new RangeError('boom'));
  },
  runJob: async <S extends JobSpec>(jobId: string, spec: S, onEvent: (event: JobEvent) => void) => {
    if (spec.kind !== 'selftest')
      throw serializeError(new TubeletError('INVALID_ARGUMENT', 'fake runs selftest only'));
    onEvent({ type: 'started', jobId, kind: spec.kind });
    for (let i = 0; i < spec.m; i++) {
      if (cancelled.delete(jobId)) {
        throw serializeError(new TubeletError('JOB_CANCELLED', `Job ${jobId} was cancelled.`));
      }
      onEvent({ type: 'progress', jobId, stage: 'step', done: i + 1, total: spec.m });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    transferredFrom = new Float32Array([1, 2, 3]);
    return Comlink.transfer(fakeResult(transferredFrom), [transferredFrom.buffer]) as JobResults[S['kind']];
  },
  cancelJob: (jobId) => {
    const known = jobId.startsWith('selftest-') && !cancelled.has(jobId);
    if (known) cancelled.add(jobId);
    return Promise.resolve(known);
  },
  onSystemEvent: () => Promise.resolve(),
};

let client: TubeletClient | null = null;

function connect(): TubeletClient {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(fakeApi, port1);
  const endpoint: Comlink.Endpoint = port2;
  client = createClient({
    postMessage: (message, transfer) => {
      endpoint.postMessage(message, transfer);
    },
    addEventListener: endpoint.addEventListener.bind(endpoint),
    removeEventListener: endpoint.removeEventListener.bind(endpoint),
    terminate: () => {
      port1.close();
      port2.close();
    },
  });
  return client;
}

afterEach(() => {
  client?.terminate();
  client = null;
});

describe('worker boundary', () => {
  it('rehydrates coded errors as TubeletError with code and hint', async () => {
    const c = connect();
    const error = await c.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TubeletError);
    expect((error as TubeletError).code).toBe('ADAPTER_NOT_FOUND');
    expect((error as TubeletError).hint).toBe('h');
    const internal = await c.doctor().catch((e: unknown) => e);
    expect((internal as TubeletError).code).toBe('INTERNAL');
    expect((internal as TubeletError).message).toBe('boom');
  });

  it('streams progress as a discriminated union and transfers result buffers', async () => {
    const c = connect();
    const events: JobEvent[] = [];
    const job = c.startJob({ kind: 'selftest', m: 3, n: 1, k: 1, seed: 1 }, (e) => events.push(e));
    const result = await job.result;
    expect(Array.from(result.sample)).toEqual([1, 2, 3]);
    expect(transferredFrom?.byteLength).toBe(0); // detached on the sending side: moved, not copied
    expect(events[0]).toMatchObject({ type: 'started', jobId: job.id, kind: 'selftest' });
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.map((e) => e.done)).toEqual([1, 2, 3]);
  });

  it('cancels a running job by id with JOB_CANCELLED', async () => {
    const c = connect();
    const job = c.startJob({ kind: 'selftest', m: 1000, n: 1, k: 1, seed: 1 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await job.cancel()).toBe(true);
    const error = await job.result.catch((e: unknown) => e);
    expect((error as TubeletError).code).toBe('JOB_CANCELLED');
  });
});
