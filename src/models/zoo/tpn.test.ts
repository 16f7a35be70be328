// TPN (tpn.ts): the neck and aux head against a PyTorch twin (fixtures/torch_tpn.py, Debian's PyTorch, float64;
// forward and every gradient), the published checkpoint layouts of TPN-SlowOnly-R50 / TPN-TSM-R50 (fixtures/
// published_keys.py: every key and PyTorch shape, metafile parameter counts), and a tiny training step with the aux loss.
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../shared/random.ts';
import { tf } from '../tf.ts';
import { withAuxLoss } from './auxLoss.ts';
import { withoutInitialisation } from '../nn/init.ts';
import { PYTHON } from '../weights/fixtures/python.ts';
import {
  assignTorchParams,
  maxAbs,
  maxDiff,
  runTwin,
  torchLayoutGrad,
  type TwinOut,
} from './fixtures/twin.ts';
import { nodeModules } from './fixtures/nodeModules.ts';
import { buildModel } from './registry.ts';
import { torchShape } from './stateDict.ts';
import { buildTPN, temporalMaxPool, TPNNeck } from './tpn.ts';

interface TpnTwin extends TwinOut {
  x4: number[];
  g_aux: number[];
  aux: number[];
  buffers: Record<string, number[]>;
}

const close = (got: ArrayLike<number>, want: readonly number[], what: string): void => {
  expect(maxDiff(got, want), what).toBeLessThan(1e-4 * maxAbs(want) + 1e-6);
};

describe('TPN neck and aux head', () => {
  it('ceil-mode temporal max pool: windows of s frames, the last shorter', async () => {
    const x = tf.tensor5d([1, 5, 2, 7, 3], [1, 5, 1, 1, 1]);
    expect(Array.from(await (temporalMaxPool(x, 2) as tf.Tensor).data())).toEqual([5, 7, 3]);
    expect(Array.from(await (temporalMaxPool(x, 8) as tf.Tensor).data())).toEqual([7]);
    x.dispose();
  });

  it('equals the PyTorch twin within 1e-4, forward and gradients (T 3, scale 2, groups 4)', async () => {
    const [n, t, h3, c3, c4, out, fused, groups, scale, classes] = [2, 3, 4, 8, 16, 8, 16, 4, 2, 3];
    const ref = (await runTwin(
      'torch_tpn.py',
      [n, t, h3, c3, c4, out, fused, groups, scale, classes].map(String),
    )) as TpnTwin;
    const neck = new TPNNeck(new Rng(0), { c3, c4, out, fused, groups, temporalScale: scale }, classes);
    try {
      const params = neck.namedParameters();
      expect([...params.keys()].sort()).toEqual(Object.keys(ref.params).sort());
      assignTorchParams(params, ref.params);
      const buffers = new Map([...neck.namedBuffers()].filter(([k]) => !k.endsWith('num_batches_tracked')));
      assignTorchParams(buffers, ref.buffers);
      const x3 = tf.tensor5d(ref.x, [n, t, h3, h3, c3]);
      const x4 = tf.tensor5d(ref.x4, [n, t, h3 / 2, h3 / 2, c4]);
      const tOut = Math.ceil(t / scale);
      const g = tf.tensor5d(ref.g, [n, tOut, h3 / 2, h3 / 2, fused]);
      const ga = tf.tensor2d(ref.g_aux, [n, classes]);
      const train = { training: true };
      const run = (a: tf.Tensor, b: tf.Tensor): { y: tf.Tensor; aux: tf.Tensor } => ({
        y: neck.pyramid([a, b], train) as tf.Tensor,
        aux: neck.aux.forward(a, { training: false }) as tf.Tensor,
      });
      const loss = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => {
        const { y, aux } = run(a, b);
        return tf.add(tf.sum(tf.mul(y, g)), tf.sum(tf.mul(aux, ga)));
      };
      const { y, aux } = run(x3, x4);
      expect(y.shape).toEqual([n, tOut, h3 / 2, h3 / 2, fused]);
      close(await y.data(), ref.out, 'neck output');
      close(await aux.data(), ref.aux, 'aux logits');
      const [gx3, gx4] = tf.grads(loss)([x3, x4]);
      close((await gx3?.data()) ?? [], ref.grads.x ?? [], 'grad layer3');
      close((await gx4?.data()) ?? [], ref.grads.x4 ?? [], 'grad layer4');
      const { grads } = tf.variableGrads(
        () => loss(x3, x4),
        [...params.values()].map((p) => p.variable),
      );
      for (const [name, nv] of params) {
        const got = grads[nv.variable.name];
        expect(got, name).toBeDefined();
        close(got ? await torchLayoutGrad(nv, got) : [], ref.grads[name] ?? [], name);
      }
      tf.dispose([x3, x4, g, ga, y, aux, gx3, gx4, ...Object.values(grads)].filter((v) => v !== undefined));
    } finally {
      neck.dispose();
    }
  }, 120_000);

  it('a tiny training step: the aux loss reaches the aux head, nothing leaks', () => {
    const model = buildTPN('slowonly', { numClasses: 3, preset: 'tiny', seed: 1 });
    try {
      const x = tf.randomNormal<tf.Rank.R5>([2, 4, 32, 32, 3], 0, 1, 'float32', 3);
      const y = tf.oneHot([0, 2], 3).toFloat() as tf.Tensor2D;
      const before = tf.memory().numTensors;
      const vars = [...model.parameters().values()];
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.forward(x, { training: true });
        return withAuxLoss(model, tf.losses.softmaxCrossEntropy(y, logits), y);
      }, vars);
      const names = new Map([...model.parameters()].map(([k, v]) => [v.name, k]));
      const reached = Object.entries(grads)
        .filter(([, gr]) => (tf.tidy(() => tf.max(tf.abs(gr)).dataSync()[0]) ?? 0) > 0)
        .map(([v]) => names.get(v));
      expect(reached).toContain('neck.aux_head.fc.weight');
      expect(reached).toContain('neck.aux_head.conv.conv.weight');
      expect(reached.length).toBe(vars.length);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      expect(model.takeAuxLogits()).toBeNull(); // taken by withAuxLoss
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, y]);
    } finally {
      model.dispose();
    }
  }, 120_000);
});

describe('TPN published checkpoint layouts', () => {
  let published: Record<string, [string, number[]][]> = {};

  beforeAll(async () => {
    const node = await nodeModules();
    const fixtures = decodeURIComponent(new URL('./fixtures/', import.meta.url).pathname);
    // the key lists of fixtures/published_keys.py (names and PyTorch shapes; no full-size tensors written)
    const code = `import json, sys; sys.path.insert(0, ${JSON.stringify(fixtures)}); import published_keys as p
print(json.dumps({a: p.PUBLISHED[a]() for a in ("tpn_slowonly_r50", "tpn_tsm_r50")}))`;
    published = JSON.parse(
      node.cp.execFileSync(PYTHON, ['-c', code], { encoding: 'utf8', timeout: 120_000 }),
    ) as typeof published;
  }, 120_000);

  it.each([
    ['tpn_slowonly_r50', 400, 379, 91_498_336],
    ['tpn_tsm_r50', 174, 379, 82_445_724],
  ] as const)(
    '%s (%i classes): every one of the %i published keys with its shape, %i parameters',
    (arch, classes, n, params) => {
      const want = published[arch] ?? [];
      expect(want.length).toBe(n);
      const model = withoutInitialisation(() => buildModel(arch, { numClasses: classes }));
      try {
        const ours = [...model.stateEntries()].map(([k, nv]): [string, number[]] => [
          k,
          torchShape(nv.variable.shape, nv.layout),
        ]);
        expect(new Map(ours)).toEqual(new Map(want));
        expect(model.paramCount()).toBe(params);
      } finally {
        model.dispose();
      }
    },
    120_000,
  );
});
