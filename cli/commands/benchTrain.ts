// `tubelet bench train`: one epoch of a training preset on its stored dataset, summarised as SRTG's speed
// monitor does: clips/s of reading, forward and backward (+ optimizer) separately, so a data-loading bottleneck
// shows (Node; the training runs in the studio's worker).
import type { StepRecord, TrainRecord } from '../../src/shared/training.ts';
import { trainPreset } from '../../src/train/presets.ts';
import type { StudioSession } from '../session.ts';
import { train } from './train.ts';

export interface TrainBenchResult {
  readonly preset: string;
  readonly model: string;
  readonly dataset: string;
  readonly batch: number;
  readonly clip: string;
  readonly steps: number;
  /** Training clips per second over the epoch (wall clock of the steps, validation excluded). */
  readonly clips_per_s: number;
  /** Median ms per step of each stage, and the clips/s that stage alone would allow. */
  readonly read_ms: number;
  readonly forward_ms: number;
  readonly backward_ms: number;
  readonly optimizer_ms: number;
  readonly read_clips_per_s: number;
  readonly compute_clips_per_s: number;
  /** Share of the step spent waiting for data (0..1, medians). */
  readonly read_share: number;
  readonly val_seconds: number | null;
  readonly val_top1: number | null;
  readonly epoch_seconds: number;
}

const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

/** Summarises one epoch's step records (the first two steps are warm-up: kernel compilation, autotuning). */
export function summariseEpoch(
  steps: readonly StepRecord[],
  batch: number,
): Pick<
  TrainBenchResult,
  | 'steps'
  | 'clips_per_s'
  | 'read_ms'
  | 'forward_ms'
  | 'backward_ms'
  | 'optimizer_ms'
  | 'read_clips_per_s'
  | 'compute_clips_per_s'
  | 'read_share'
> {
  const warm = steps.length > 4 ? steps.slice(2) : steps;
  const read = median(warm.map((s) => s.readMs));
  const fwd = median(warm.map((s) => s.forwardMs));
  const bwd = median(warm.map((s) => s.backwardMs));
  const opt = median(warm.map((s) => s.optimizerMs));
  const stepMs = warm.map((s) => s.readMs + s.forwardMs + s.backwardMs + s.optimizerMs);
  const total = stepMs.reduce((a, b) => a + b, 0);
  const r = (v: number, d = 1): number => Math.round(v * 10 ** d) / 10 ** d;
  return {
    steps: steps.length,
    clips_per_s: r((warm.length * batch * 1000) / total, 2),
    read_ms: r(read),
    forward_ms: r(fwd),
    backward_ms: r(bwd),
    optimizer_ms: r(opt),
    read_clips_per_s: r((batch * 1000) / read, 1),
    compute_clips_per_s: r((batch * 1000) / (fwd + bwd + opt), 2),
    read_share: r(read / (read + fwd + bwd + opt), 3),
  };
}

export async function benchTrain(
  session: StudioSession,
  presetName: string,
  onRecord: (record: TrainRecord) => void,
): Promise<TrainBenchResult> {
  const preset = trainPreset(presetName);
  const config = {
    ...preset,
    name: `bench-${preset.name}`,
    epochs: 1,
    checkpoint: { everySteps: 0, keepBest: 1 },
  };
  const steps: StepRecord[] = [];
  let val: { seconds: number; top1: number | null } | null = null;
  let epochSeconds = NaN;
  await train(session, { kind: 'train', config }, (record) => {
    onRecord(record);
    if (record.type === 'step') steps.push(record);
    else {
      epochSeconds = record.seconds;
      const trainMs = steps.reduce((a, s) => a + s.readMs + s.forwardMs + s.backwardMs + s.optimizerMs, 0);
      val = record.val
        ? { seconds: Math.max(0, record.seconds - trainMs / 1000), top1: record.val.top1 }
        : null;
    }
  });
  const v = val as { seconds: number; top1: number | null } | null;
  return {
    preset: preset.name,
    model: preset.model,
    dataset: preset.dataset,
    batch: preset.batchSize,
    clip: `${preset.data.clipLen}×${preset.data.frameInterval}×${preset.data.numClips} @ ${preset.data.cropSize}²`,
    ...summariseEpoch(steps, preset.batchSize),
    val_seconds: v ? Math.round(v.seconds * 10) / 10 : null,
    val_top1: v?.top1 ?? null,
    epoch_seconds: Math.round(epochSeconds * 10) / 10,
  };
}

export function formatTrainBench(r: TrainBenchResult, adapter: string): string {
  return [
    `${r.preset}: ${r.model} on ${r.dataset}, batch ${r.batch}, clips ${r.clip}, ${r.steps} steps (${adapter})`,
    `  ${r.clips_per_s} clips/s over the epoch (${r.epoch_seconds} s with validation ${r.val_seconds ?? '—'} s)`,
    `  median per step: read ${r.read_ms} ms (${r.read_clips_per_s} clips/s), forward ${r.forward_ms} ms, ` +
      `backward ${r.backward_ms} ms, optimizer ${r.optimizer_ms} ms (compute ${r.compute_clips_per_s} clips/s)`,
    `  waiting for data: ${(100 * r.read_share).toFixed(1)} % of a step`,
  ].join('\n');
}
