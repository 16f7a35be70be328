// The `train` job with the test-only tiny model and synthetic clips (TF.js cpu backend, scratch IndexedDB):
// records stream as events, a cancel stops the run resumably, and resuming finishes it; a lost GPU device and a
// full storage quota stop it resumably too, with its last checkpoint intact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckpointStore } from '../data/store/checkpointStore.ts';
import { deleteStudioDb } from '../data/store/db.ts';
import { tf } from '../models/tf.ts';
import { TubeletError, type SerializedError } from '../shared/errors.ts';
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

  /** Runs a 2-epoch job whose `onStep` sees each step record; returns the job's error and the run id. */
  async function interruptedRun(
    id: string,
    deps: Parameters<typeof runTrainJob>[3],
    onStep: (step: number) => void,
  ): Promise<{ error: TubeletError; run: string }> {
    let run = '';
    const error = await runJob(
      id,
      'train',
      () => undefined,
      (job) =>
        runTrainJob(
          { kind: 'train', config },
          job,
          (e) => {
            if (e.type !== 'train-record') return;
            run = e.run;
            if (e.record.type === 'step') onStep(e.record.step);
          },
          deps,
        ),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TubeletError);
    return { error: error as TubeletError, run };
  }

  async function resumesToTheEnd(id: string, run: string): Promise<void> {
    const resumed = await runJob(
      id,
      'train',
      () => undefined,
      (job) => runTrainJob({ kind: 'train', resume: run }, job, () => undefined, { resolvers, store }),
    );
    expect(resumed).toMatchObject({ run, epochs: 2 });
    expect((await store.getRun(run))?.status).toBe('finished');
  }

  it('stops with DEVICE_LOST when the device is lost mid-run, and resumes from the last checkpoint', async () => {
    let lose: (e: SerializedError) => void = () => undefined;
    const lost = new Promise<SerializedError>((resolve) => {
      lose = resolve;
    });
    const { error, run } = await interruptedRun('t3', { resolvers, store, lost }, (step) => {
      if (step === 3) lose({ code: 'DEVICE_LOST', message: 'The GPU device was lost (destroyed): test' });
    });
    expect(error.code).toBe('DEVICE_LOST');
    expect(error.message).toContain(`Training run ${run} stopped: The GPU device was lost`);
    expect(error.hint).toContain(`tubelet train --resume ${run}`);
    const record = await store.getRun(run);
    expect(record?.status).toBe('stopped');
    // the epoch-1 checkpoint (step 2) is the last one: nothing was saved after the loss
    const last = await store.loadCheckpoint(record?.lastCheckpoint ?? '');
    expect(last.record.step).toBe(2);
    await resumesToTheEnd('t4', run);
  });

  it('stops with QUOTA_EXCEEDED when a checkpoint does not fit, keeping the last good one loadable', async () => {
    let quota = Number.MAX_SAFE_INTEGER;
    const tight = createCheckpointStore(NAME, () => Promise.resolve({ usage: 1_000_000, quota }));
    const { error, run } = await interruptedRun('t5', { resolvers, store: tight }, (step) => {
      if (step === 3) quota = 1_000_001; // the next (epoch-2) checkpoint will not fit
    });
    expect(error.code).toBe('QUOTA_EXCEEDED');
    expect(error.message).toMatch(new RegExp(`^Training run ${run} stopped: Storing the step-4 checkpoint`));
    expect(error.hint).toContain(`tubelet train --resume ${run}`);
    const record = await tight.getRun(run);
    expect(record?.status).toBe('stopped');
    expect((await tight.listCheckpoints(run)).map((c) => c.step)).toEqual([2]);
    expect((await tight.loadCheckpoint(record?.lastCheckpoint ?? '')).data.length).toBeGreaterThan(0);
    await resumesToTheEnd('t6', run);
  });
});
