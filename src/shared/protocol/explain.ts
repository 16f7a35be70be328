// The `explain` job's spec and result (both threads; types and constants only): heat maps of a model on one clip,
// Grad-CAM(++) on a chosen 5-D layer for CNNs, CLS attention or rollout for transformers, plus top-k and the frames.
import type { InputTensor } from '../modelIo.ts';

export const EXPLAIN_METHODS = ['gradcam', 'gradcampp', 'attention', 'rollout'] as const;
export type ExplainMethod = (typeof EXPLAIN_METHODS)[number];

export type ExplainInput =
  /** the `clip`-th centre clip of a stored dataset's `videoIndex`-th done video (sorted by id) */
  | {
      readonly type: 'stored';
      readonly datasetId: string;
      readonly videoIndex: number;
      readonly clip?: number;
    }
  | { readonly type: 'video'; readonly file: Blob; readonly fileName: string }
  /** RGB frames u8[t, h, w, 3] (e.g. a webcam clip): picked evenly to the model's T, resized to its H×W */
  | {
      readonly type: 'frames';
      readonly frames: Uint8Array;
      readonly t: number;
      readonly h: number;
      readonly w: number;
    }
  | { readonly type: 'tensor'; readonly tensor: InputTensor };

export interface ExplainSpec {
  readonly kind: 'explain';
  /** a stored (imported) model or a registry arch ('toy_r3d', 'mvit_v2_s:tiny') with its seeded initialisation */
  readonly model: string;
  readonly input: ExplainInput;
  /** default: gradcam for CNNs, attention for models with attention layers */
  readonly method?: ExplainMethod;
  /** Grad-CAM: a 5-D layer name (default the last one); attention: an attention layer (default the last one) */
  readonly layer?: string;
  /** the class explained; default the predicted one */
  readonly classIndex?: number;
  readonly topk?: number;
  /** skip the maps: logits and top-k only (live webcam) */
  readonly predictOnly?: boolean;
  /** class names for inputs that carry none (webcam frames); a zoo arch is then built with this many classes */
  readonly classNames?: readonly string[];
}

export interface ExplainResult {
  readonly model: string;
  readonly method: ExplainMethod;
  /** the layer(s) explained ('' when predictOnly) */
  readonly layer: string;
  /** layers the method could use instead */
  readonly layers: readonly string[];
  readonly classIndex: number;
  readonly topk: readonly { readonly index: number; readonly label: string | null; readonly prob: number }[];
  /** the clip's size (the model's input) */
  readonly t: number;
  readonly h: number;
  readonly w: number;
  /** u8[T, H, W, 3] the clip's frames (un-normalised RGB) */
  readonly frames: Uint8Array;
  /** u8[T, H, W] the heat map upsampled to the clip, min–max scaled to 0…255 (empty when predictOnly) */
  readonly map: Uint8Array;
  /** attention: u8[heads, T, H, W] one map per head (empty otherwise) */
  readonly headMaps: Uint8Array;
  readonly heads: number;
  /** the stored video's true class name, when the input was a stored video */
  readonly className: string | null;
}
