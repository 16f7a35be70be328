// The `train` job with the test-only tiny model and synthetic clips (TF.js cpu backend, scratch IndexedDB):
// records stream as events, a cancel stops the run resumably, and resuming finishes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckpointStore } from '../data/store/checkpointStore.ts';
import { deleteStudioDb } from '../data/store/db.ts';
import { tf } from '../models/tf.ts';
import { TubeletError } from '../shared/errors.ts';
import type { JobEvent } from '../shared/protocol.ts';
import { testConfig } from '../train/testing/baseConfig.ts';
import { TinyVideoModel } from '../train/testing/tinyModel.ts';
import { SyntheticClips } from '../train/testing/syntheticClips.ts';
import { cancelJob, runJob } from './jobs.ts';
import { runTrainJob, trainResolvers, type TrainResolvers } from './trainJob.ts';

const NAME = `tubelet-trainjob-test-${Date.now()}`;
const store = createCheckpointStore(NAME);
const resolvers: TrainResolvers = {
  createModel: (_name, classes, seed) => Promise.resolve(new TinyVideoModel(classes, seed)),
  openClipSource: () =>
    Promise.resolve(new SyntheticClips({ train: 8, val: 4, frames: 4, size: 12, classes: 2 })),
};
const base = testConfig();
const config = { ...base, data: { ...base.data, clipLen: 4, cropSize: 10 }, batchSize: 4, epochs: 2 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(async () => {
  await deleteStudioDb(NAME);
});

describe('train job', () => {
  it('fails with NOT_INITIALISED until resolvers are registered', () => {
    expect(() => trainResolvers()).toThrow(/no model registry or dataset store/);
  });

  it('streams records, stops resumably on cancel, and resumes to the end', async () => {
    const events: JobEvent[] = [];
    const stopped = runJob(
      't1',
      'train',
      (e) => events.push(e),
      (job) =>
        runTrainJob(
          { kind: 'train', config },
          job,
          (e) => {
            events.push(e);
            if (e.type === 'train-record' && e.record.type === 'step' && e.record.step === 2) cancelJob('t1');
          },
          { resolvers, store },
        ),
    );
    const error = await stopped.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TubeletError);
    expect((error as TubeletError).code).toBe('JOB_CANCELLED');
    const records = events.flatMap((e) => (e.type === 'train-record' ? [e] : []));
    expect(records.map((r) => r.record.type)).toEqual(['step', 'step', 'epoch']); // step 2 ends epoch 1
    const runId = records[0]?.run ?? '';
    expect((await store.getRun(runId))?.status).toBe('stopped');
    expect(events.some((e) => e.type === 'progress' && e.stage === 'train' && e.total === 4)).toBe(true);

    const resumed = await runJob(
      't2',
      'train',
      () => undefined,
      (job) => runTrainJob({ kind: 'train', resume: runId }, job, () => undefined, { resolvers, store }),
    );
    expect(resumed).toMatchObject({ run: runId, epochs: 2 });
    expect(resumed.final_val_top1).not.toBeNull();
    expect((await store.getRun(runId))?.status).toBe('finished');
  });
});
