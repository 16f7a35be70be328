// MViTv2-S / MViTv1-B on the cpu backend (Node) against torchvision's mvit_v2_s / mvit_v1_b run by Debian's
// PyTorch (fixtures/torch_mvit.py: seeded weights, perturbed LayerNorms, strong rel-pos and position tables): the
// full-size torchvision state_dict is read through the `--from torchvision` key map and strictly loaded, and our
// logits on a 4×64×64 clip must equal PyTorch's within 1e-3 relative — with the composed and the fused attention.
import { describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { PYTHON } from '../weights/fixtures/python.ts';
import { readWeights } from '../weights/read.ts';
import { unwrapStateDict } from '../weights/unwrap.ts';
import { keyMapFor } from '../weights/keyMaps.ts';
import { nodeModules } from './fixtures/nodeModules.ts';
import { loadStateDict, torchShape } from './stateDict.ts';
import { buildMViT, type MViTName } from './mvit.ts';
import { linearResizeMatrix, relDistances } from './mvitRelPos.ts';
import { modelInfo } from './registry.ts';
import { MultiscaleAttention } from './mvitAttention.ts';
import { Rng } from '../../shared/random.ts';
import { real } from '../nn/module.ts';

interface Reference {
  x: number[];
  logits: number[];
  keys: [string, number[]][];
  params: number;
}

describe('MViT equals torchvision', () => {
  it('rel-pos index math: torchvision distances and F.interpolate(linear) weights', () => {
    // q 4, k 2: ratios 1 and 2 → i − (j − 1)·2
    expect([...relDistances(4, 2)]).toEqual([2, 0, 3, 1, 4, 2, 5, 3]);
    // 3 → 5 rows, align_corners False: sources 0.6·(i + 0.5) − 0.5 = 0 (clamped), 0.4, 1, 1.6, 2.2 (last row kept)
    const m = linearResizeMatrix(3, 5);
    expect([...m].map((v) => Math.round(v * 10) / 10)).toEqual([
      1, 0, 0, 0.6, 0.4, 0, 0, 1, 0, 0, 0.4, 0.6, 0, 0, 1,
    ]);
  });

  // torchvision's weight metas: num_params, and GFLOPS 64.224 / 70.599 at 16×224² (their "_ops", which count conv,
  // linear and the attention matmuls, rel-pos einsums included: what our MACs count)
  it.each([
    ['mvit_v2_s', 34_537_744, 64.224],
    ['mvit_v1_b', 36_610_672, 70.599],
  ] as const)('%s has torchvision num_params %i and %f GMACs', (name, params, gmacs) => {
    const info = modelInfo(name, { numClasses: 400 });
    expect(info.params).toBe(params);
    expect(info.input).toEqual([1, 16, 224, 224, 3]);
    expect(Math.abs(info.macs / 1e9 - gmacs)).toBeLessThan(0.0005);
  });

  it.each(['mvit_v2_s', 'mvit_v1_b'] as const)(
    '%s: --from torchvision import, logits within 1e-3 relative of PyTorch (1 × 4×64×64)',
    async (name: MViTName) => {
      const node = await nodeModules();
      const [t, h, w] = [4, 64, 64];
      const script = decodeURIComponent(new URL('./fixtures/torch_mvit.py', import.meta.url).pathname);
      const dir = node.fs.mkdtempSync(`${node.os.tmpdir()}/tubelet-mvit-`);
      try {
        const ref = JSON.parse(
          node.cp.execFileSync(PYTHON, [script, dir, name, String(t), String(h), String(w)], {
            encoding: 'utf8',
            timeout: 300_000,
            maxBuffer: 1 << 28,
          }),
        ) as Reference;
        const flat = await readWeights(new Uint8Array(node.fs.readFileSync(`${dir}/model.pth`)), 'model.pth');
        const mapKey = keyMapFor(name, 'torchvision');
        const tensors = new Map(
          [...unwrapStateDict(flat).tensors].map(([k, v]) => [mapKey(k) ?? k, v] as const),
        );
        const x = tf.tidy(() =>
          tf.transpose<tf.Tensor5D>(tf.tensor5d(ref.x, [1, 3, t, h, w]), [0, 2, 3, 4, 1]),
        );
        const max = ref.logits.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        for (const impl of ['composed', 'fused'] as const) {
          // mvit_v1_b's position tables are sized from the clip (as the fixture rebuilds torchvision's); mvit_v2_s
          // is the published 16×224² model, its rel-pos tables resized to the clip
          const input = name === 'mvit_v1_b' ? ([t, h, w] as const) : undefined;
          const model = buildMViT(name, { numClasses: 400 }, { impl, ...(input ? { input } : {}) });
          try {
            const report = loadStateDict(model, tensors, { fileName: 'model.pth' }); // strict
            expect(report.loaded.length).toBe(ref.keys.length);
            // our names and PyTorch shapes are torchvision's
            const ours = [...model.stateEntries()].map(
              ([k, nv]) => [k, torchShape(nv.variable.shape, nv.layout)] as const,
            );
            expect(new Map(ours)).toEqual(new Map(ref.keys));
            const before = tf.memory().numTensors;
            const y = model.forward(x, { training: false });
            const got = await y.data();
            y.dispose();
            expect(tf.memory().numTensors).toBe(before);
            const err = ref.logits.reduce((m, v, i) => Math.max(m, Math.abs(v - (got[i] ?? NaN))), 0);
            console.log(
              `${name} (${impl}): max |logit| ${max.toFixed(3)}, max difference ${err.toExponential(2)}`,
            );
            expect(got.length).toBe(ref.logits.length);
            expect(err).toBeLessThan(1e-3 * max);
          } finally {
            model.dispose();
          }
        }
        x.dispose();
      } finally {
        node.fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    600_000,
  );
});

describe('MViT attention wider than the fused kernel', () => {
  it('d + k_h + k_w + k_t > 128 (96 + 16 + 16 + 2): per-row fused calls equal the composed ops, gradients too', () => {
    const spec = {
      inputSize: [2, 16, 16] as const,
      embedDim: 96,
      outputDim: 96,
      numHeads: 1,
      kernelQ: [],
      kernelKv: [],
      strideQ: [],
      strideKv: [],
      residualPool: true,
      relPos: true,
    };
    const x = tf.randomNormal<tf.Rank.R3>([1, 1 + 2 * 16 * 16, 96], 0, 1, 'float32', 4);
    const r = tf.randomNormal<tf.Rank.R3>([1, 1 + 2 * 16 * 16, 96], 0, 1, 'float32', 5);
    const results = (['composed', 'fused'] as const).map((impl) => {
      const attn = new MultiscaleAttention(new Rng(9), { ...spec, impl });
      const f = (input: tf.Tensor): tf.Tensor =>
        tf.sum(tf.mul(real(attn.run(input, [2, 16, 16], { training: false })[0], 'attn'), r));
      const y = Float32Array.from(
        tf.tidy(() => real(attn.run(x, [2, 16, 16], { training: false })[0], 'attn').dataSync()),
      );
      const g = Float32Array.from(tf.tidy(() => tf.grad(f)(x).dataSync()));
      attn.dispose();
      return { y, g };
    });
    const [composed, fused] = results;
    if (!composed || !fused) throw new Error('unreachable');
    const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number =>
      Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] ?? NaN))), 0);
    const scale = (a: ArrayLike<number>): number =>
      Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxDiff(fused.y, composed.y)).toBeLessThan(1e-5 * scale(composed.y));
    expect(maxDiff(fused.g, composed.g)).toBeLessThan(1e-5 * scale(composed.g));
    tf.dispose([x, r]);
  }, 120_000);
});
