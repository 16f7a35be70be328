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
  /**
   * Top-1 / top-5 accuracy of this step's clips from the logits of the training forward pass (train-mode BN,
   * augmented). With MixUp/CutMix a clip counts against the label of the larger mixing weight. Absent in
   * records stored before they were added.
   */
  readonly trainTop1?: number;
  readonly trainTop5?: number;
  readonly clipsPerSec: number;
  /** Clips in this step (batch × accumulation; multigrid steps vary). Absent in records written before it. */
  readonly clips?: number;
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

/** Error codes that stop a run resumably (status 'stopped'): nothing is wrong with the run itself. */
export const INTERRUPTION_CODES: readonly string[] = ['DEVICE_LOST', 'QUOTA_EXCEEDED', 'STORAGE_FULL'];

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

/** A stored run as `tubelet runs --json` and the Finetune panel list it. */
export interface StoredRunSummary {
  readonly run: string;
  readonly name: string;
  readonly status: 'running' | 'stopped' | 'finished' | 'failed';
  /** Epochs finished at the last checkpoint, of the config's `epochs`. */
  readonly epochs_done: number;
  readonly epochs: number;
  /** Clips per optimizer step (batch × gradient accumulation). */
  readonly clipsPerStep: number;
  /** Mean clips/s of the stored steps (null before the first checkpoint), and the shape it holds for. */
  readonly clipsPerSec: number | null;
  readonly throughputKey: string;
  readonly best_val_top1: number | null;
  /** Val top-1 of the newest validated epoch at the last checkpoint. */
  readonly final_val_top1: number | null;
  /** Id of the last checkpoint (what Resume uses). */
  readonly checkpoint: string | null;
  readonly model: string;
  readonly dataset: string;
  readonly updatedAt: number;
  /** Stored checkpoints and their bytes; `prunable` of them are neither the last nor among the best k. */
  readonly checkpoints: number;
  readonly checkpointBytes: number;
  readonly prunable: number;
}
