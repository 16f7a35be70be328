// The zoo's LSTM on the cpu backend (Node) against torch.nn.LSTM run by Debian's PyTorch (fixtures/lstm_reference.py):
// PyTorch's weights loaded by name through the 'linear' layout, outputs and gradients (input and every weight).
import { describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { PYTHON } from '../weights/fixtures/python.ts';
import { LSTM } from './lstm.ts';

interface Cp {
  execFileSync(f: string, a: string[], o: { encoding: 'utf8'; timeout: number }): string;
}
interface Reference {
  state: Record<string, { shape: number[]; data: number[] }>;
  x: number[];
  out: number[];
  r: number[];
  dx: number[];
  grads: Record<string, number[]>;
}
const load = (name: string): Promise<unknown> => import(/* @vite-ignore */ name);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return m;
}

describe('LSTM', () => {
  it.each([
    [2, 5, 6, 4, 2],
    [3, 1, 3, 5, 1],
  ] as const)(
    'equals torch.nn.LSTM for N=%i T=%i in=%i hidden=%i layers=%i',
    async (n, t, inp, hid, layers) => {
      const cp = (await load('node:child_process')) as Cp;
      const script = decodeURIComponent(new URL('./fixtures/lstm_reference.py', import.meta.url).pathname);
      const ref = JSON.parse(
        cp.execFileSync(PYTHON, [script, String(n), String(t), String(inp), String(hid), String(layers)], {
          encoding: 'utf8',
          timeout: 120_000,
        }),
      ) as Reference;
      const lstm = new LSTM(new Rng(1), inp, hid, layers);
      const params = lstm.namedParameters();
      expect([...params.keys()].sort()).toEqual(Object.keys(ref.state).sort());
      for (const [key, { variable, layout }] of params) {
        const s = ref.state[key];
        if (!s) throw new Error(`no ${key} in the reference`);
        tf.tidy(() => {
          const w = tf.tensor(s.data, s.shape);
          variable.assign(layout.kind === 'linear' ? tf.transpose(w) : w);
        });
      }
      const x = tf.tensor3d(ref.x, [n, t, inp]);
      const r = tf.tensor3d(ref.r, [n, t, hid]);
      const before = tf.memory().numTensors;
      const vars = [...params.values()].map((p) => p.variable);
      const { value, grads } = tf.variableGrads(() => {
        const out = lstm.forward(x, { training: true }) as tf.Tensor3D;
        return tf.sum(tf.mul(out, r));
      }, vars);
      const dx = tf.grad((xi: tf.Tensor) =>
        tf.sum(tf.mul(lstm.forward(xi, { training: true }) as tf.Tensor, r)),
      )(x);
      const out = tf.tidy(() => lstm.forward(x, { training: false }) as tf.Tensor);
      expect(maxAbsDiff(await out.data(), ref.out)).toBeLessThan(1e-5);
      expect(maxAbsDiff(await dx.data(), ref.dx)).toBeLessThan(1e-5);
      for (const [key, { variable, layout }] of params) {
        const g = grads[variable.name];
        if (!g) throw new Error(`no gradient for ${key}`);
        const torchLayout = layout.kind === 'linear' ? tf.transpose(g) : g;
        expect(maxAbsDiff(await torchLayout.data(), ref.grads[key] ?? []), key).toBeLessThan(1e-5);
        torchLayout.dispose();
      }
      tf.dispose([value, dx, out, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, r]);
      lstm.dispose();
    },
    120_000,
  );
});
