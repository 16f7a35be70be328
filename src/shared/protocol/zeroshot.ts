// Worker protocol types: the zero-shot job (CLIP frame features vs class-prompt embeddings, BIKE's full-class and
// half-class protocols). Both threads import them (types and plain constants only), through ../protocol.ts.

export type ZeroShotProtocol = 'full' | 'half';

/** The CLIP used when no imported one is named: tiny, seeded random weights, a generated BPE vocabulary. */
export const RANDOM_CLIP = 'clip-tiny-random';

export interface ZeroShotSpec {
  readonly kind: 'zeroshot';
  /** Stored dataset id (or name). */
  readonly dataset: string;
  /** A CLIP model; default RANDOM_CLIP (no imported CLIP can be stored yet). */
  readonly model?: string;
  readonly protocol?: ZeroShotProtocol;
  /** Prompt templates, "{}" replaced by the class name; default BIKE's "This is a video about {}". */
  readonly templates?: readonly string[];
  /** Split tag ('test1') or 'all' (default): zero-shot trains nothing, so every labelled video counts. */
  readonly split?: string;
  /** Frames per video, sampled at segment centres (default 8). */
  readonly frames?: number;
  /** Half-class splits (default 10). */
  readonly splits?: number;
  /** Seed of the random CLIP's weights (default 0). */
  readonly seed?: number;
}

export interface ZeroShotSplitResult {
  readonly seed: number;
  /** Class indices of this split (sorted). */
  readonly classes: readonly number[];
  readonly videos: number;
  readonly top1: number;
  readonly top5: number;
  readonly mean_class_accuracy: number;
}

export interface ZeroShotVideoResult {
  readonly video: string;
  readonly label: number;
  /** Frame-averaged class probabilities over all classes. */
  readonly scores: readonly number[];
}

export interface ZeroShotResult {
  readonly model: string;
  /** true for RANDOM_CLIP: the numbers test the machinery and mean nothing about recognition. */
  readonly random: boolean;
  readonly note: string;
  readonly dataset: string;
  readonly classes: readonly string[];
  readonly templates: readonly string[];
  readonly protocol: ZeroShotProtocol;
  readonly split: string;
  readonly frames: number;
  /** Full-class metrics (also computed for 'half'). */
  readonly top1: number;
  readonly top5: number;
  readonly mean_class_accuracy: number;
  readonly per_class: readonly (number | null)[];
  /** 'half' only: per-split numbers, and mean / population std of their top-1. */
  readonly splits?: readonly ZeroShotSplitResult[];
  readonly mean?: number;
  readonly std?: number;
  readonly per_video: readonly ZeroShotVideoResult[];
  readonly seconds: number;
}
