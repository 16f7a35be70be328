// Checkpoints in a real browser's IndexedDB (scratch database): atomic visibility, best-k retention, chunked blobs,
// and resume after a stop reproducing the uninterrupted run's losses (TF.js cpu backend, test-only tiny model),
// also for multigrid runs whose steps change clip length, crop and batch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_VERSION, deleteStudioDb, openStudioDb } from '../data/store/db.ts';
import { CHUNK_BYTES, createCheckpointStore } from '../data/store/checkpointStore.ts';
import { tf } from '../models/tf.ts';
import { parseTrainConfig, type TrainConfig } from './config.ts';
import { testConfig } from './testing/baseConfig.ts';
import { TrainingRun } from './run.ts';
import { TinyVideoModel } from './testing/tinyModel.ts';
import { SyntheticClips } from './testing/syntheticClips.ts';
import { finish, lossesOf } from './testing/runLosses.ts';

const NAME = `tubelet-train-test-${Date.now()}`;
const store = createCheckpointStore(NAME);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(async () => {
  await deleteStudioDb(NAME);
});

const base = testConfig();
const CONFIG: TrainConfig = {
  ...base,
  data: { ...base.data, clipLen: 4, cropSize: 10 },
  batchSize: 4,
  epochs: 2,
  optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4 },
  mixup: { alpha: 0.8, cutmixAlpha: 1, prob: 1, switchProb: 0.5 },
  labelSmoothing: 0.1,
  checkpoint: { everySteps: 2, keepBest: 1 },
};
const source = (): SyntheticClips =>
  new SyntheticClips({ train: 12, val: 6, frames: 4, size: 12, classes: 3 });

function newRun(id: string): Promise<TrainingRun> {
  return TrainingRun.create(store, CONFIG, new TinyVideoModel(3, 1), source(), id);
}

describe('checkpoints in IndexedDB', () => {
  it('opens the schema with the runs, checkpoints and chunk stores (added at v3)', async () => {
    const db = await openStudioDb(NAME);
    expect(DB_VERSION).toBeGreaterThanOrEqual(3);
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames]).toEqual(
      expect.arrayContaining(['tuning', 'runs', 'checkpoints', 'checkpointChunks']),
    );
  });

  it('resumes after a stop at the epoch end or mid-epoch with the uninterrupted losses (≤ 1e-5)', async () => {
    const full = await newRun('full');
    const want = await lossesOf(full);
    expect(want).toHaveLength(6);
    const wantRecords = full.trainer.records;
    finish(full);

    for (const [id, stopAt, replayFrom] of [
      ['epoch-end', 3, 3], // checkpoint at the end of epoch 1
      ['mid-epoch', 5, 4], // killed after step 5: the last checkpoint is step 4's (everySteps 2), step 5 replays
    ] as const) {
      const first = await newRun(id);
      const got = await lossesOf(first, stopAt);
      expect(got).toHaveLength(stopAt);
      finish(first);
      expect((await store.getRun(id))?.status).toBe('stopped');

      const resumed = await TrainingRun.resume(store, id, new TinyVideoModel(3, 77), source());
      expect(resumed.trainer.position.globalStep).toBe(replayFrom);
      const rest = await lossesOf(resumed);
      const curve = [...got.slice(0, replayFrom), ...rest];
      expect(curve).toHaveLength(6);
      curve.forEach((l, i) => expect(Math.abs(l - (want[i] ?? NaN))).toBeLessThan(1e-5));
      const finals = (rs: typeof wantRecords): unknown[] =>
        rs.map((r) => (r.type === 'epoch' ? r.val : r.loss));
      expect(finals(resumed.trainer.records)).toEqual(finals(wantRecords));
      expect(resumed.summary()).toMatchObject({ run: id, epochs: 2 });
      expect((await store.getRun(id))?.status).toBe('finished');
      finish(resumed);
    }
  });

  it('never shows a half-written checkpoint, sweeps its chunks, and keeps the last plus best-k', async () => {
    const run = await newRun('retention');
    const a = await run.checkpoint(0.5);
    const b = await run.checkpoint(0.9);
    const c = await run.checkpoint(0.7);
    const d = await run.checkpoint(null);
    // keepBest 1: b (best) and d (last) survive
    expect((await store.listCheckpoints('retention')).map((r) => r.id).sort()).toEqual([b, d].sort());
    expect((await store.getRun('retention'))?.lastCheckpoint).toBe(d);
    expect((await store.getRun('retention'))?.best).toEqual([{ id: b, metric: 0.9 }]);
    expect([a, c]).not.toContain(d);

    // a crash between the chunks and the pointer flip: chunks exist, nothing points to them
    await store.writeChunks('retention/crashed', new Float32Array([1, 2, 3]));
    expect((await store.getRun('retention'))?.lastCheckpoint).toBe(d);
    expect((await store.listCheckpoints('retention')).map((r) => r.id)).not.toContain('retention/crashed');
    expect(await store.sweepOrphans()).toBe(1);
    expect(await store.sweepOrphans()).toBe(0);

    await expect(store.deleteCheckpoint(d)).rejects.toThrow(/last one and is kept for Resume/);
    await store.deleteCheckpoint(b);
    expect((await store.listCheckpoints('retention')).map((r) => r.id)).toEqual([d]);
    await store.deleteRun('retention');
    expect(await store.getRun('retention')).toBeUndefined();
    expect(await store.listCheckpoints('retention')).toEqual([]);
    finish(run);
  });

  it('splits large blobs into chunks and reads them back exactly', async () => {
    await store.putRun({
      id: 'big',
      name: 'big',
      model: 'm',
      dataset: 'd',
      config: '{}',
      createdAt: 0,
      updatedAt: 0,
      status: 'running',
      lastCheckpoint: null,
      best: [],
    });
    const data = new Float32Array(Math.floor((2.5 * CHUNK_BYTES) / 4));
    for (let i = 0; i < data.length; i++) data[i] = (i % 9973) * 0.5;
    const id = await store.saveCheckpoint({
      runId: 'big',
      epoch: 0,
      step: 1,
      metric: null,
      meta: '{}',
      data,
      keepBest: 1,
    });
    const back = await store.loadCheckpoint(id);
    expect(back.record.chunks).toBe(3);
    expect(back.data.length).toBe(data.length);
    expect(back.data[data.length - 1]).toBe(data[data.length - 1]);
    expect(back.data.every((v, i) => v === data[i])).toBe(true);
    await store.deleteRun('big');
    expect(await store.sweepOrphans()).toBe(0);
  });
});

// 4 × 12² clips, batch 1, milestone [1] of 2 epochs → 3 multigrid epochs over 40 clips (see the plan test below):
// epoch 0: T 1 at crops 6/8/8, batches 18/9/9 (3 steps); epoch 1: T 2, batches 8/4/2 at 6/8/12 (8 steps);
// epoch 2: the full 4 × 12² with batches 4/2/1 at 6/8/12 (16 steps). 27 steps in all.
const MG_CONFIG: TrainConfig = parseTrainConfig({
  ...base,
  data: { ...base.data, clipLen: 4, cropSize: 12 },
  batchSize: 1,
  epochs: 2,
  optimizer: { kind: 'sgd', lr: 0.02, momentum: 0.9, nesterov: true, weightDecay: 1e-4 },
  schedule: {
    warmupEpochs: 1,
    warmupStartFactor: 0.1,
    decay: { kind: 'multistep', milestones: [1], gamma: 0.1 },
  },
  mixup: { alpha: 0.8, cutmixAlpha: 1, prob: 1, switchProb: 0.5 },
  labelSmoothing: 0.1,
  checkpoint: { everySteps: 4, keepBest: 1 },
  multigrid: { longCycle: true, shortCycle: true },
});
const mgSource = (): SyntheticClips =>
  new SyntheticClips({ train: 40, val: 6, frames: 4, size: 14, classes: 3 });

function newMgRun(id: string, src = mgSource()): Promise<TrainingRun> {
  return TrainingRun.create(store, MG_CONFIG, new TinyVideoModel(3, 1), src, id);
}

describe('multigrid checkpoints', () => {
  it('plans 3 epochs whose steps change clip length, crop and batch', async () => {
    const run = await newMgRun('mg-plan');
    const p = run.trainer.plan;
    const shapes = [0, 1, 2].map((e) => p.steps(e).map((s) => [s.batchSize, s.clipLen, s.cropSize]));
    finish(run);
    expect(p.epochs).toBe(3);
    expect(p.totalSteps).toBe(27);
    expect(shapes[0]).toEqual([
      [18, 1, 6],
      [9, 1, 8],
      [9, 1, 8],
    ]);
    expect(shapes[1]?.slice(0, 3)).toEqual([
      [8, 2, 6],
      [4, 2, 8],
      [2, 2, 12],
    ]);
    expect(shapes[2]).toHaveLength(16);
  });

  it('trains with varying shapes and resumes mid-stage with the uninterrupted losses (≤ 1e-5)', async () => {
    const src = mgSource();
    const full = await newMgRun('mg-full', src);
    const want = await lossesOf(full);
    expect(want).toHaveLength(27);
    want.forEach((l) => expect(Number.isFinite(l)).toBe(true));
    // the clip source saw short clips (T 1 and 2, read with an override) and full ones, in varying batch sizes
    const train = src.reads.filter((r) => r.split === 'train');
    expect(new Set(train.map((r) => r.clipLen ?? 4))).toEqual(new Set([1, 2, 4]));
    expect(new Set(train.map((r) => r.indices.length))).toEqual(new Set([18, 9, 8, 4, 2, 1]));
    const wantRecords = full.trainer.records;
    const lrs = wantRecords.flatMap((r) => (r.type === 'step' ? [r.lr] : []));
    // epoch 0: 0.02 × 9 (batch factor) in warmup from ×0.1; epoch 1: 0.02 × 2; epoch 2: 0.02 × 0.1
    expect(lrs[0]).toBeCloseTo(0.018, 10);
    expect(lrs[3]).toBeCloseTo(0.04, 10);
    expect(lrs[26]).toBeCloseTo(0.002, 10);
    finish(full);

    for (const [id, stopAt, replayFrom, epoch] of [
      ['mg-mid-epoch-1', 9, 8, 1], // epoch 1 (steps 4–11), checkpoint at step 8 → its 5th step replays
      ['mg-mid-epoch-2', 17, 16, 2], // epoch 2 (steps 12–27), checkpoint at step 16
    ] as const) {
      const first = await newMgRun(id);
      const got = await lossesOf(first, stopAt);
      expect(got).toHaveLength(stopAt);
      finish(first);

      const resumed = await TrainingRun.resume(store, id, new TinyVideoModel(3, 77), mgSource());
      expect(resumed.trainer.position).toMatchObject({ globalStep: replayFrom, epoch });
      expect(resumed.trainer.position.stepInEpoch).toBeGreaterThan(0);
      const rest = await lossesOf(resumed);
      const curve = [...got.slice(0, replayFrom), ...rest];
      expect(curve).toHaveLength(27);
      curve.forEach((l, i) => expect(Math.abs(l - (want[i] ?? NaN))).toBeLessThan(1e-5));
      const finals = (rs: typeof wantRecords): unknown[] =>
        rs.map((r) => (r.type === 'epoch' ? r.val : [r.loss, r.lr]));
      expect(finals(resumed.trainer.records)).toEqual(finals(wantRecords));
      expect(resumed.summary()).toMatchObject({ run: id, epochs: 3 });
      finish(resumed);
    }
  });
});
