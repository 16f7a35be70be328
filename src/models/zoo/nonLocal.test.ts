// mmcv NonLocal3d on TF.js's cpu backend (Node): with θ zeroed the embedded-Gaussian weights are uniform, so every
// position receives the mean of the sub-sampled g; dot_product divides θφᵀ by the number of pooled positions.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { NonLocal3d, type NonLocalOptions } from './nonLocal.ts';

const x = (): tf.Tensor5D => tf.randomNormal<tf.Rank.R5>([1, 2, 4, 4, 8], 0, 1, 'float32', 4);

function build(opts: NonLocalOptions): { nl: NonLocal3d; p: Map<string, tf.Variable> } {
  const nl = new NonLocal3d(new Rng(3), 8, opts);
  const p = new Map([...nl.namedParameters()].map(([k, v]) => [k, v.variable]));
  return { nl, p };
}

/** The 1×1×1 conv of `prefix` applied to rows f32[L, C]. */
function conv1x1(p: Map<string, tf.Variable>, prefix: string, rows: tf.Tensor2D, bias: boolean): tf.Tensor2D {
  const w = p.get(`${prefix}.conv.weight`);
  if (!w) throw new Error(`no ${prefix}`);
  const y: tf.Tensor2D = tf.matMul(rows, tf.reshape<tf.Rank.R2>(w, [w.shape[3] ?? 0, w.shape[4] ?? 0]));
  const b = p.get(`${prefix}.conv.bias`);
  return bias && b ? tf.add<tf.Tensor2D>(y, b) : y;
}

describe('NonLocal3d', () => {
  beforeEach(() => tf.engine().startScope());
  afterEach(() => tf.engine().endScope());

  it('embedded Gaussian with θ = 0 gives every position the mean of the (1,2,2)-pooled g', async () => {
    const { nl, p } = build({ mode: 'embedded_gaussian', useScale: false, subSample: true });
    for (const k of ['theta.conv.weight', 'theta.conv.bias'])
      p.get(k)?.assign(tf.zerosLike(p.get(k) as tf.Tensor));
    const input = x();
    const got = nl.forward(input, { training: false }) as tf.Tensor;
    const g = tf.reshape<tf.Rank.R5>(
      conv1x1(p, 'g.0', tf.reshape<tf.Rank.R2>(input, [-1, 8]), true),
      [1, 2, 4, 4, 4],
    );
    const pooled = tf.maxPool3d(g, [1, 2, 2], [1, 2, 2], 'valid'); // [1,2,2,2,4]: 8 positions
    const mean = tf.mean<tf.Tensor2D>(tf.reshape(pooled, [8, 4]), 0, true);
    // conv_out then BN in eval with fresh statistics (mean 0, var 1): scale 1/√(1+1e-5)
    const out = tf.mul(conv1x1(p, 'conv_out', mean, false), 1 / Math.sqrt(1 + 1e-5));
    const want = tf.add(input, tf.reshape(out, [1, 1, 1, 1, 8]));
    const d = await tf.max(tf.abs(tf.sub(got, want))).data();
    expect(d[0]).toBeLessThan(1e-5);
    expect(await tf.max(tf.abs(tf.sub(got, input))).data()).not.toEqual(new Float32Array([0]));
    nl.dispose();
  });

  it('dot product divides the pairwise weights by the pooled positions', async () => {
    const { nl, p } = build({ mode: 'dot_product', useScale: false, subSample: false });
    const input = x();
    const got = nl.forward(input, { training: false }) as tf.Tensor;
    const rows = tf.reshape<tf.Rank.R2>(input, [32, 8]);
    const [th, ph, g] = ['theta', 'phi', 'g'].map((k) => conv1x1(p, k, rows, true));
    const pairwise = tf.div(tf.matMul(th as tf.Tensor2D, ph as tf.Tensor2D, false, true), 32);
    const y = conv1x1(p, 'conv_out', tf.matMul(pairwise, g as tf.Tensor2D), false);
    const want = tf.add(input, tf.reshape(tf.mul(y, 1 / Math.sqrt(1 + 1e-5)), [1, 2, 4, 4, 8]));
    const d = await tf.max(tf.abs(tf.sub(got, want))).data();
    expect(d[0]).toBeLessThan(1e-5);
    nl.dispose();
  });
});
