// hogTargets on the cpu backend (Node): the CPU reference behind a TF.js kernel, dtype handling, shape errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { hogRef } from '../../gpu/kernels/hog/hog.ref.ts';
import { hogTestImage, stackImages } from '../../gpu/kernels/hog/hog.testImages.ts';
import { hogTargets } from './hog.ts';

describe('hogTargets on the cpu backend', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('returns the reference features as f32[B, H/8, W/8, 3, 9] for float and int32 frames', () => {
    const rng = new Rng(4);
    const values = stackImages([0, 1].map(() => hogTestImage(rng, 17, 24, ['bars', 'edges', 'noise'], 255)));
    const want = hogRef(values, { batch: 2, height: 17, width: 24 }, { binning: 'f32-cross' });
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(values, [2, 17, 24, 3]);
    const ints = tf.tensor4d(Int32Array.from(values), [2, 17, 24, 3], 'int32');
    for (const input of [x, ints]) {
      const out = hogTargets(input);
      expect(out.shape).toEqual([2, 2, 3, 3, 9]);
      expect(out.dtype).toBe('float32');
      expect(Array.from(out.dataSync())).toEqual(Array.from(want));
      out.dispose();
    }
    x.dispose();
    ints.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects frames that are not [B,H,W,3] or smaller than one cell', () => {
    const gray = tf.zeros<tf.Rank.R4>([1, 16, 16, 1]);
    const tiny = tf.zeros<tf.Rank.R4>([1, 4, 16, 3]);
    expect(() => hogTargets(gray)).toThrow(/f32\[B,H,W,3\]/);
    expect(() => hogTargets(tiny)).toThrow(/at least 8×8/);
    gray.dispose();
    tiny.dispose();
  });
});
