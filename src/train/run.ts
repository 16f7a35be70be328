// A training run with persistence (compute worker): creates or resumes a run record, drives the Trainer, writes a
// checkpoint every `checkpoint.everySteps` steps and at each epoch end (best-k by val top-1), and summarises.
// Interruptions from outside the run (lost GPU device, storage full) leave it 'stopped' and resumable from its
// last complete checkpoint; other errors mark it 'failed' (its checkpoints stay).
import type { CheckpointStore, RunRecord } from '../data/store/checkpointStore.ts';
import { TubeletError } from '../shared/errors.ts';
import { captureCheckpoint, parseCheckpointMeta, restoreCheckpoint } from './checkpoint.ts';
import { exportTrainConfig, importTrainConfig, type TrainConfig } from './config.ts';
import type { RunSummary, StepRecord, TrainRecord } from './events.ts';
import { INTERRUPTION_CODES } from '../shared/training.ts';

export type { RunSummary };
import { Trainer } from './loop.ts';
import type { ClipSource, VideoModel } from './types.ts';

export interface RunHooks {
  /** Every step and epoch record, in order. */
  readonly onRecord?: (r: TrainRecord) => void | Promise<void>;
  /** Asked after every step; true stops the run (status 'stopped', resumable from the last checkpoint). */
  readonly shouldStop?: () => boolean;
}

const isInterruption = (e: unknown): boolean =>
  e instanceof TubeletError && INTERRUPTION_CODES.includes(e.code);

export class TrainingRun {
  private lastCheckpoint: string | null;
  private halted: TubeletError | null = null;

  private constructor(
    readonly id: string,
    readonly trainer: Trainer,
    private readonly store: CheckpointStore,
    lastCheckpoint: string | null,
  ) {
    this.lastCheckpoint = lastCheckpoint;
  }

  /** A new run record for `config` (ids: `<name>-<time>-<random>` unless given). */
  static async create(
    store: CheckpointStore,
    config: TrainConfig,
    model: VideoModel,
    source: ClipSource,
    id = `${config.name}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`,
  ): Promise<TrainingRun> {
    const trainer = new Trainer(config, model, source);
    const now = Date.now();
    const run: RunRecord = {
      id,
      name: config.name,
      model: config.model,
      dataset: config.dataset,
      config: exportTrainConfig(config),
      createdAt: now,
      updatedAt: now,
      status: 'running',
      lastCheckpoint: null,
      best: [],
    };
    await store.putRun(run);
    return new TrainingRun(id, trainer, store, null);
  }

  /** Re-opens run `id` from its last complete checkpoint (or its start when it has none). */
  static async resume(
    store: CheckpointStore,
    id: string,
    model: VideoModel,
    source: ClipSource,
  ): Promise<TrainingRun> {
    const run = await store.getRun(id);
    if (!run)
      throw new TubeletError('INVALID_ARGUMENT', `no training run '${id}'`, {
        hint: 'List runs with `tubelet runs`.',
      });
    await store.sweepOrphans();
    const trainer = new Trainer(importTrainConfig(run.config), model, source);
    if (run.lastCheckpoint) {
      const { record, data } = await store.loadCheckpoint(run.lastCheckpoint);
      restoreCheckpoint(trainer, { meta: parseCheckpointMeta(record.meta), data });
    }
    await store.setRunStatus(id, 'running');
    return new TrainingRun(id, trainer, store, run.lastCheckpoint);
  }

  /**
   * Stops the run from outside (its GPU device is gone): no step or checkpoint starts after this, and the run is
   * 'stopped', resumable from its last checkpoint. The loop, if it is still waiting on the GPU, ends with `reason`.
   */
  async halt(reason: TubeletError): Promise<void> {
    this.halted = reason;
    await this.store.setRunStatus(this.id, 'stopped');
  }

  private assertRunning(): void {
    if (this.halted) throw this.halted;
  }

  /** Writes a checkpoint now (metric: val top-1 for best-k, or null). */
  async checkpoint(metric: number | null): Promise<string> {
    this.assertRunning();
    const payload = await captureCheckpoint(this.trainer);
    this.assertRunning(); // read back from a device that was lost meanwhile: not a checkpoint to keep
    const { epoch, globalStep } = this.trainer.position;
    this.lastCheckpoint = await this.store.saveCheckpoint({
      runId: this.id,
      epoch,
      step: globalStep,
      metric,
      meta: JSON.stringify(payload.meta),
      data: payload.data,
      keepBest: this.trainer.config.checkpoint.keepBest,
    });
    return this.lastCheckpoint;
  }

  /** Trains until the last epoch or until `shouldStop`; errors mark the run failed or stopped (see above). */
  async train(hooks: RunHooks = {}): Promise<RunSummary> {
    const t = this.trainer;
    const every = t.config.checkpoint.everySteps;
    try {
      while (!t.done) {
        this.assertRunning();
        const step = await t.step();
        await hooks.onRecord?.(step);
        if (t.epochFinished) {
          const epoch = await t.endEpoch();
          await hooks.onRecord?.(epoch);
          await this.checkpoint(epoch.val?.top1 ?? null);
        } else if (every > 0 && step.step % every === 0) {
          await this.checkpoint(null);
        }
        if (hooks.shouldStop?.() && !this.trainer.done) {
          await this.store.setRunStatus(this.id, 'stopped');
          return this.summary();
        }
      }
    } catch (e) {
      if (this.halted) throw this.halted;
      const status = isInterruption(e) ? 'stopped' : 'failed';
      await this.store.setRunStatus(this.id, status).catch(() => undefined);
      throw e;
    }
    await this.store.setRunStatus(this.id, 'finished');
    return this.summary();
  }

  summary(): RunSummary {
    const records = this.trainer.records;
    const vals = records.flatMap((r) => (r.type === 'epoch' && r.val ? [r.val.top1] : []));
    const steps = records.filter((r): r is StepRecord => r.type === 'step');
    const epochs = records.filter((r) => r.type === 'epoch').length;
    return {
      run: this.id,
      epochs,
      best_val_top1: vals.length ? Math.max(...vals) : null,
      final_val_top1: vals[vals.length - 1] ?? null,
      clips_per_s: steps.length ? steps.reduce((a, s) => a + s.clipsPerSec, 0) / steps.length : 0,
      checkpoint: this.lastCheckpoint,
    };
  }

  dispose(): void {
    this.trainer.dispose();
  }
}
