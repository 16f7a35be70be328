// The per-step readback packs losses, the gradient norm and logits into one transfer and unpacks them in order.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../models/tf.ts';
import { readStep } from './stepReadback.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('readStep', () => {
  it('returns every micro-batch loss, the norm and each logits block in order, disposing nothing it was given', async () => {
    const losses = [tf.scalar(1.5), tf.scalar(-2)];
    const norm = tf.scalar(0.25);
    const logits = [tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor2d([7, 8, 9], [1, 3])];
    const before = tf.memory().numTensors;
    const read = await readStep(losses, norm, logits);
    expect(tf.memory().numTensors).toBe(before);
    expect(read.losses).toEqual([1.5, -2]);
    expect(read.gradNorm).toBe(0.25);
    expect(read.logits.map((l) => [...l])).toEqual([
      [1, 2, 3, 4, 5, 6],
      [7, 8, 9],
    ]);
    expect(losses[0]?.isDisposed).toBe(false);
    tf.dispose([...losses, norm, ...logits]);
  });
});
