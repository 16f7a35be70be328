// Actions of the Evaluate panel (main thread): start / cancel an eval job with per-video progress streamed into
// the store, and list the stored evaluations.
import type { EvalSpec, JobEvent } from '../shared/protocol.ts';
import { reportError, requireClient } from './actions.ts';
import type { EvaluateSlice } from './evaluateSlice.ts';
import { studioStore } from './store.ts';

const setEvaluate = (patch: Partial<EvaluateSlice['evaluate']>): void => {
  studioStore.setState((s) => ({ evaluate: { ...s.evaluate, ...patch } }));
};

export async function refreshEvals(): Promise<void> {
  try {
    setEvaluate({ past: [...(await requireClient().startJob({ kind: 'list-evals' }).result)] });
  } catch (error) {
    reportError(error);
  }
}

export async function startEvaluation(spec: Omit<EvalSpec, 'kind'>): Promise<void> {
  if (studioStore.getState().evaluate.jobId !== null) return;
  const onEvent = (e: JobEvent): void => {
    if (e.type !== 'progress' || e.stage !== 'videos') return;
    const { startDone } = studioStore.getState().evaluate;
    setEvaluate({
      done: e.done,
      total: e.total,
      ...(startDone < 0 ? { startDone: e.done, startedAt: Date.now() } : {}),
    });
  };
  const job = requireClient().startJob({ kind: 'eval', ...spec }, onEvent);
  setEvaluate({ jobId: job.id, startedAt: Date.now(), startDone: -1, done: 0, total: 0, result: null });
  try {
    setEvaluate({ result: await job.result });
  } catch (error) {
    reportError(error);
  } finally {
    setEvaluate({ jobId: null });
    await refreshEvals();
  }
}

export async function cancelEvaluation(): Promise<void> {
  const { jobId } = studioStore.getState().evaluate;
  if (jobId !== null) await requireClient().cancelJob(jobId);
}
