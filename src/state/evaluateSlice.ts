// The Evaluate panel's slice of the store (main thread): the running eval job's progress, the last result and the
// stored evaluations. Serialisable state only.
import type { EvalResult, StoredEvalSummary } from '../shared/protocol.ts';

export interface EvaluateSlice {
  evaluate: {
    jobId: string | null;
    /** Date.now() when the running (or last) evaluation started; for the ETA. */
    startedAt: number;
    /** Videos done when this attempt started (resumed ones), so the ETA counts only this attempt's rate. */
    startDone: number;
    done: number;
    total: number;
    result: EvalResult | null;
    past: StoredEvalSummary[] | null;
  };
}

export const createEvaluateSlice = (): EvaluateSlice => ({
  evaluate: { jobId: null, startedAt: 0, startDone: -1, done: 0, total: 0, result: null, past: null },
});
