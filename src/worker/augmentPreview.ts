// Augmentation preview (compute worker): a few train clips of a stored dataset, sampled and augmented on the GPU
// exactly as the train loop does for `config` (src/train/augment.ts), then mapped back from mean/std to pixels.
import { openStoredClipSource } from '../data/clips/storedClipSource.ts';
import { channelAffine } from '../models/nn/layers.ts';
import { tf } from '../models/tf.ts';
import type { AugmentPreview, AugmentPreviewSpec } from '../shared/protocol.ts';
import { Rng } from '../shared/random.ts';
import { augmentClips, clipsToTensor } from '../train/augment.ts';
import { sampleClipParams } from '../train/augmentParams.ts';
import { parseTrainConfig } from '../train/config.ts';

/**
 * Undoes the mean/std normalisation: x f32[N,T,S,S,3] → i32[N,T,S,S,3] pixels 0..255. Per channel on the [·, 3]
 * view: TF.js's webgpu backend cannot compile a rank-5 × rank-1 broadcast (its shared-memory binary shader indexes
 * a vec5), which failed the preview with a WGSL validation error.
 */
export function toPixels(
  x: tf.Tensor5D,
  norm: { readonly mean: readonly number[]; readonly std: readonly number[] },
): tf.Tensor5D {
  return tf.tidy(() => {
    const rgb = channelAffine(x, tf.tensor1d([...norm.std]), tf.tensor1d([...norm.mean]));
    return tf.cast(tf.clipByValue(tf.round(rgb), 0, 255), 'int32');
  });
}

/** Returns u8[N, T, S, S, 3] for `spec.clips` train clips evenly spread over the split, drawn from `spec.seed`. */
export async function augmentPreview(spec: AugmentPreviewSpec): Promise<AugmentPreview> {
  const c = parseTrainConfig(spec.config);
  const source = await openStoredClipSource(c.dataset, {
    clipLen: c.data.clipLen,
    frameInterval: c.data.frameInterval,
    temporalJitter: c.data.temporalJitter,
  });
  const total = source.count('train');
  const n = Math.max(1, Math.min(spec.clips, total));
  const indices = Array.from({ length: n }, (_, i) => Math.floor((i * total) / n));
  const rng = new Rng(spec.seed);
  const batch = await source.read('train', indices, rng);
  const [, t, h, w] = batch.shape;
  const size = c.data.cropSize;
  const params = indices.map(() => sampleClipParams(c.augmentation, size, h, w, rng));
  const pixels = tf.tidy(() =>
    toPixels(augmentClips(clipsToTensor(batch.x, batch.shape), params, size, c.augmentation), c.augmentation),
  );
  try {
    const frames = Uint8Array.from((await pixels.data()) as Int32Array);
    return {
      clips: n,
      frames: t,
      size,
      labels: [...batch.labels].map((l) => source.classes[l] ?? String(l)),
      flips: params.map((p) => p.flip),
      pixels: frames,
    };
  } finally {
    pixels.dispose();
  }
}
