// Contracts the training engine builds against (compute worker): the model zoo's VideoModel and the frame store's
// ClipSource. Types only; the model-zoo and dataset branches provide the implementations (the integrator reconciles).
import type { tf } from '../models/tf.ts';
import type { Rng } from '../shared/random.ts';

/** A video classifier on channels-last clips. */
export interface VideoModel {
  readonly name: string;
  readonly numClasses: number;
  /** x: f32[N,T,H,W,C] (normalised) → logits f32[N,numClasses]. BN uses batch statistics when training. */
  forward(x: tf.Tensor5D, opts: { training: boolean }): tf.Tensor2D;
  /** Trainable weights by PyTorch state_dict name ('layer1.0.conv1.weight', 'fc.bias'). */
  parameters(): ReadonlyMap<string, tf.Variable>;
  /** Non-trainable state (BatchNorm running_mean / running_var) by state_dict name. */
  buffers(): ReadonlyMap<string, tf.Variable>;
  /** Name prefix of the classifier ('fc', 'cls_head.fc_cls'): parameters under it are the head. */
  readonly headPrefix: string;
  dispose(): void;
}

/**
 * A model that can also return the pooled backbone features, so a linear probe runs the frozen backbone once
 * (features detached) and trains only the head. Optional: without it the probe runs the full forward and
 * takes gradients for the head parameters only.
 */
export interface FeatureVideoModel extends VideoModel {
  /** x: f32[N,T,H,W,C] → features f32[N,F] (eval-mode BN). */
  features(x: tf.Tensor5D, opts: { training: boolean }): tf.Tensor2D;
  /** features f32[N,F] → logits f32[N,numClasses]. */
  head(features: tf.Tensor2D, opts: { training: boolean }): tf.Tensor2D;
}

export function hasFeatures(m: VideoModel): m is FeatureVideoModel {
  const f = m as Partial<FeatureVideoModel>;
  return typeof f.features === 'function' && typeof f.head === 'function';
}

export type ClipSplit = 'train' | 'val';

/** One batch of decoded, resized clips straight from the frame store (not yet augmented or normalised). */
export interface ClipBatch {
  /** Pixels [N,T,H,W,3], row-major: u8 0..255, or f32 in 0..255. */
  readonly x: Float32Array | Uint8Array;
  readonly shape: readonly [number, number, number, number, number];
  /** i32 class index per clip, length N. */
  readonly labels: Int32Array;
}

/** A clip shape other than the config's (multigrid): clipLen frames, one frame interval per requested clip. */
export interface ClipSampling {
  readonly clipLen: number;
  readonly frameIntervals: readonly number[];
}

/** Where training clips come from (the frame store + clip reader of the datasets branch). */
export interface ClipSource {
  readonly numClasses: number;
  /** Number of clips (one per video for single-view sampling) in a split. */
  size(split: ClipSplit): number;
  /**
   * Reads clips `indices` of `split`; `rng` drives temporal sampling (train) and is untouched for val. `sampling`
   * (train only) overrides the clip length and frame intervals.
   */
  read(split: ClipSplit, indices: readonly number[], rng: Rng, sampling?: ClipSampling): Promise<ClipBatch>;
}
