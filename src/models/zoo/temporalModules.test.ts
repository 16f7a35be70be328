// TANet's TAM (tanet.ts) and TIN's TemporalInterlace (nn/temporalInterlace.ts) against PyTorch twins restated from
// MMAction2's module code (fixtures/torch_temporal_modules.py, float64, training mode) on the cpu backend: outputs
// and the gradients of the input and of every parameter within 1e-4 (relative to the largest magnitude).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../shared/random.ts';
import type { Module } from '../nn/module.ts';
import { TemporalInterlace } from '../nn/temporalInterlace.ts';
import { tf } from '../tf.ts';
import { assignTorchParams, maxAbs, maxDiff, runTwin, torchLayoutGrad } from './fixtures/twin.ts';
import { TAM } from './tanet.ts';

const close = (got: ArrayLike<number>, want: readonly number[]): number =>
  maxDiff(got, want) / (maxAbs(want) + 1e-6);

describe('temporal modules equal their PyTorch twins', () => {
  it.each([
    ['tam', 2, 4, 3, 3, 8, 4, (c: number, t: number): Module => new TAM(new Rng(1), c, t)],
    ['tin', 2, 5, 3, 2, 32, 4, (c: number, t: number): Module => new TemporalInterlace(new Rng(1), c, t, 4)],
  ] as const)(
    '%s: N=%i T=%i %i×%i C=%i (shift_div %i), forward and gradients within 1e-4',
    async (kind, n, t, h, w, c, div, make) => {
      const ref = await runTwin('torch_temporal_modules.py', [kind, n, t, h, w, c, div].map(String));
      const m = make(c, t);
      try {
        const params = m.namedParameters();
        expect([...params.keys()].sort()).toEqual(Object.keys(ref.params).sort());
        assignTorchParams(params, ref.params);
        const x = tf.tensor5d(ref.x, [n, t, h, w, c]);
        const g = tf.tensor5d(ref.g, [n, t, h, w, c]);
        const f = (xi: tf.Tensor): tf.Scalar =>
          tf.sum(tf.mul(m.forward(xi, { training: true }) as tf.Tensor, g));
        const out = m.forward(x, { training: true }) as tf.Tensor;
        const errs: Record<string, number> = { out: close(await out.data(), ref.out) };
        const { grads } = tf.variableGrads(() => f(x));
        const gx = tf.grad(f)(x);
        errs.x = close(await gx.data(), ref.grads.x ?? []);
        for (const [name, nv] of params) {
          const got = grads[nv.variable.name];
          expect(got, name).toBeDefined();
          errs[name] = close(got ? await torchLayoutGrad(nv, got) : [], ref.grads[name] ?? []);
        }
        console.log(kind, JSON.stringify(errs));
        for (const [k, e] of Object.entries(errs)) expect(e, k).toBeLessThan(1e-4);
        tf.dispose([x, g, out, gx, ...Object.values(grads)]);
      } finally {
        m.dispose();
      }
    },
    120_000,
  );
});
