// TSM's temporal shift on the cpu backend (Node) against MMAction2's TemporalShift.shift run by Debian's PyTorch
// (fixtures/temporal_shift.py): NCHW segments along the batch there, f32[N,T,H,W,C] here.
import { describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { PYTHON } from '../weights/fixtures/python.ts';
import { temporalShift } from './temporalShift.ts';

interface Cp {
  execFileSync(f: string, a: string[], o: { encoding: 'utf8'; timeout: number }): string;
}
const load = (name: string): Promise<unknown> => import(/* @vite-ignore */ name);

/** [N·T, C, H, W] (flat) → f32[N,T,H,W,C]. */
function fromNchw(v: number[], [n, t, c, h, w]: readonly number[]): tf.Tensor5D {
  return tf.tidy(() =>
    tf.transpose(tf.tensor5d(v, [n ?? 0, t ?? 0, c ?? 0, h ?? 0, w ?? 0]), [0, 1, 3, 4, 2]),
  );
}

describe('temporalShift', () => {
  it.each([
    [2, 4, 10, 2, 3, 8],
    [1, 8, 16, 3, 2, 8],
    [2, 3, 12, 1, 2, 4],
  ] as const)(
    'equals MMAction2 for N=%i T=%i C=%i H=%i W=%i shift_div=%i',
    async (...dims) => {
      const cp = (await load('node:child_process')) as Cp;
      const script = decodeURIComponent(new URL('./fixtures/temporal_shift.py', import.meta.url).pathname);
      const out = cp.execFileSync(PYTHON, [script, ...dims.map(String)], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      const { x, y } = JSON.parse(out) as { x: number[]; y: number[] };
      const before = tf.memory().numTensors;
      const xt = fromNchw(x, dims);
      const want = fromNchw(y, dims);
      const got = temporalShift(xt, dims[5]);
      expect(got.shape).toEqual(xt.shape);
      const maxDiff = (a: tf.Tensor, b: tf.Tensor): number =>
        tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? NaN);
      expect(maxDiff(got, want)).toBe(0);
      // and it moved something: the shifted channels differ from the input
      expect(maxDiff(got, xt)).toBeGreaterThan(0);
      tf.dispose([xt, want, got]);
      expect(tf.memory().numTensors).toBe(before);
    },
    120_000,
  );
});
