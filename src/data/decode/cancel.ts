// Cancellation for ingest work (any thread): turns an aborted AbortSignal into the studio's JOB_CANCELLED error.
import { TubeletError } from '../../shared/errors.ts';

export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new TubeletError('JOB_CANCELLED', `${what} was cancelled.`);
}
