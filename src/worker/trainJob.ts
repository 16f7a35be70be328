// The `train` job (compute worker): builds or resumes a TrainingRun, streams every step/epoch record as a
// `train-record` event plus step progress, and stops resumably on cancel. Models and clip sources come through
// TrainResolvers, which the model zoo and the dataset store register at worker start.
import type { CheckpointStore } from '../data/store/checkpointStore.ts';
import { TubeletError } from '../shared/errors.ts';
import type { JobEvent, TrainSpec } from '../shared/protocol.ts';
import type { RunSummary } from '../shared/training.ts';
import { parseTrainConfig, type TrainConfig } from '../train/config.ts';
import { DEFAULT_PRESET, trainPreset } from '../train/presets.ts';
import { TrainingRun } from '../train/run.ts';
import type { ClipSource, VideoModel } from '../train/types.ts';
import type { JobContext } from './jobs.ts';

export interface TrainResolvers {
  /** A freshly initialised model `name` with `numClasses` outputs, initialised from `seed`. */
  createModel(name: string, numClasses: number, seed: number): Promise<VideoModel>;
  /** The clip source of stored dataset `name`, sampling clips as `config.data` says. */
  openClipSource(name: string, config: TrainConfig): Promise<ClipSource>;
}

let registered: TrainResolvers | null = null;

/** Called once at worker start by whoever owns the model registry and the frame store. */
export function setTrainResolvers(r: TrainResolvers | null): void {
  registered = r;
}

export function trainResolvers(): TrainResolvers {
  if (!registered) {
    throw new TubeletError(
      'NOT_INITIALISED',
      'Training has no model registry or dataset store connected yet.',
      {
        hint: 'This build registers no TrainResolvers (src/worker/trainJob.ts setTrainResolvers).',
      },
    );
  }
  return registered;
}

function configOf(spec: TrainSpec): TrainConfig {
  const c =
    spec.config !== undefined ? parseTrainConfig(spec.config) : trainPreset(spec.preset ?? DEFAULT_PRESET);
  return parseTrainConfig({ ...c, model: spec.model ?? c.model, dataset: spec.dataset ?? c.dataset });
}

export async function runTrainJob(
  spec: TrainSpec,
  job: JobContext,
  emit: (event: JobEvent) => void,
  deps: { readonly resolvers: TrainResolvers; readonly store: CheckpointStore },
): Promise<RunSummary> {
  const { resolvers, store } = deps;
  let run: TrainingRun;
  let model: VideoModel;
  if (spec.resume !== undefined) {
    const record = await store.getRun(spec.resume);
    if (!record) throw new TubeletError('INVALID_ARGUMENT', `no training run '${spec.resume}'`);
    const config = parseTrainConfig(JSON.parse(record.config));
    const source = await resolvers.openClipSource(config.dataset, config);
    model = await resolvers.createModel(config.model, source.numClasses, config.seed);
    run = await TrainingRun.resume(store, spec.resume, model, source);
  } else {
    const config = configOf(spec);
    const source = await resolvers.openClipSource(config.dataset, config);
    model = await resolvers.createModel(config.model, source.numClasses, config.seed);
    run = await TrainingRun.create(store, config, model, source);
  }
  try {
    const total = run.trainer.plan.totalSteps;
    job.log(`run ${run.id}: ${run.trainer.config.name}, ${total} steps`);
    const summary = await run.train({
      onRecord: (record) => {
        emit({ type: 'train-record', jobId: job.id, run: run.id, record });
        if (record.type === 'step') job.progress('train', record.step, total);
      },
      shouldStop: () => job.signal.aborted,
    });
    if (job.signal.aborted && !run.trainer.done) {
      throw new TubeletError('JOB_CANCELLED', `Training run ${run.id} was stopped.`, {
        hint: `Resume it from its last checkpoint (${summary.checkpoint ?? 'none yet'}).`,
      });
    }
    return summary;
  } finally {
    run.dispose();
    model.dispose();
  }
}
