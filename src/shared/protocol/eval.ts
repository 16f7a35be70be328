// Worker protocol types: the eval job (multi-view testing of a model on a stored dataset) and stored evaluations.
// Both threads import them (types and plain constants only), through ../protocol.ts.

export type EvalAverage = 'score' | 'prob' | 'none' | 'sum' | 'max';

export interface EvalSpec {
  readonly kind: 'eval';
  /** An imported model name or a zoo arch ('r3d_18', 'r3d_18:tiny'). */
  readonly model: string;
  /** Stored dataset id. */
  readonly dataset: string;
  /** Protocol preset (src/eval/protocols.ts); default 'single-view'. */
  readonly protocol?: string;
  /** Custom views 'CLIPSxCROPS' overriding the preset's. */
  readonly views?: string;
  readonly average?: EvalAverage;
  /** Split tag ('test1', 'val1'), 'all' for every labelled video; default the preset's. */
  readonly split?: string;
  /** Custom clip length, frame interval and crop side overriding the preset's (default the model's input). */
  readonly clipLen?: number;
  readonly frameInterval?: number;
  readonly cropSize?: number;
  /** Re-score every video instead of resuming from stored per-video results. */
  readonly fresh?: boolean;
}

export interface ListEvalsSpec {
  readonly kind: 'list-evals';
}

export interface EvalVideoResult {
  readonly video: string;
  readonly label: number;
  /** argmax of `scores` (first maximum). */
  readonly pred: number;
  readonly views: number;
  readonly scores: readonly number[];
}

export interface EvalMetrics {
  readonly top1: number;
  readonly top5: number;
  readonly mean_class_accuracy: number;
  /** rows = true class, columns = predicted class */
  readonly confusion: readonly (readonly number[])[];
  /** recall per class; null for classes without a video */
  readonly per_class: readonly (number | null)[];
}

export interface EvalProtocolSummary {
  readonly name: string;
  readonly split: string | null;
  readonly numClips: number;
  readonly crop: string;
  readonly clipLen: number;
  readonly frameInterval: number;
  readonly cropSize: number;
  readonly shortSide: number;
  readonly temporal: string;
  readonly average: EvalAverage;
  readonly viewsPerVideo: number;
}

export interface EvalResult extends EvalMetrics {
  readonly id: string;
  readonly model: string;
  readonly dataset: string;
  readonly classes: readonly string[];
  readonly protocol: EvalProtocolSummary;
  readonly per_video: readonly EvalVideoResult[];
  /** Videos scored by this call (the rest came from stored results). */
  readonly scored: number;
  readonly resumed: number;
  readonly seconds: number;
}

export interface StoredEvalSummary {
  readonly id: string;
  readonly model: string;
  readonly dataset: string;
  readonly split: string | null;
  readonly protocol: string;
  readonly status: 'running' | 'stopped' | 'done' | 'failed';
  readonly videosDone: number;
  readonly videosTotal: number;
  readonly top1: number | null;
  readonly top5: number | null;
  readonly meanClassAccuracy: number | null;
  readonly seconds: number;
  readonly updatedAt: number;
}

/** Protocol preset names (src/eval/protocols.ts holds their definitions; a test keeps the lists equal). */
export const EVAL_PROTOCOL_NAMES = [
  'ucf101-split1',
  'ucf101-split2',
  'ucf101-split3',
  'hmdb51-split1',
  'hmdb51-split2',
  'hmdb51-split3',
  'kinetics400-val',
  'sthv2-val',
  'single-view',
  'custom',
] as const;
