// fusedAttention on TF.js's CPU backend (our CPU-reference kernels) against composedAttention (stock TF.js ops):
// forward, input gradients, masks, dropout and tensor leaks. Node.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { maxAbsDiff, parityTolerance } from '../../gpu/kernels/parity.ts';
import { composedAttention, fusedAttention, type AttentionOpOptions } from './attention.ts';
import { disposeInputs, opInputs, valueAndGrads } from './attentionTesting.ts';

function expectClose(got: Float32Array[], want: Float32Array[]): void {
  ['o', 'dq', 'dk', 'dv'].forEach((name, i) => {
    const g = got[i] ?? new Float32Array();
    const w = want[i] ?? new Float32Array();
    expect(maxAbsDiff(g, w), name).toBeLessThanOrEqual(parityTolerance(w));
  });
}

describe('fusedAttention on the cpu backend', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matches composedAttention with a mask, key padding and lq ≠ lk', async () => {
    const x = opInputs(1, 2, 2, 5, 9, 32);
    const rng = new Rng(2);
    const maskValues = rng.float32(5 * 9);
    maskValues[3] = -Infinity;
    const mask = tf.tensor2d(maskValues, [5, 9]);
    const opts: AttentionOpOptions = { mask, keyPaddingMask: [9, 4] };
    expectClose(
      await valueAndGrads(fusedAttention, x, opts),
      await valueAndGrads(composedAttention, x, opts),
    );
    tf.dispose(mask);
    disposeInputs(x);
  });

  it('matches composedAttention with dropout, and gives zeros for fully padded batches', async () => {
    const x = opInputs(3, 2, 1, 7, 7, 64);
    const opts: AttentionOpOptions = { dropout: { rate: 0.3, seed: 11 }, keyPaddingMask: [0, 7], scale: 0.2 };
    const fused = await valueAndGrads(fusedAttention, x, opts);
    expectClose(fused, await valueAndGrads(composedAttention, x, opts));
    expect(Array.from(fused[0]?.subarray(0, 7 * 64) ?? []).every((value) => value === 0)).toBe(true);
    disposeInputs(x);
  });

  it('leaks no tensors over repeated forward and backward steps', async () => {
    const x = opInputs(4, 1, 2, 6, 6, 32);
    const mask = tf.zeros<tf.Rank.R2>([6, 6]);
    await valueAndGrads(fusedAttention, x, { mask });
    const before = tf.memory().numTensors;
    for (let step = 0; step < 10; step++) {
      await valueAndGrads(fusedAttention, x, { mask, dropout: { rate: 0.1, seed: step } });
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(mask);
    disposeInputs(x);
  });

  it('rejects unsupported head dims and mismatched masks', () => {
    const a = tf.zeros<tf.Rank.R4>([1, 1, 4, 48]);
    expect(() => fusedAttention(a, a, a)).toThrow(/head dim/);
    const b = tf.zeros<tf.Rank.R4>([1, 1, 4, 32]);
    const m = tf.zeros<tf.Rank.R2>([3, 4]);
    expect(() => fusedAttention(b, b, b, { mask: m })).toThrow(/mask must be/);
    tf.dispose([a, b, m]);
  });
});
