// Stored-run summaries and checkpoint deletion on a scratch IndexedDB: epochs, best and final val top-1 from the
// last checkpoint's history, retention (last + best k), 'keep last only' and deleting a run.
import { afterAll, describe, expect, it } from 'vitest';
import { createCheckpointStore } from '../data/store/checkpointStore.ts';
import { deleteStudioDb } from '../data/store/db.ts';
import type { StepRecord, TrainRecord } from '../shared/training.ts';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from '../train/checkpoint.ts';
import { exportTrainConfig } from '../train/config.ts';
import { trainPreset } from '../train/presets.ts';
import { listRunSummaries, pruneRun, runHistory } from './runs.ts';

const NAME = `tubelet-runs-test-${Date.now()}`;
const store = createCheckpointStore(NAME);
const config = {
  ...trainPreset('toy-actions-r3d-tiny'),
  epochs: 3,
  checkpoint: { everySteps: 1, keepBest: 1 },
};

afterAll(async () => {
  await deleteStudioDb(NAME);
});

const step = (n: number): StepRecord => ({
  type: 'step',
  epoch: n - 1,
  step: n,
  loss: 1,
  lr: 0.1,
  gradNorm: 1,
  clipsPerSec: 2 * n,
  readMs: 1,
  forwardMs: 1,
  backwardMs: 1,
  optimizerMs: 1,
});
const epoch = (e: number, top1: number): TrainRecord => ({
  type: 'epoch',
  epoch: e,
  steps: 1,
  trainLoss: 1,
  val: { count: 4, top1, top5: 1, meanClassAccuracy: top1, loss: 1 },
  seconds: 1,
});

async function checkpoint(history: TrainRecord[], metric: number | null): Promise<string> {
  const meta = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    model: 'm',
    config,
    trainer: { epoch: 0, stepInEpoch: 0, globalStep: 0, order: [], rng: [1, 2, 3, 4], history },
    optimizer: { kind: 'adamw', step: 0 },
    tensors: [],
  };
  return store.saveCheckpoint({
    runId: 'r1',
    epoch: 0,
    step: history.length,
    metric,
    meta: JSON.stringify(meta),
    data: new Float32Array(4),
    keepBest: 1,
  });
}

describe('stored runs', () => {
  it('summarises, keeps last and best, deletes on request', async () => {
    await store.putRun({
      id: 'r1',
      name: config.name,
      model: config.model,
      dataset: config.dataset,
      config: exportTrainConfig(config),
      createdAt: 1,
      updatedAt: 1,
      status: 'stopped',
      lastCheckpoint: null,
      best: [],
    });
    const h1: TrainRecord[] = [step(1), epoch(0, 0.5)];
    const best = await checkpoint(h1, 0.5);
    const h2: TrainRecord[] = [...h1, step(2), epoch(1, 0.25)];
    await checkpoint(h2, 0.25); // neither best nor (after the next) last: retention drops it
    const h3: TrainRecord[] = [...h2, step(3)];
    const last = await checkpoint(h3, null);
    const [s] = await listRunSummaries(store);
    expect(s).toMatchObject({
      run: 'r1',
      status: 'stopped',
      epochs_done: 2,
      epochs: 3,
      best_val_top1: 0.5,
      final_val_top1: 0.25,
      checkpoint: last,
      clipsPerStep: config.batchSize,
      clipsPerSec: 4,
      checkpoints: 2,
      prunable: 0,
    });
    expect(await runHistory(store, 'r1')).toEqual(h3);
    expect(await pruneRun(store, 'r1', 'best-and-last')).toEqual({ run: 'r1', deleted: 0 });
    expect(await pruneRun(store, 'r1', 'last')).toEqual({ run: 'r1', deleted: 1 });
    expect((await store.listCheckpoints('r1')).map((c) => c.id)).toEqual([last]);
    expect(best).not.toBe(last);
    expect(await pruneRun(store, 'r1', 'none')).toEqual({ run: 'r1', deleted: 1 });
    expect(await listRunSummaries(store)).toEqual([]);
    await expect(runHistory(store, 'r1')).rejects.toThrow(/no training run 'r1'/);
  });
});
