// Turns streamed training records into chart columns and an ETA (pure; main thread). Columns hold null where a
// series has no value so uPlot draws gaps, e.g. validation only at epoch ends.
import type { EpochRecord, StepRecord, TrainRecord } from '../../shared/training.ts';

export interface StepColumns {
  readonly step: number[];
  readonly loss: number[];
  readonly lr: number[];
  readonly gradNorm: number[];
  /** Train accuracy of each step's batch (null for records stored before it was measured). */
  readonly trainTop1: (number | null)[];
  readonly trainTop5: (number | null)[];
  readonly clipsPerSec: number[];
  readonly readMs: number[];
  readonly forwardMs: number[];
  readonly backwardMs: number[];
}

export interface EpochColumns {
  /** 1-based epoch numbers. */
  readonly epoch: number[];
  readonly trainLoss: number[];
  /** Mean over the epoch's steps of their train accuracy (null when no step of it has one). */
  readonly trainTop1: (number | null)[];
  readonly trainTop5: (number | null)[];
  readonly valLoss: (number | null)[];
  readonly valTop1: (number | null)[];
  readonly valTop5: (number | null)[];
  readonly valMeanClass: (number | null)[];
}

export function stepColumns(records: readonly TrainRecord[]): StepColumns {
  const steps = records.filter((r): r is StepRecord => r.type === 'step');
  const col = (f: (s: StepRecord) => number): number[] => steps.map(f);
  return {
    step: col((s) => s.step),
    loss: col((s) => s.loss),
    lr: col((s) => s.lr),
    gradNorm: col((s) => s.gradNorm),
    trainTop1: steps.map((s) => s.trainTop1 ?? null),
    trainTop5: steps.map((s) => s.trainTop5 ?? null),
    clipsPerSec: col((s) => s.clipsPerSec),
    readMs: col((s) => s.readMs),
    forwardMs: col((s) => s.forwardMs),
    backwardMs: col((s) => s.backwardMs),
  };
}

function mean(values: readonly (number | undefined)[]): number | null {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
}

export function epochColumns(records: readonly TrainRecord[]): EpochColumns {
  const epochs = records.filter((r): r is EpochRecord => r.type === 'epoch');
  const steps = records.filter((r): r is StepRecord => r.type === 'step');
  const ofEpoch = (e: EpochRecord): StepRecord[] => steps.filter((s) => s.epoch === e.epoch);
  return {
    epoch: epochs.map((e) => e.epoch + 1),
    trainLoss: epochs.map((e) => e.trainLoss),
    trainTop1: epochs.map((e) => mean(ofEpoch(e).map((s) => s.trainTop1))),
    trainTop5: epochs.map((e) => mean(ofEpoch(e).map((s) => s.trainTop5))),
    valLoss: epochs.map((e) => e.val?.loss ?? null),
    valTop1: epochs.map((e) => e.val?.top1 ?? null),
    valTop5: epochs.map((e) => e.val?.top5 ?? null),
    valMeanClass: epochs.map((e) => e.val?.meanClassAccuracy ?? null),
  };
}

/**
 * Seconds left for `totalSteps` optimizer steps of `clipsPerStep` clips, from the mean seconds per step of the last
 * `window` steps (each step's own clip count when its record has one: multigrid steps vary in clips but keep
 * about the same B·T·S² work); validation time not included; null before the first step.
 */
export function etaSeconds(
  records: readonly TrainRecord[],
  totalSteps: number,
  clipsPerStep: number,
  window = 20,
): number | null {
  const steps = records.filter((r): r is StepRecord => r.type === 'step');
  const last = steps[steps.length - 1];
  if (!last) return null;
  const recent = steps.slice(-window).filter((s) => s.clipsPerSec > 0);
  if (recent.length === 0) return null;
  const secondsPerStep =
    recent.reduce((a, s) => a + (s.clips ?? clipsPerStep) / s.clipsPerSec, 0) / recent.length;
  return Math.max(0, totalSteps - last.step) * secondsPerStep;
}

export function formatEta(seconds: number | null): string {
  if (seconds === null) return 'estimating…';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${r} s` : `${r} s`;
}
