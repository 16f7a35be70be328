// Worker protocol types: training runs, their catalog, cost estimates, augmentation previews and run history.
// Both threads import them (types and plain constants only), through ../protocol.ts, which adds the job unions
// and the WorkerApi.
import type { TrainConfig } from '../trainConfig.ts';

/** Supervised finetuning / linear probing (src/train/): a new run from a config or preset, or a resumed run. */
export interface TrainSpec {
  readonly kind: 'train';
  /** A TrainConfig JSON document, validated in the worker (wins over `preset`). */
  readonly config?: unknown;
  /** A preset name (src/train/presets.ts); default 'toy-actions-r3d-tiny'. */
  readonly preset?: string;
  /** Override the config's model / dataset registry names. */
  readonly model?: string;
  readonly dataset?: string;
  /** Resume this run id from its last checkpoint (config, model and dataset come from the run). */
  readonly resume?: string;
}

/** What the Finetune panel offers: the presets (complete configs) and the trainable model names. */
export interface TrainCatalogSpec {
  readonly kind: 'train-catalog';
}

export interface TrainCatalog {
  readonly presets: Readonly<Record<string, TrainConfig>>;
  readonly defaultPreset: string;
  /** Registry names the train job accepts ('r3d_18', 'r3d_18:tiny', …). */
  readonly models: readonly string[];
  /** Each model name's family ('ResNet-3D', …), for grouping the model select; absent from older workers. */
  readonly modelFamilies?: Readonly<Record<string, string>>;
}

/** A registry model's size and cost for one clip (nothing runs on the GPU): sizes the Finetune estimates. */
export interface ModelCostSpec {
  readonly kind: 'model-cost';
  /** A train-job model name ('r3d_18', 'r3d_18:tiny'). */
  readonly model: string;
  readonly numClasses: number;
  /** [T, H, W] of one clip. */
  readonly clip: readonly [number, number, number];
}

export interface ModelCost {
  readonly params: number;
  /** Multiply-adds of conv and linear layers for one clip. */
  readonly macs: number;
  /** Elements of all conv outputs for one clip. */
  readonly convOutputs: number;
}

/** A few train clips of `config.dataset` augmented on the GPU as the train loop would (a seeded draw). */
export interface AugmentPreviewSpec {
  readonly kind: 'augment-preview';
  /** A TrainConfig (validated in the worker). */
  readonly config: unknown;
  readonly clips: number;
  readonly seed: number;
}

export interface AugmentPreview {
  readonly clips: number;
  readonly frames: number;
  /** Output side (the config's crop size). */
  readonly size: number;
  /** Class name per clip, and whether its draw flipped it. */
  readonly labels: readonly string[];
  readonly flips: readonly boolean[];
  /** u8[clips, frames, size, size, 3] after augmentation, mapped back to pixels. */
  readonly pixels: Uint8Array;
}

/** Stored training runs, most recently updated first. */
export interface ListRunsSpec {
  readonly kind: 'list-runs';
}

/** The step and epoch records a run's last checkpoint holds (to chart a run before resuming it). */
export interface RunHistorySpec {
  readonly kind: 'run-history';
  readonly run: string;
}

/**
 * Deletes checkpoints of a run on request. Retention already keeps only the last and the best k as a run saves;
 * 'best-and-last' also removes any other left behind, 'last' keeps only what Resume needs, 'none' deletes the run.
 */
export interface PruneRunSpec {
  readonly kind: 'prune-run';
  readonly run: string;
  readonly keep: 'best-and-last' | 'last' | 'none';
}
