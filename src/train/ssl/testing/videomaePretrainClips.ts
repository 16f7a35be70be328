// TEST-ONLY: a few fixed Toy Actions clips (the dataset's renderer, seeded) as f32[N,T,S,S,3] in [0,1] for the
// masked-pretraining tests (MaskFeat, VideoMAE).
import { tf } from '../../../models/tf.ts';
import { renderClip, sampleClipParams } from '../../../data/toy/render.ts';
import { TOY_CLASSES } from '../../../data/toy/classes.ts';
import { Rng } from '../../../shared/random.ts';

export function toyClipBatch(
  count: number,
  frames: number,
  size: number,
  seed: number,
  noise?: number,
): tf.Tensor5D {
  const rng = new Rng(seed);
  const px = frames * size * size;
  const out = new Float32Array(count * px * 3);
  for (let i = 0; i < count; i++) {
    const rgba = renderClip(
      sampleClipParams(rng, size, frames),
      i % TOY_CLASSES.length,
      noise === undefined ? {} : { noise },
    );
    for (let p = 0; p < px; p++)
      for (let c = 0; c < 3; c++) out[(i * px + p) * 3 + c] = (rgba[p * 4 + c] ?? 0) / 255;
  }
  return tf.tensor5d(out, [count, frames, size, size, 3]);
}
