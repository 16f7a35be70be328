// TimeSformer on the cpu backend (Node) against a PyTorch twin of facebookresearch/TimeSformer's vit.py run by
// Debian's PyTorch (fixtures/torch_timesformer.py): identical state_dict keys and shapes (B/16 8×224 and a small
// config), strict load, logits within 1e-3 relative at the built grid and at another one (both table resizes),
// composed and fused attention; attention capture of chosen blocks.
import { describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { PYTHON } from '../weights/fixtures/python.ts';
import { readWeights } from '../weights/read.ts';
import { unwrapStateDict } from '../weights/unwrap.ts';
import { keyMapFor, nativeSource } from '../weights/keyMaps.ts';
import { withoutInitialisation } from '../nn/init.ts';
import { nodeModules } from './fixtures/nodeModules.ts';
import { loadStateDict, torchShape } from './stateDict.ts';
import {
  buildTimeSformer,
  timesformerAttention,
  type PosResize,
  type TimeSformerSpec,
} from './timesformer.ts';
import type { ZooModel } from './zooModel.ts';

interface Reference {
  inputs: number[][];
  logits: number[][];
  keys: [string, number[]][];
  params: number;
}

const script = decodeURIComponent(new URL('./fixtures/torch_timesformer.py', import.meta.url).pathname);

function ourKeys(model: ZooModel): Map<string, number[]> {
  return new Map(
    [...model.stateEntries()].map(([k, nv]) => [k, torchShape(nv.variable.shape, nv.layout)] as const),
  );
}

const SMALL = { dim: 64, depth: 2, heads: 2, patch: 4, img: 16, frames: 4, classes: 5 } as const;
// the built grid (4 frames of 4×4 patches), and 6 frames of 3×2 patches (both tables resized)
const INPUTS = [
  [4, 16, 16],
  [6, 12, 8],
] as const;

describe('TimeSformer equals its PyTorch twin', () => {
  it('TimeSformer-B/16 8×224: vit.py state_dict names, shapes and parameter count', async () => {
    const node = await nodeModules();
    const ref = JSON.parse(
      node.cp.execFileSync(PYTHON, [script, 'keys'], { encoding: 'utf8', timeout: 120_000 }),
    ) as Omit<Reference, 'inputs' | 'logits'>;
    const model = withoutInitialisation(() => buildTimeSformer({ numClasses: 400 }));
    try {
      expect(ourKeys(model)).toEqual(new Map(ref.keys));
      expect([...ourKeys(model).keys()]).toEqual(ref.keys.map(([k]) => k)); // same order too
      expect(model.paramCount()).toBe(ref.params);
      // the paper's 0.59 TFLOPs for 3 views: 196 G multiply-adds per 8×224² view (attention matmuls counted)
      const gmacs = model.macs([1, 8, 224, 224, 3]) / 1e9;
      console.log(`TimeSformer-B/16 8×224: ${model.paramCount()} parameters, ${gmacs.toFixed(2)} GMACs`);
      expect(Math.abs(gmacs - 196) / 196).toBeLessThan(0.01);
    } finally {
      model.dispose();
    }
  }, 120_000);

  it.each(['smooth', 'nearest'] as const)(
    'small config, %s table resize: strict load, logits within 1e-3 relative (composed and fused)',
    async (pos: PosResize) => {
      const node = await nodeModules();
      const dir = node.fs.mkdtempSync(`${node.os.tmpdir()}/tubelet-timesformer-`);
      try {
        const cfg = { ...SMALL, pos, inputs: INPUTS };
        const ref = JSON.parse(
          node.cp.execFileSync(PYTHON, [script, 'run', dir, JSON.stringify(cfg)], {
            encoding: 'utf8',
            timeout: 120_000,
            maxBuffer: 1 << 26,
          }),
        ) as Reference;
        const flat = await readWeights(new Uint8Array(node.fs.readFileSync(`${dir}/model.pth`)), 'model.pth');
        // a bare state dict: unwrapping strips the lone `model.` group, timesformer_b16's key map puts it back
        const mapKey = keyMapFor('timesformer_b16', nativeSource('timesformer_b16'));
        const tensors = new Map(
          [...unwrapStateDict(flat).tensors].map(([k, v]) => [mapKey(k) ?? k, v] as const),
        );
        for (const impl of ['composed', 'fused'] as const) {
          const spec: Partial<TimeSformerSpec> = { ...SMALL, posResize: pos, impl, dropPath: 0.1 };
          const model = buildTimeSformer({ numClasses: SMALL.classes }, spec);
          try {
            const report = loadStateDict(model, tensors, { fileName: 'model.pth' }); // strict
            expect(report.loaded.length).toBe(ref.keys.length);
            expect(ourKeys(model)).toEqual(new Map(ref.keys));
            INPUTS.forEach(([t, h, w], n) => {
              const want = ref.logits[n] ?? [];
              const before = tf.memory().numTensors;
              const x = tf.tidy(() =>
                tf.transpose<tf.Tensor5D>(tf.tensor5d(ref.inputs[n] ?? [], [1, 3, t, h, w]), [0, 2, 3, 4, 1]),
              );
              const y = model.forward(x, { training: false });
              const got = y.dataSync();
              y.dispose();
              x.dispose();
              expect(tf.memory().numTensors).toBe(before); // nothing leaked
              const max = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
              const err = want.reduce((m, v, i) => Math.max(m, Math.abs(v - (got[i] ?? NaN))), 0);
              console.log(
                `${pos} ${impl} ${t}×${h}×${w}: max |logit| ${max.toFixed(3)}, diff ${err.toExponential(2)}`,
              );
              expect(got.length).toBe(want.length);
              expect(max).toBeGreaterThan(0.1);
              expect(err).toBeLessThan(1e-3 * max);
            });
          } finally {
            model.dispose();
          }
        }
      } finally {
        node.fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});

describe('TimeSformer attention capture', () => {
  it('returns spatial f32[B·T, H, 1+S, 1+S] and temporal f32[B·S, H, T, T] for chosen blocks; logits unchanged', () => {
    const model = buildTimeSformer({ numClasses: 3, preset: 'tiny', seed: 4 });
    const x = tf.randomNormal<tf.Rank.R5>([2, 3, 8, 12, 3], 0, 1, 'float32', 9); // 3 frames of 2×3 patches
    try {
      const plain = model.forward(x, { training: false });
      const before = tf.memory().numTensors;
      const { logits, attention } = timesformerAttention(model, x, [1]);
      expect(tf.memory().numTensors).toBe(before + 3); // logits + the two probability tensors
      expect([...logits.dataSync()]).toEqual([...plain.dataSync()]);
      expect([...attention.keys()]).toEqual([1]);
      const a = attention.get(1);
      if (!a) throw new Error('no capture');
      expect(a.spatial.shape).toEqual([2 * 3, 2, 1 + 6, 1 + 6]);
      expect(a.temporal.shape).toEqual([2 * 6, 2, 3, 3]);
      for (const p of [a.spatial, a.temporal]) {
        for (const s of tf.tidy(() => tf.sum(p, -1).dataSync())) expect(s).toBeCloseTo(1, 5);
        const v = p.dataSync();
        expect(Math.max(...v) - Math.min(...v)).toBeGreaterThan(1e-3);
      }
      tf.dispose([plain, logits, a.spatial, a.temporal]);
    } finally {
      x.dispose();
      model.dispose();
    }
  });
});
