// layerNorm and gelu on TF.js's CPU backend (our f64 reference kernels) against the stock TF.js compositions:
// value and input gradients, the kernels actually dispatched, argument checks and tensor leaks. Node.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { maxAbsDiff, parityTolerance } from '../../gpu/kernels/parity.ts';
import { layerNorm, layerNormComposed } from './layerNorm.ts';
import { gelu, geluComposed } from './gelu.ts';

async function closeAll(got: tf.Tensor[], want: tf.Tensor[], names: string[]): Promise<void> {
  for (const [i, name] of names.entries()) {
    const [g, w] = [got[i], want[i]];
    if (!g || !w) throw new Error(`missing ${name}`);
    const ref = await w.data();
    expect(maxAbsDiff(await g.data(), ref), name).toBeLessThanOrEqual(parityTolerance(ref));
  }
  tf.dispose([...got, ...want]);
}

describe('layerNorm and gelu on the cpu backend', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('layerNorm: value and gradients match layerNormComposed on a 3-D input', async () => {
    const rng = new Rng(21);
    const x = tf.tensor3d(rng.float32(2 * 5 * 12, -3, 3), [2, 5, 12]);
    const dy = tf.tensor3d(rng.float32(2 * 5 * 12), [2, 5, 12]);
    const gamma = tf.tensor1d(rng.float32(12, 0.5, 1.5));
    const beta = tf.tensor1d(rng.float32(12));
    const run = (f: typeof layerNorm): tf.Tensor[] =>
      tf.tidy(() => [
        f(x, gamma, beta, { eps: 1e-3 }),
        ...tf.grads((a, g, b) =>
          f(a, g as tf.Tensor1D, b as tf.Tensor1D, { eps: 1e-3 })
            .mul(dy)
            .sum(),
        )([x, gamma, beta]),
      ]);
    const composed: typeof layerNorm = (a, g, b, o) => layerNormComposed(a, g, b, o?.eps);
    await closeAll(run(layerNorm), run(composed), ['y', 'dx', 'dgamma', 'dbeta']);
    tf.dispose([x, dy, gamma, beta]);
  });

  it('gelu: value and gradient match geluComposed in both forms', async () => {
    const rng = new Rng(22);
    const x = tf.tensor1d(Float32Array.from({ length: 300 }, () => 3 * rng.normal()));
    for (const approximate of ['none', 'tanh'] as const) {
      const run = (f: (a: tf.Tensor) => tf.Tensor): tf.Tensor[] =>
        tf.tidy(() => [f(x), tf.grad((a) => f(a).square().sum())(x)]);
      await closeAll(
        run((a) => gelu(a, { approximate })),
        run((a) => geluComposed(a, approximate)),
        ['y', 'dx'],
      );
    }
    x.dispose();
  });

  it('dispatches our kernels unless impl is composed', async () => {
    const x = tf.tensor2d([1, -2, 3, 4], [2, 2]);
    const [g, b] = [tf.ones<tf.Rank.R1>([2]), tf.zeros<tf.Rank.R1>([2])];
    const names = async (impl: 'fused' | 'composed'): Promise<string[]> =>
      (await tf.profile(() => tf.tidy(() => layerNorm(gelu(x, { impl }), g, b, { impl })))).kernelNames;
    expect(await names('fused')).toEqual(['TubeletGelu', 'TubeletLayerNorm']);
    const stock = await names('composed');
    expect(stock).toContain('Erf');
    expect(stock).not.toContain('TubeletLayerNorm');
    tf.dispose([x, g, b]);
  });

  it('rejects mismatched gamma and non-float inputs, naming the argument', () => {
    const x = tf.zeros([2, 3]);
    const g4 = tf.ones<tf.Rank.R1>([4]);
    const b3 = tf.zeros<tf.Rank.R1>([3]);
    const xi = tf.zeros([2, 3], 'int32');
    expect(() => layerNorm(x, g4, b3)).toThrow(/gamma must be f32\[3\]/);
    expect(() => gelu(xi)).toThrow(/float32/);
    tf.dispose([x, g4, b3, xi]);
  });

  it('leaks no tensors over 50 forward + backward steps', () => {
    const rng = new Rng(23);
    const x = tf.tensor2d(rng.float32(24), [4, 6]);
    const [g, b] = [tf.ones<tf.Rank.R1>([6]), tf.zeros<tf.Rank.R1>([6])];
    const step = (): void => {
      tf.dispose(tf.tidy(() => tf.grads((a, gg) => layerNorm(gelu(a), gg as tf.Tensor1D, b).sum())([x, g])));
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, g, b]);
  });
});
