// Augmentation preview (compute worker): a few train clips of a stored dataset, sampled and augmented on the GPU
// exactly as the train loop does for `config` (src/train/augment.ts), then mapped back from mean/std to pixels.
import { openStoredClipSource } from '../data/clips/storedClipSource.ts';
import { tf } from '../models/tf.ts';
import type { AugmentPreview, AugmentPreviewSpec } from '../shared/protocol.ts';
import { Rng } from '../shared/random.ts';
import { augmentClips, clipsToTensor } from '../train/augment.ts';
import { sampleClipParams } from '../train/augmentParams.ts';
import { parseTrainConfig } from '../train/config.ts';

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
  const { mean, std } = c.augmentation;
  const pixels = tf.tidy(() => {
    const x = augmentClips(clipsToTensor(batch.x, batch.shape), params, size, c.augmentation);
    const rgb = tf.add(tf.mul(x, tf.tensor1d([...std])), tf.tensor1d([...mean]));
    return tf.cast(tf.clipByValue(tf.round(rgb), 0, 255), 'int32');
  });
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
