// Main-thread side of the worker boundary: starts the compute worker, wraps its API, turns thrown
// SerializedErrors back into TubeletErrors, and runs jobs with ids, progress callbacks and cancellation.
import * as Comlink from 'comlink';
import { deserializeError, TubeletError } from '../shared/errors.ts';
import type {
  DoctorReport,
  InitResult,
  JobEvent,
  JobResults,
  JobSpec,
  SystemEvent,
  WorkerApi,
} from '../shared/protocol.ts';

export interface JobHandle<T> {
  readonly id: string;
  readonly result: Promise<T>;
  cancel(): Promise<boolean>;
}

export interface TubeletClient {
  init(): Promise<InitResult>;
  doctor(): Promise<DoctorReport>;
  startJob<S extends JobSpec>(spec: S, onEvent?: (event: JobEvent) => void): JobHandle<JobResults[S['kind']]>;
  /** Cancels a job by id; false when no such job runs. */
  cancelJob(jobId: string): Promise<boolean>;
  onSystemEvent(listener: (event: SystemEvent) => void): () => void;
  terminate(): void;
}

async function rehydrate<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw error instanceof TubeletError ? error : deserializeError(error);
  }
}

let jobCounter = 0;
function newJobId(kind: string): string {
  jobCounter += 1;
  const random = Math.random().toString(36).slice(2, 8);
  return `${kind}-${Date.now().toString(36)}-${jobCounter}-${random}`;
}

/** What the client needs of a worker: a comlink endpoint that can be terminated (a Worker, or a port in tests). */
export type WorkerLike = Comlink.Endpoint & { terminate(): void };

export function createClient(worker: WorkerLike = createComputeWorker()): TubeletClient {
  const api = Comlink.wrap<WorkerApi>(worker);
  const listeners = new Set<(event: SystemEvent) => void>();
  const broadcast = (event: SystemEvent): void => {
    for (const listener of listeners) listener(event);
  };
  void api.onSystemEvent(Comlink.proxy(broadcast));
  worker.addEventListener('error', (event) => {
    const message = event instanceof ErrorEvent ? event.message : '';
    broadcast({
      type: 'gpu-error',
      error: {
        code: 'WORKER_CRASHED',
        message: `The compute worker failed: ${message || 'unknown error'}`,
        hint: 'Reload the page; saved datasets and checkpoints are kept.',
      },
    });
  });

  return {
    init: () => rehydrate(api.init()),
    doctor: () => rehydrate(api.doctor()),
    startJob: <S extends JobSpec>(spec: S, onEvent?: (event: JobEvent) => void) => {
      const id = newJobId(spec.kind);
      const callback = Comlink.proxy((event: JobEvent) => onEvent?.(event));
      const result = rehydrate(api.runJob(id, spec, callback) as Promise<JobResults[S['kind']]>);
      return { id, result, cancel: () => rehydrate(api.cancelJob(id)) };
    },
    cancelJob: (jobId) => rehydrate(api.cancelJob(jobId)),
    onSystemEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    terminate: () => {
      worker.terminate();
    },
  };
}

export function createComputeWorker(): Worker {
  return new Worker(new URL('../worker/entry.ts', import.meta.url), {
    type: 'module',
    name: 'tubelet-compute',
  });
}
