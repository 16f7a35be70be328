// Actions of the Finetune panel (main thread): load presets and models, edit and import the config, start /
// stop / resume a train job with its records streamed into the store, and list or prune stored runs.
import { TubeletError, type SerializedError } from '../shared/errors.ts';
import type { JobEvent, PruneRunSpec } from '../shared/protocol.ts';
import { configProblems, showValue, throughputKey, type TrainConfig } from '../shared/trainConfig.ts';
import { INTERRUPTION_CODES, type TrainRecord } from '../shared/training.ts';
import { reportError, requireClient } from './actions.ts';
import type { FinetuneSlice } from './finetuneSlice.ts';
import { studioStore } from './store.ts';

const setFinetune = (patch: Partial<FinetuneSlice['finetune']>): void => {
  studioStore.setState((s) => ({ finetune: { ...s.finetune, ...patch } }));
};
const setTraining = (patch: Partial<FinetuneSlice['training']>): void => {
  studioStore.setState((s) => ({ training: { ...s.training, ...patch } }));
};

/** Loads the presets and model names once; the draft starts as the default preset. */
export async function loadTrainCatalog(): Promise<void> {
  if (studioStore.getState().finetune.catalog) return;
  try {
    const catalog = await requireClient().startJob({ kind: 'train-catalog' }).result;
    const preset = catalog.defaultPreset;
    setFinetune({ catalog, preset, draft: structuredClone(catalog.presets[preset]) ?? null });
  } catch (error) {
    reportError(error);
  }
}

/** Starts the draft over from preset `name`, keeping the chosen dataset. */
export function choosePreset(name: string): void {
  const { catalog, draft } = studioStore.getState().finetune;
  const preset = catalog?.presets[name];
  if (!preset) return;
  const next = structuredClone(preset);
  setFinetune({ preset: name, draft: draft ? { ...next, dataset: draft.dataset } : next });
}

export function updateDraft(draft: TrainConfig): void {
  setFinetune({ draft });
}

function invalidConfig(problems: ReturnType<typeof configProblems>): TubeletError {
  const lines = problems.map((p) => `${p.path}: ${p.message} (got ${showValue(p.value)})`);
  return new TubeletError('INVALID_ARGUMENT', `Invalid training config: ${lines.join('; ')}`, {
    hint: 'Fix the named fields, or start from a preset.',
    details: lines.join('\n'),
  });
}

/** Replaces the draft with a config JSON document; a bad document is reported and leaves the draft as it was. */
export function importConfigText(text: string): boolean {
  try {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new TubeletError('INVALID_ARGUMENT', `The config file is not JSON: ${String(cause)}`, { cause });
    }
    const problems = configProblems(value);
    if (problems.length > 0) throw invalidConfig(problems);
    setFinetune({ draft: value as TrainConfig, preset: null });
    return true;
  } catch (error) {
    reportError(error);
    return false;
  }
}

const codeOf = (e: unknown): string | undefined => (e as Partial<SerializedError> | null)?.code;
const isCancelled = (e: unknown): boolean => codeOf(e) === 'JOB_CANCELLED';

async function runTrain(
  spec: { config: TrainConfig } | { resume: string },
  clipsPerStep: number,
  key: string | null,
) {
  const onEvent = (event: JobEvent): void => {
    if (event.type === 'train-record') {
      const record: TrainRecord = event.record;
      studioStore.setState((s) => ({
        training: {
          ...s.training,
          run: event.run,
          status: s.training.status === 'stopping' ? 'stopping' : 'running',
          records: [...s.training.records, record],
        },
      }));
    } else if (event.type === 'progress' && event.stage === 'train') {
      if (studioStore.getState().training.totalSteps !== event.total)
        setTraining({ totalSteps: event.total });
    }
  };
  const job = requireClient().startJob({ kind: 'train', ...spec }, onEvent);
  setTraining({ jobId: job.id, status: 'starting', clipsPerStep, throughputKey: key, summary: null });
  try {
    const summary = await job.result;
    setTraining({ summary, run: summary.run, status: 'finished' });
  } catch (error) {
    if (isCancelled(error)) setTraining({ status: 'stopped' });
    else if (INTERRUPTION_CODES.includes(codeOf(error) ?? '')) {
      // device lost or storage full: the run stopped resumably; the error says why and how to resume
      setTraining({ status: 'stopped' });
      reportError(error);
    } else {
      setTraining({ status: 'failed' });
      reportError(error);
    }
  } finally {
    setTraining({ jobId: null });
    void refreshRuns();
  }
}

/** Starts a new run of the draft; an invalid draft is reported field by field and nothing starts. */
export async function startTraining(): Promise<void> {
  const { draft } = studioStore.getState().finetune;
  if (!draft || studioStore.getState().training.jobId) return;
  const problems = configProblems(draft);
  if (problems.length > 0) {
    reportError(invalidConfig(problems));
    return;
  }
  setTraining({ run: null, records: [], totalSteps: 0 });
  await runTrain({ config: draft }, draft.batchSize * draft.gradAccumSteps, throughputKey(draft));
}

/** Stops the running job after its current step; the run stays resumable from its last checkpoint. */
export async function stopTraining(): Promise<void> {
  const { jobId } = studioStore.getState().training;
  if (!jobId) return;
  setTraining({ status: 'stopping' });
  await requireClient().cancelJob(jobId);
}

/** Continues stored run `run` from its last checkpoint, charting its stored history first. */
export async function resumeRun(run: string): Promise<void> {
  if (studioStore.getState().training.jobId) return;
  const stored = studioStore.getState().runs?.find((r) => r.run === run);
  try {
    const history = await requireClient().startJob({ kind: 'run-history', run }).result;
    setTraining({ run, records: [...history], totalSteps: 0 });
  } catch (error) {
    reportError(error);
    return;
  }
  await runTrain({ resume: run }, stored?.clipsPerStep ?? 0, stored?.throughputKey ?? null);
}

export async function refreshRuns(): Promise<void> {
  try {
    const runs = await requireClient().startJob({ kind: 'list-runs' }).result;
    studioStore.setState({ runs: [...runs] });
  } catch (error) {
    reportError(error);
  }
}

export async function pruneRun(run: string, keep: PruneRunSpec['keep']): Promise<void> {
  try {
    await requireClient().startJob({ kind: 'prune-run', run, keep }).result;
  } catch (error) {
    reportError(error);
  }
  await refreshRuns();
}

/** Parameters, multiply-adds and conv output sizes of `model` for one clip (for the estimates). */
export function modelCost(model: string, numClasses: number, clip: readonly [number, number, number]) {
  return requireClient().startJob({ kind: 'model-cost', model, numClasses, clip }).result;
}

/** A few train clips of the draft's dataset augmented on the GPU with the draft's settings (seeded draw). */
export function augmentPreview(config: TrainConfig, clips: number, seed: number) {
  return requireClient().startJob({ kind: 'augment-preview', config, clips, seed }).result;
}
