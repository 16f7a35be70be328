// VideoMAE ViT on the cpu backend (Node) against its PyTorch twin (fixtures/torch_vit_video.py, Debian's torch at
// test time, written from MMAction2's vit_mae.py structure): strict load of the twin's state_dict, identical keys
// and shapes, logits within 1e-3 relative (composed and fused attention); ViT-B's full key/shape list.
import { describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { PYTHON } from '../weights/fixtures/python.ts';
import { readWeights } from '../weights/read.ts';
import { unwrapStateDict } from '../weights/unwrap.ts';
import { withoutInitialisation } from '../nn/init.ts';
import { nodeModules } from './fixtures/nodeModules.ts';
import { loadStateDict, torchShape } from './stateDict.ts';
import { buildModel } from './registry.ts';
import { buildVideoMAE, VIDEOMAE_TINY, videomaeSpec } from './videomae.ts';
import type { ZooModel } from './zooModel.ts';

const SCRIPT = decodeURIComponent(new URL('./fixtures/torch_vit_video.py', import.meta.url).pathname);

interface Twin {
  x: number[];
  logits: number[];
  keys: [string, number[]][];
}

export function ourKeys(model: ZooModel): Map<string, number[]> {
  return new Map(
    [...model.stateEntries()].map(([k, nv]) => [k, torchShape(nv.variable.shape, nv.layout)] as const),
  );
}

describe('VideoMAE ViT equals its PyTorch twin', () => {
  it('tiny: strict import of the twin state_dict, logits within 1e-3 relative (2 × 4×32×32)', async () => {
    const node = await nodeModules();
    const [n, t, h, w] = [2, 4, 32, 32];
    const classes = 5;
    const dir = node.fs.mkdtempSync(`${node.os.tmpdir()}/tubelet-videomae-`);
    try {
      const spec = JSON.stringify({ ...VIDEOMAE_TINY, classes });
      const ref = JSON.parse(
        node.cp.execFileSync(PYTHON, [SCRIPT, 'twin', dir, 'videomae', spec, ...[n, t, h, w].map(String)], {
          encoding: 'utf8',
          timeout: 120_000,
          maxBuffer: 1 << 26,
        }),
      ) as Twin;
      const flat = await readWeights(new Uint8Array(node.fs.readFileSync(`${dir}/model.pth`)), 'model.pth');
      const { tensors } = unwrapStateDict(flat);
      const x = tf.tidy(() =>
        tf.transpose<tf.Tensor5D>(tf.tensor5d(ref.x, [n, 3, t, h, w]), [0, 2, 3, 4, 1]),
      );
      const max = ref.logits.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      for (const impl of ['composed', 'fused'] as const) {
        const model = buildVideoMAE('videomae_vit_b', { numClasses: classes, preset: 'tiny' }, { impl });
        try {
          const report = loadStateDict(model, tensors, { fileName: 'model.pth' }); // strict
          expect(report.loaded.length).toBe(ref.keys.length);
          expect(ourKeys(model)).toEqual(new Map(ref.keys));
          const before = tf.memory().numTensors;
          const y = model.forward(x, { training: false });
          const got = await y.data();
          y.dispose();
          expect(tf.memory().numTensors).toBe(before);
          const err = ref.logits.reduce((m, v, i) => Math.max(m, Math.abs(v - (got[i] ?? NaN))), 0);
          console.log(
            `videomae tiny (${impl}): max |logit| ${max.toFixed(3)}, max difference ${err.toExponential(2)}`,
          );
          expect(got.length).toBe(ref.logits.length);
          expect(max).toBeGreaterThan(0.1);
          expect(err).toBeLessThan(1e-3 * max);
        } finally {
          model.dispose();
        }
      }
      x.dispose();
    } finally {
      node.fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('ViT-B/16 (16×224², 400 classes): the published state_dict keys and shapes', async () => {
    const node = await nodeModules();
    const spec = JSON.stringify({ ...videomaeSpec('videomae_vit_b', false), classes: 400 });
    const want = JSON.parse(
      node.cp.execFileSync(PYTHON, [SCRIPT, 'keys', 'videomae', spec], {
        encoding: 'utf8',
        timeout: 120_000,
      }),
    ) as [string, number[]][];
    const model = withoutInitialisation(() => buildModel('videomae_vit_b', { numClasses: 400 }));
    try {
      expect(ourKeys(model)).toEqual(new Map(want));
      // the table is the fixed sinusoid buffer, not a parameter
      expect(model.parameters().has('backbone.pos_embed')).toBe(false);
      expect(model.buffers().get('backbone.pos_embed')?.shape).toEqual([1, 1568, 768]);
      expect(want.find(([k]) => k === 'backbone.blocks.11.attn.q_bias')?.[1]).toEqual([768]);
      expect(want.find(([k]) => k === 'backbone.blocks.0.mlp.layers.0.0.weight')?.[1]).toEqual([3072, 768]);
    } finally {
      model.dispose();
    }
  }, 120_000);

  it('a clip of another grid resizes the table (6×40×40 → 3×5×5 tokens) and still predicts', () => {
    const model = buildModel('videomae_vit_s', { numClasses: 3, preset: 'tiny', seed: 1 });
    const x = tf.randomNormal<tf.Rank.R5>([1, 6, 40, 40, 3], 0, 1, 'float32', 2);
    const y = model.forward(x, { training: false });
    expect(y.shape).toEqual([1, 3]);
    expect([...y.dataSync()].every(Number.isFinite)).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
  });
});
