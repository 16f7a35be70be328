// Training progress as JSON-able records (any thread): one per optimizer step and one per epoch. The worker
// streams them as job progress; the dashboard charts them; checkpoints keep the history.
import type { AccuracyReport } from './metrics.ts';

export interface StepRecord {
  readonly type: 'step';
  /** 0-based epoch the step belongs to. */
  readonly epoch: number;
  /** 1-based optimizer step over the whole run. */
  readonly step: number;
  readonly loss: number;
  readonly lr: number;
  /** Global L2 norm of the (accumulated) gradients before clipping. */
  readonly gradNorm: number;
  readonly clipsPerSec: number;
  /** Waiting for the clip source (decode/read), summed over micro-batches. */
  readonly readMs: number;
  /** Augmentation, mixing and recording the forward pass (GPU work is queued, not awaited). */
  readonly forwardMs: number;
  /** Backward pass until the loss and gradient norm are read back (includes queued GPU work). */
  readonly backwardMs: number;
  /** Clipping and the optimizer update (queued). */
  readonly optimizerMs: number;
}

export interface ValidationRecord extends AccuracyReport {
  readonly loss: number;
}

export interface EpochRecord {
  readonly type: 'epoch';
  readonly epoch: number;
  readonly steps: number;
  readonly trainLoss: number;
  readonly val: ValidationRecord | null;
  readonly seconds: number;
}

export type TrainRecord = StepRecord | EpochRecord;
