// Action of the Evaluate panel's zero-shot section (main thread): runs the zeroshot job, streaming its per-video
// progress to a callback; errors go to the studio's error list.
import type { JobEvent, ZeroShotResult, ZeroShotSpec } from '../shared/protocol.ts';
import { reportError, requireClient } from './actions.ts';

export async function runZeroShot(
  spec: Omit<ZeroShotSpec, 'kind'>,
  onProgress: (done: number, total: number) => void,
): Promise<ZeroShotResult | null> {
  const onEvent = (e: JobEvent): void => {
    if (e.type === 'progress' && e.stage === 'videos') onProgress(e.done, e.total);
  };
  try {
    return await requireClient().startJob({ kind: 'zeroshot', ...spec }, onEvent).result;
  } catch (error) {
    reportError(error);
    return null;
  }
}
