import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../shared/protocol.ts';
import { cancelJob, runJob, runningJobs } from './jobs.ts';

describe('jobs', () => {
  it('emits started and progress events and forgets the job when it ends', async () => {
    const events: JobEvent[] = [];
    const result = await runJob(
      'j1',
      'selftest',
      (e) => events.push(e),
      (job) => {
        expect(runningJobs()).toContain('j1');
        job.progress('a', 1, 2);
        job.log('halfway');
        job.progress('b', 2, 2);
        return Promise.resolve(42);
      },
    );
    expect(result).toBe(42);
    expect(events.map((e) => e.type)).toEqual(['started', 'progress', 'log', 'progress']);
    expect(runningJobs()).not.toContain('j1');
  });

  it('cancels by id: the next checkpoint throws JOB_CANCELLED', async () => {
    const done = runJob(
      'j2',
      'selftest',
      () => undefined,
      async (job) => {
        for (;;) {
          job.checkpoint();
          await new Promise((r) => setTimeout(r, 2));
        }
      },
    );
    await new Promise((r) => setTimeout(r, 10));
    expect(cancelJob('j2')).toBe(true);
    await expect(done).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    expect(cancelJob('j2')).toBe(false);
  });

  it('refuses a duplicate or empty id', async () => {
    const first = runJob(
      'same',
      'selftest',
      () => undefined,
      () => new Promise((r) => setTimeout(r, 20)),
    );
    await expect(
      runJob(
        'same',
        'selftest',
        () => undefined,
        () => Promise.resolve(1),
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      runJob(
        '',
        'selftest',
        () => undefined,
        () => Promise.resolve(1),
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await first;
  });

  it('forgets a job that failed', async () => {
    await expect(
      runJob(
        'j3',
        'selftest',
        () => undefined,
        () => Promise.reject(new Error('x')),
      ),
    ).rejects.toThrow('x');
    expect(runningJobs()).not.toContain('j3');
  });
});
