// Job bookkeeping in the compute worker: ids, cancellation and progress reporting for long work.
import { TubeletError } from '../shared/errors.ts';
import type { JobEvent, JobKind } from '../shared/protocol.ts';

export interface JobContext {
  readonly id: string;
  readonly signal: AbortSignal;
  /** Reports progress through a stage; `done` of `total` units. */
  progress(stage: string, done: number, total: number): void;
  log(message: string, level?: 'info' | 'warn'): void;
  /** Throws JOB_CANCELLED when the job was cancelled; call between units of work. */
  checkpoint(): void;
}

const running = new Map<string, AbortController>();

export function cancelJob(id: string): boolean {
  const controller = running.get(id);
  if (!controller) return false;
  controller.abort();
  return true;
}

export function runningJobs(): string[] {
  return [...running.keys()];
}

/** Runs `body` as job `id`, streaming events to `emit`; the job is forgotten when it settles. */
export async function runJob<T>(
  id: string,
  kind: JobKind,
  emit: (event: JobEvent) => void,
  body: (job: JobContext) => Promise<T>,
): Promise<T> {
  if (!id || typeof id !== 'string')
    throw new TubeletError('INVALID_ARGUMENT', 'A job needs a non-empty string id.');
  if (running.has(id))
    throw new TubeletError('INVALID_ARGUMENT', `A job with id '${id}' is already running.`);
  const controller = new AbortController();
  running.set(id, controller);
  const job: JobContext = {
    id,
    signal: controller.signal,
    progress: (stage, done, total) => {
      emit({ type: 'progress', jobId: id, stage, done, total });
    },
    log: (message, level = 'info') => {
      emit({ type: 'log', jobId: id, level, message });
    },
    checkpoint: () => {
      if (controller.signal.aborted) throw new TubeletError('JOB_CANCELLED', `Job ${id} was cancelled.`);
    },
  };
  try {
    emit({ type: 'started', jobId: id, kind });
    return await body(job);
  } finally {
    running.delete(id);
  }
}
