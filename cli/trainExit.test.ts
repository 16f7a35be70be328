// `tubelet train` when the browser dies mid-run: one coded CLI line naming the run and `--resume`, not Playwright's
// "page.evaluate: Target page, context or browser has been closed" with a stack.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { JobEvent } from '../src/shared/protocol.ts';
import type { TrainRecord } from '../src/shared/training.ts';
import { CliError } from './errors.ts';
import { isBrowserGone, train } from './commands/train.ts';
import type { StudioSession } from './session.ts';

const STEP: TrainRecord = {
  type: 'step',
  epoch: 0,
  step: 1,
  loss: 1,
  lr: 0.1,
  gradNorm: 1,
  clipsPerSec: 1,
  readMs: 1,
  forwardMs: 1,
  backwardMs: 1,
  optimizerMs: 1,
};

/** Playwright's error text when the browser goes away under page.evaluate (its TargetClosedError). */
const closed = (): Error =>
  new Error('page.evaluate: Target page, context or browser has been closed\nBrowser logs:\n<launching> …');

/** A session whose page relays `events` to the exposed callback, then fails with `error`. */
function session(events: readonly JobEvent[], error: Error): StudioSession {
  let relay: (e: JobEvent) => void = () => undefined;
  const page = {
    exposeFunction: (_name: string, fn: (e: JobEvent) => void) => {
      relay = fn;
      return Promise.resolve();
    },
    evaluate: () => {
      for (const e of events) relay(e);
      return Promise.reject(error);
    },
  };
  return {
    page: page as unknown as Page,
    mode: 'swiftshader',
    executable: 'chromium',
    browserVersion: 'x',
    url: '',
  };
}

async function failure(s: StudioSession, resume?: string): Promise<unknown> {
  const spec = resume === undefined ? { kind: 'train' as const } : { kind: 'train' as const, resume };
  return train(s, spec, () => undefined).then(
    () => null,
    (e: unknown) => e,
  );
}

describe('tubelet train when the browser exits', () => {
  it('says in one line which run stopped and how to resume it', async () => {
    const record: JobEvent = { type: 'train-record', jobId: 'j', run: 'tiny-abc', record: STEP };
    const error = await failure(session([record], closed()));
    expect(error).toBeInstanceOf(CliError);
    const message = (error as CliError).message;
    expect(message).toBe(
      'the browser exited during training run tiny-abc; its checkpoints are kept: resume it with `tubelet train --resume tiny-abc`',
    );
    expect(message).not.toContain('\n');
    expect((error as CliError).exitCode).toBe(1);
  });

  it('names the resumed run before its first record, and says to start over when no run began', async () => {
    expect(((await failure(session([], closed()), 'old-run')) as CliError).message).toContain(
      '`tubelet train --resume old-run`',
    );
    expect(((await failure(session([], closed()))) as CliError).message).toBe(
      'the browser exited before the training run started; run the command again',
    );
  });

  it('leaves other failures as they are', async () => {
    const other = new Error('page.evaluate: ReferenceError: x is not defined');
    expect(await failure(session([], other))).toBe(other);
    expect(isBrowserGone(other)).toBe(false);
    expect(isBrowserGone(Object.assign(new Error('gone'), { name: 'TargetClosedError' }))).toBe(true);
  });
});
