// Video Swin on the cpu backend (Node) against a PyTorch twin of MMAction2's Recognizer3D(SwinTransformer3D, I3DHead)
// run by Debian's PyTorch (fixtures/torch_swin3d.py): Swin-T's state_dict names, shapes and parameter count; a small
// config with shifted windows, a clipped window, padding and patch merging loads strictly and gives the same logits.
import { describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { PYTHON } from '../weights/fixtures/python.ts';
import { readWeights } from '../weights/read.ts';
import { unwrapStateDict } from '../weights/unwrap.ts';
import { withoutInitialisation } from '../nn/init.ts';
import { nodeModules } from './fixtures/nodeModules.ts';
import { loadStateDict, torchShape } from './stateDict.ts';
import { buildSwin3d, shiftMask } from './swin3d.ts';
import type { ZooModel } from './zooModel.ts';

interface Reference {
  x: number[];
  logits: number[];
  keys: [string, number[]][];
  params: number;
}

const script = decodeURIComponent(new URL('./fixtures/torch_swin3d.py', import.meta.url).pathname);

function ourKeys(model: ZooModel): Map<string, number[]> {
  return new Map(
    [...model.stateEntries()].map(([k, nv]) => [k, torchShape(nv.variable.shape, nv.layout)] as const),
  );
}

describe('Video Swin equals its PyTorch twin', () => {
  it('shift mask: −100 exactly between tokens of different regions', () => {
    // 1-D along W: 4 positions, window 2, shift 1 → the last window holds regions 1 and 2
    const m = shiftMask([1, 1, 4], [1, 1, 2], [0, 0, 1]);
    expect([...m]).toEqual([0, 0, 0, 0, 0, -100, -100, 0]);
  });

  it('Swin-T: MMAction2 state_dict names, shapes and parameter count', async () => {
    const node = await nodeModules();
    const ref = JSON.parse(
      node.cp.execFileSync(PYTHON, [script, 'keys'], { encoding: 'utf8', timeout: 120_000 }),
    ) as Omit<Reference, 'x' | 'logits'>;
    const model = withoutInitialisation(() => buildSwin3d({ numClasses: 400 }));
    try {
      expect(ourKeys(model)).toEqual(new Map(ref.keys));
      expect(model.paramCount()).toBe(ref.params);
      // Video Swin's Table 1: Swin-T 88 GFLOPs (multiply-adds) per 32×224² view, 28.2 M parameters
      const gmacs = model.macs([1, 32, 224, 224, 3]) / 1e9;
      console.log(`Swin-T: ${model.paramCount()} parameters, ${gmacs.toFixed(2)} GMACs`);
      expect(Math.abs(gmacs - 88) / 88).toBeLessThan(0.01);
    } finally {
      model.dispose();
    }
  }, 120_000);

  it('small config (shifted 3-D windows, padding, merging): strict load, logits within 1e-3 relative', async () => {
    const node = await nodeModules();
    const dir = node.fs.mkdtempSync(`${node.os.tmpdir()}/tubelet-swin3d-`);
    // tokens 3×6×10 → windows 2×4×4 padded to 4×8×12, shift 1×2×2; merged to 3×3×5 (window clipped to 2×3×4)
    const spec = { dim: 32, depths: [2, 2], heads: [1, 2], window: [2, 4, 4], patch: [2, 4, 4] } as const;
    const input = [6, 24, 40] as const;
    try {
      const cfg = { ...spec, classes: 5, input };
      const ref = JSON.parse(
        node.cp.execFileSync(PYTHON, [script, 'run', dir, JSON.stringify(cfg)], {
          encoding: 'utf8',
          timeout: 120_000,
          maxBuffer: 1 << 26,
        }),
      ) as Reference;
      const flat = await readWeights(new Uint8Array(node.fs.readFileSync(`${dir}/model.pth`)), 'model.pth');
      const model = buildSwin3d({ numClasses: 5 }, { ...spec, dropPath: 0.1 });
      try {
        const report = loadStateDict(model, unwrapStateDict(flat).tensors, { fileName: 'model.pth' });
        expect(report.loaded.length).toBe(ref.keys.length);
        expect(ourKeys(model)).toEqual(new Map(ref.keys));
        const [t, h, w] = input;
        const before = tf.memory().numTensors;
        const x = tf.tidy(() =>
          tf.transpose<tf.Tensor5D>(tf.tensor5d(ref.x, [1, 3, t, h, w]), [0, 2, 3, 4, 1]),
        );
        const y = model.forward(x, { training: false });
        const got = y.dataSync();
        tf.dispose([x, y]);
        expect(tf.memory().numTensors).toBe(before);
        const max = ref.logits.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const err = ref.logits.reduce((m, v, i) => Math.max(m, Math.abs(v - (got[i] ?? NaN))), 0);
        console.log(`swin3d small: max |logit| ${max.toFixed(3)}, diff ${err.toExponential(2)}`);
        expect(got.length).toBe(ref.logits.length);
        expect(max).toBeGreaterThan(0.1);
        expect(err).toBeLessThan(1e-3 * max);
      } finally {
        model.dispose();
      }
    } finally {
      node.fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
