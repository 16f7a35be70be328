// Training progress records and the run summary (pure types; both threads): one record per optimizer step and one
// per epoch, JSON-able. The worker streams them as `train-record` job events; the dashboard charts them;
// checkpoints keep the history.

/** Single-view classification accuracy (MMAction2 top_k_accuracy / mean_class_accuracy). */
export interface AccuracyReport {
  readonly count: number;
  readonly top1: number;
  readonly top5: number;
  readonly meanClassAccuracy: number;
}

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

/** What `tubelet train` / `tubelet demo` end with. */
export interface RunSummary {
  readonly run: string;
  readonly epochs: number;
  readonly best_val_top1: number | null;
  readonly final_val_top1: number | null;
  readonly clips_per_s: number;
  /** Id of the run's last checkpoint. */
  readonly checkpoint: string | null;
}
