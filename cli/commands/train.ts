// `tubelet train`: runs a training job in the studio's worker (a preset or a config file, optionally resumed),
// streaming one JSON line per step/epoch record with --json and ending with the run summary (Node).
import { readFileSync } from 'node:fs';
import type { JobEvent, TrainSpec } from '../../src/shared/protocol.ts';
import type { RunSummary, TrainRecord } from '../../src/shared/training.ts';
import type { Outcome } from '../../src/client/automation.ts';
import { formatError } from '../../src/shared/errors.ts';
import { CliError, UsageError } from '../errors.ts';
import type { StudioSession } from '../session.ts';

export interface TrainArgs {
  readonly configFile?: string | undefined;
  readonly preset?: string | undefined;
  readonly model?: string | undefined;
  readonly dataset?: string | undefined;
  readonly resume?: string | undefined;
}

/** The job spec for the arguments; a config file is read and parsed here so JSON errors name the file. */
export function trainSpec(args: TrainArgs): TrainSpec {
  let config: unknown;
  if (args.configFile !== undefined) {
    try {
      config = JSON.parse(readFileSync(args.configFile, 'utf8'));
    } catch (error) {
      throw new UsageError(
        `--config ${args.configFile}: ${error instanceof Error ? error.message : String(error)} (a TrainConfig JSON file is expected)`,
      );
    }
  }
  return {
    kind: 'train',
    ...(config !== undefined ? { config } : {}),
    ...(args.preset !== undefined ? { preset: args.preset } : {}),
    ...(args.model !== undefined ? { model: args.model } : {}),
    ...(args.dataset !== undefined ? { dataset: args.dataset } : {}),
    ...(args.resume !== undefined ? { resume: args.resume } : {}),
  };
}

/** True for Playwright's error when the page, its context or the browser went away under a call. */
export function isBrowserGone(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'TargetClosedError' ||
      /Target page, context or browser has been closed|Browser has been closed|Target closed|browser has disconnected/i.test(
        error.message,
      ))
  );
}

/** One line for a browser that exited mid-run: what happened and how to go on from the last checkpoint. */
export function browserExited(run: string | null): CliError {
  return new CliError(
    run
      ? `the browser exited during training run ${run}; its checkpoints are kept: resume it with \`tubelet train --resume ${run}\``
      : 'the browser exited before the training run started; run the command again',
  );
}

export async function train(
  session: StudioSession,
  spec: TrainSpec,
  onRecord: (record: TrainRecord) => void,
  onRun?: (run: string) => void,
): Promise<RunSummary> {
  let run: string | null = spec.resume ?? null;
  let announced = false;
  await session.page.exposeFunction('__tubeletTrainEvent', (e: JobEvent) => {
    if (e.type !== 'train-record') return;
    run = e.run;
    if (!announced) {
      announced = true;
      onRun?.(e.run);
    }
    onRecord(e.record);
  });
  let outcome: Outcome<RunSummary>;
  try {
    outcome = await session.page.evaluate(async (s) => {
      const handle = window.__tubelet;
      if (!handle) throw new Error('automation handle missing');
      const relay = (window as unknown as { __tubeletTrainEvent: (e: JobEvent) => void }).__tubeletTrainEvent;
      return handle.runJob(s, (e) => {
        relay(e);
      });
    }, spec);
  } catch (error) {
    if (isBrowserGone(error)) throw browserExited(run);
    throw error;
  }
  if (!outcome.ok) throw new CliError(`train failed: ${formatError(outcome.error)}`);
  return outcome.value;
}

const pct = (v: number | null): string => (v === null ? '—' : `${(100 * v).toFixed(1)} %`);

export function formatRecord(r: TrainRecord): string | null {
  if (r.type === 'epoch') {
    const val = r.val
      ? `val top-1 ${pct(r.val.top1)}, top-5 ${pct(r.val.top5)}, mean class ${pct(r.val.meanClassAccuracy)}`
      : 'no validation';
    return `epoch ${r.epoch + 1}: train loss ${r.trainLoss.toFixed(4)}, ${val} (${r.seconds.toFixed(1)} s)`;
  }
  const top1 = r.trainTop1 === undefined ? '' : `, train top-1 ${pct(r.trainTop1)}`;
  return r.step % 10 === 0
    ? `  step ${r.step}: loss ${r.loss.toFixed(4)}${top1}, lr ${r.lr.toExponential(2)}, ${r.clipsPerSec.toFixed(1)} clips/s (read ${r.readMs.toFixed(0)} ms, fwd ${r.forwardMs.toFixed(0)} ms, bwd ${r.backwardMs.toFixed(0)} ms)`
    : null;
}

export function formatSummary(s: RunSummary): string {
  return [
    `run ${s.run}: ${s.epochs} epochs, best val top-1 ${pct(s.best_val_top1)}, final ${pct(s.final_val_top1)}`,
    `  ${s.clips_per_s.toFixed(1)} clips/s; last checkpoint ${s.checkpoint ?? '—'} (resume with --resume ${s.run})`,
  ].join('\n');
}
