// Actions of the Visualise panel (main thread): run the explain job (maps or predict-only for the webcam) and
// report failures to the error center; results stay in the panel's own state.
import type { ExplainResult, ExplainSpec } from '../shared/protocol.ts';
import { reportError, requireClient } from './actions.ts';

export async function runExplain(
  spec: Omit<ExplainSpec, 'kind'>,
  quiet = false,
): Promise<ExplainResult | null> {
  try {
    return await requireClient().startJob({ kind: 'explain', ...spec }).result;
  } catch (error) {
    if (!quiet) reportError(error);
    return null;
  }
}
