// Stored training runs (compute worker): summaries for `tubelet runs` and the Finetune panel, a run's record
// history from its last checkpoint, and checkpoint deletion on request (the last checkpoint stays for Resume).
import type { CheckpointStore, RunRecord } from '../data/store/checkpointStore.ts';
import { TubeletError } from '../shared/errors.ts';
import { totalEpochs } from '../shared/multigridConfig.ts';
import { throughputKey } from '../shared/trainConfig.ts';
import type { EpochRecord, StepRecord, StoredRunSummary, TrainRecord } from '../shared/training.ts';
import { parseCheckpointMeta } from '../train/checkpoint.ts';
import { importTrainConfig } from '../train/config.ts';

async function lastHistory(store: CheckpointStore, run: RunRecord): Promise<readonly TrainRecord[]> {
  if (!run.lastCheckpoint) return [];
  const header = (await store.listCheckpoints(run.id)).find((c) => c.id === run.lastCheckpoint);
  return header ? parseCheckpointMeta(header.meta).trainer.history : [];
}

function shapeOf(config: string): { epochs: number; clipsPerStep: number; throughputKey: string } {
  try {
    const c = importTrainConfig(config);
    return {
      epochs: totalEpochs(c),
      clipsPerStep: c.batchSize * c.gradAccumSteps,
      throughputKey: throughputKey(c),
    };
  } catch {
    return { epochs: 0, clipsPerStep: 0, throughputKey: '' };
  }
}

export async function summariseRun(store: CheckpointStore, run: RunRecord): Promise<StoredRunSummary> {
  const headers = await store.listCheckpoints(run.id);
  const history = await lastHistory(store, run);
  const epochs = history.filter((r): r is EpochRecord => r.type === 'epoch');
  const vals = epochs.flatMap((e) => (e.val ? [e.val.top1] : []));
  const steps = history.filter((r): r is StepRecord => r.type === 'step' && r.clipsPerSec > 0);
  const keep = new Set([run.lastCheckpoint, ...run.best.map((b) => b.id)]);
  const best = [...vals, ...run.best.map((b) => b.metric)];
  return {
    run: run.id,
    name: run.name,
    status: run.status,
    epochs_done: epochs.length,
    ...shapeOf(run.config),
    best_val_top1: best.length > 0 ? Math.max(...best) : null,
    final_val_top1: vals[vals.length - 1] ?? null,
    checkpoint: run.lastCheckpoint,
    clipsPerSec: steps.length > 0 ? steps.reduce((a, r) => a + r.clipsPerSec, 0) / steps.length : null,
    model: run.model,
    dataset: run.dataset,
    updatedAt: run.updatedAt,
    checkpoints: headers.length,
    checkpointBytes: headers.reduce((a, c) => a + c.bytes, 0),
    prunable: headers.filter((c) => !keep.has(c.id)).length,
  };
}

/** Every stored run, most recently updated first. */
export async function listRunSummaries(store: CheckpointStore): Promise<StoredRunSummary[]> {
  const runs = await store.listRuns();
  return Promise.all(runs.map((r) => summariseRun(store, r)));
}

async function requireRun(store: CheckpointStore, id: string): Promise<RunRecord> {
  const run = await store.getRun(id);
  if (!run)
    throw new TubeletError('INVALID_ARGUMENT', `no training run '${id}'`, {
      hint: 'List runs with `tubelet runs`.',
    });
  return run;
}

export async function runHistory(store: CheckpointStore, id: string): Promise<readonly TrainRecord[]> {
  return lastHistory(store, await requireRun(store, id));
}

/** Deletes checkpoints outside `keep` ('none' deletes the run itself); returns how many were deleted. */
export async function pruneRun(
  store: CheckpointStore,
  id: string,
  keep: 'best-and-last' | 'last' | 'none',
): Promise<{ run: string; deleted: number }> {
  const run = await requireRun(store, id);
  const headers = await store.listCheckpoints(id);
  if (keep === 'none') {
    await store.deleteRun(id);
    return { run: id, deleted: headers.length };
  }
  const kept = new Set([run.lastCheckpoint, ...(keep === 'last' ? [] : run.best.map((b) => b.id))]);
  const doomed = headers.filter((c) => !kept.has(c.id));
  for (const c of doomed) await store.deleteCheckpoint(c.id);
  return { run: id, deleted: doomed.length };
}
