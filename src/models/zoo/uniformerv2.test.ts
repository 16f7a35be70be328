// UniFormerV2 on the cpu backend (Node) against its PyTorch twin (fixtures/torch_uniformerv2.py, Debian's torch at
// test time, written from MMAction2's uniformerv2.py structure): B/16's keys, shapes and count; the tiny preset
// (double Local MHRA) strict-loads the twin's state_dict and gives its logits within 1e-3 relative (composed and
// fused attention); our safetensors export loads strictly into the twin with the same logits; attention capture.
import { describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { PYTHON } from '../weights/fixtures/python.ts';
import { readWeights } from '../weights/read.ts';
import { unwrapStateDict } from '../weights/unwrap.ts';
import { withoutInitialisation } from '../nn/init.ts';
import { real } from '../nn/module.ts';
import { Rng } from '../../shared/random.ts';
import { isAttentionTapped, type AttentionRecord } from '../nn/attentionTap.ts';
import { writeSafetensors } from '../weights/safetensors.ts';
import { nodeModules } from './fixtures/nodeModules.ts';
import { maxAbs, maxDiff } from './fixtures/twin.ts';
import { exportStateDict, loadStateDict, torchShape } from './stateDict.ts';
import {
  buildUniFormerV2,
  UNIFORMERV2_B16,
  UNIFORMERV2_TINY,
  UniFormerV2Net,
  type UniFormerV2Spec,
} from './uniformerv2.ts';
import type { ZooModel } from './zooModel.ts';

const SCRIPT = decodeURIComponent(new URL('./fixtures/torch_uniformerv2.py', import.meta.url).pathname);

function twinConfig(spec: UniFormerV2Spec, frames: number, classes: number, n: number): string {
  return JSON.stringify({
    width: spec.width,
    layers: spec.layers,
    heads: spec.heads,
    patch: spec.patch,
    img: spec.img,
    frames,
    reduction: spec.dwReduction,
    lmhra: spec.lmhra,
    return_list: spec.returnList,
    dec_heads: spec.decHeads,
    mlp_factor: spec.mlpFactor,
    classes,
    n,
  });
}

function ourKeys(model: ZooModel): Map<string, number[]> {
  return new Map(
    [...model.stateEntries()].map(([k, nv]) => [k, torchShape(nv.variable.shape, nv.layout)] as const),
  );
}

async function python<T>(args: readonly string[]): Promise<T> {
  const node = await nodeModules();
  return JSON.parse(
    node.cp.execFileSync(PYTHON, [SCRIPT, ...args], {
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 1 << 26,
    }),
  ) as T;
}

describe('UniFormerV2 equals its PyTorch twin', () => {
  it('UniFormerV2-B/16 8×224: uniformerv2.py state_dict names, shapes and parameter count', async () => {
    const ref = await python<{ keys: [string, number[]][]; params: number }>([
      'keys',
      twinConfig(UNIFORMERV2_B16, 8, 400, 1),
    ]);
    const model = withoutInitialisation(() => buildUniFormerV2({ numClasses: 400 }));
    try {
      expect(ourKeys(model)).toEqual(new Map(ref.keys));
      expect(model.paramCount()).toBe(ref.params);
      expect(ref.keys.some(([k]) => k === 'backbone.transformer.dec.3.attn.in_proj_weight')).toBe(true);
      // CLIP ViT-B/16 is 17.6 G multiply-adds per 224² frame (8 frames: 141 G) plus the 4 global blocks and dpe;
      // the README rounds it to "0.1T" FLOPs
      const gmacs = model.macs([1, 8, 224, 224, 3]) / 1e9;
      console.log(`UniFormerV2-B/16 8×224: ${model.paramCount()} parameters, ${gmacs.toFixed(1)} GMACs`);
      expect(gmacs).toBeGreaterThan(141);
      expect(gmacs).toBeLessThan(155);
    } finally {
      model.dispose();
    }
  }, 120_000);

  it('tiny: strict load, logits within 1e-3 relative; our export loads strictly into the twin', async () => {
    const node = await nodeModules();
    const [n, t, classes] = [2, 4, 5];
    const size = UNIFORMERV2_TINY.img;
    const cfg = twinConfig(UNIFORMERV2_TINY, t, classes, n);
    const dir = node.fs.mkdtempSync(`${node.os.tmpdir()}/tubelet-uniformerv2-`);
    try {
      const ref = await python<{ x: number[]; logits: number[]; keys: [string, number[]][] }>([
        'run',
        dir,
        cfg,
      ]);
      const flat = await readWeights(new Uint8Array(node.fs.readFileSync(`${dir}/model.pth`)), 'model.pth');
      const { tensors } = unwrapStateDict(flat);
      const x = tf.tidy(() =>
        tf.transpose<tf.Tensor5D>(tf.tensor5d(ref.x, [n, 3, t, size, size]), [0, 2, 3, 4, 1]),
      );
      const max = maxAbs(ref.logits);
      expect(max).toBeGreaterThan(0.1);
      for (const impl of ['composed', 'fused'] as const) {
        const model = buildUniFormerV2({ numClasses: classes, preset: 'tiny' }, { impl });
        try {
          const report = loadStateDict(model, tensors, { fileName: 'model.pth' }); // strict
          expect(report.loaded.length).toBe(ref.keys.length);
          expect(ourKeys(model)).toEqual(new Map(ref.keys));
          const before = tf.memory().numTensors;
          const y = model.forward(x, { training: false });
          const got = await y.data();
          y.dispose();
          expect(tf.memory().numTensors).toBe(before);
          const err = maxDiff(got, ref.logits);
          console.log(
            `uniformerv2 tiny (${impl}): max |logit| ${max.toFixed(3)}, difference ${err.toExponential(2)}`,
          );
          expect(got.length).toBe(ref.logits.length);
          expect(err).toBeLessThan(1e-3 * max);
        } finally {
          model.dispose();
        }
      }
      // export a differently seeded model (its own weights, BN statistics moved by one training step)
      const ours = buildUniFormerV2({ numClasses: classes, preset: 'tiny', seed: 7 });
      try {
        tf.tidy(() => {
          ours.forward(x, { training: true });
        });
        node.fs.writeFileSync(
          `${dir}/ours.safetensors`,
          writeSafetensors(await exportStateDict(ours), { metadata: { format: 'pt' } }),
        );
        const back = await python<{ logits: number[] }>(['check', dir, `${dir}/ours.safetensors`, cfg]);
        const y = ours.forward(x, { training: false });
        const mine = await y.data();
        y.dispose();
        const err = maxDiff(mine, back.logits);
        console.log(`uniformerv2 tiny export → PyTorch strict load: difference ${err.toExponential(2)}`);
        expect(maxAbs(back.logits)).toBeGreaterThan(0);
        expect(err).toBeLessThan(1e-3 * maxAbs(back.logits) + 1e-6);
      } finally {
        ours.dispose();
      }
      x.dispose();
    } finally {
      node.fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('UniFormerV2 attention capture', () => {
  it('returns f32[N·T, H, L, L] rows summing to 1 for chosen local blocks only; logits unchanged', () => {
    const net = new UniFormerV2Net(new Rng(4), UNIFORMERV2_TINY, 3);
    const x = tf.randomNormal<tf.Rank.R5>([2, 3, 32, 24, 3], 0, 1, 'float32', 9); // 3 frames of 4×3 patches
    try {
      const plain = tf.tidy(() => real(net.forward(x, { training: false }), 'test'));
      const before = tf.memory().numTensors;
      const { logits, probs } = net.forwardWithAttention(x, [1]);
      expect(tf.memory().numTensors).toBe(before + 2);
      expect([...logits.dataSync()]).toEqual([...plain.dataSync()]);
      expect([...probs.keys()]).toEqual([1]);
      const p = probs.get(1);
      if (!p) throw new Error('no capture');
      expect(p.shape).toEqual([2 * 3, 2, 13, 13]);
      for (const s of tf.tidy(() => tf.sum(p, -1).dataSync())) expect(s).toBeCloseTo(1, 5);
      const v = p.dataSync();
      expect(Math.max(...v) - Math.min(...v)).toBeGreaterThan(1e-3);
      tf.dispose([plain, logits, p]);
    } finally {
      x.dispose();
      net.dispose();
    }
  });

  it('the explanation tap sees the local blocks (per-frame CLS over a 1×h×w grid), not the global ones', () => {
    const model = buildUniFormerV2({ numClasses: 3, preset: 'tiny', seed: 4 });
    const x = tf.randomNormal<tf.Rank.R5>([1, 4, 32, 32, 3], 0, 1, 'float32', 5);
    const tapped = model.namedModules().filter(([, m]) => isAttentionTapped(m));
    expect(tapped.map(([name]) => name)).toEqual([
      'backbone.transformer.resblocks.0.attn',
      'backbone.transformer.resblocks.1.attn',
    ]);
    const seen: AttentionRecord[] = [];
    for (const [, m] of tapped) if (isAttentionTapped(m)) m.attentionTap = (r) => seen.push(r);
    try {
      model.forward(x, { training: false }).dispose();
      expect(seen.map((r) => [r.probs.shape, r.keyGrid, r.cls])).toEqual([
        [[4, 2, 17, 17], [1, 4, 4], true],
        [[4, 2, 17, 17], [1, 4, 4], true],
      ]);
    } finally {
      tf.dispose(seen.map((r) => r.probs));
      x.dispose();
      model.dispose();
    }
  });
});
