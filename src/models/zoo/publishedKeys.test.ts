// Key mapping against checkpoints written by Debian's PyTorch with the PUBLISHED names and shapes of each
// non-torchvision family (fixtures/published_keys.py, made now): unwrap, strict load, no missing/unexpected keys.
// Each case writes only its own checkpoint; models are built without random initialisation (the strict load
// overwrites every parameter and buffer), so the full-size ones cost no JS RNG time. One Python process
// (fixtures/published_keys_serve.py) writes every case's checkpoint: torch is imported once, not once per case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON } from '../weights/fixtures/python.ts';
import { readWeights } from '../weights/read.ts';
import { unwrapStateDict } from '../weights/unwrap.ts';
import type { WeightTensor } from '../weights/dtypes.ts';
import { withoutInitialisation } from '../nn/init.ts';
import { buildModel } from './registry.ts';
import { startLineServer, type LineServer } from './fixtures/lineServer.ts';
import { nodeModules, type NodeModules } from './fixtures/nodeModules.ts';
import { exportStateDict, loadStateDict } from './stateDict.ts';
import type { ZooModel } from './zooModel.ts';

describe('published checkpoint key names load strictly', () => {
  let node: NodeModules;
  let dir = '';
  let python: LineServer | undefined;

  beforeAll(async () => {
    node = await nodeModules();
    dir = node.fs.mkdtempSync(`${node.os.tmpdir()}/tubelet-keys-`);
    const script = decodeURIComponent(
      new URL('./fixtures/published_keys_serve.py', import.meta.url).pathname,
    );
    python = await startLineServer(PYTHON, [script, dir]);
  });
  afterAll(() => {
    python?.close();
    node.fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Writes `<arch>.pth` with published_keys.py, reads and unwraps it, strictly loads it (throws on any missing,
   * unexpected or shape-mismatched key) into `arch` built for `numClasses`, then hands both to `check`.
   */
  async function withPublished(
    arch: string,
    numClasses: number,
    check: (model: ZooModel, tensors: ReadonlyMap<string, WeightTensor>) => Promise<void>,
  ): Promise<void> {
    if (!python) throw new Error('published_keys_serve.py was not started (see the error of beforeAll)');
    const answer = JSON.parse(await python.request(arch, 300_000)) as Record<
      string,
      { file: string; keys: number } | undefined
    >;
    const written = answer[arch];
    if (!written) throw new Error(`published_keys.py wrote no ${arch} checkpoint: ${JSON.stringify(answer)}`);
    try {
      const flat = await readWeights(new Uint8Array(node.fs.readFileSync(written.file)), `${arch}.pth`);
      const { tensors } = unwrapStateDict(flat);
      expect(tensors.size).toBe(written.keys);
      const model = withoutInitialisation(() => buildModel(arch, { numClasses }));
      try {
        const report = loadStateDict(model, tensors, { fileName: `${arch}.pth` });
        expect(report.loaded.length).toBe(written.keys);
        await check(model, tensors);
      } finally {
        model.dispose();
      }
    } finally {
      node.fs.rmSync(written.file, { recursive: false, force: true });
    }
  }

  it('MMAction2 C3D (101 classes): backbone.conv1a.conv.weight … cls_head.fc_cls.bias', async () => {
    await withPublished('c3d', 101, async (model, tensors) => {
      const fc6 = await model.parameters().get('backbone.fc6.weight')?.data();
      const want = tensors.get('backbone.fc6.weight')?.data;
      // PyTorch [4096, 8192] → ours [8192, 4096]: element (o=0, i=1) sits at ours[1·4096 + 0]
      expect(fc6?.[4096]).toBe(want?.[1]);
    });
  }, 300_000);

  it.each([
    ['x3d_s', 568],
    ['x3d_l', 1146],
  ] as const)(
    'MMAction2 X3D %s: conv1_s … layerN.k.se_module.fc1 … cls_head.fc2 (%i keys)',
    async (arch, n) => {
      await withPublished(arch, 400, async (model, tensors) => {
        expect(tensors.size).toBe(n);
        // depthwise conv2 of layer1.0: PyTorch [54, 1, 3, 3, 3] → ours [3, 3, 3, 1, 54]; element (c=5, t=1, h=2, w=0)
        const key = 'backbone.layer1.0.conv2.conv.weight';
        const ours = await model.parameters().get(key)?.data();
        const want = tensors.get(key)?.data;
        expect(ours?.[(1 * 9 + 2 * 3 + 0) * 54 + 5]).toBe(want?.[5 * 27 + 1 * 9 + 2 * 3 + 0]);
        const tracked = await model.buffers().get('backbone.conv5.bn.num_batches_tracked')?.data();
        expect(tracked?.[0]).toBe(100);
      });
    },
    300_000,
  );

  it.each([
    ['tsn_r50', 'backbone.layer1.0.conv1.conv.weight', 320],
    ['tsm_r50', 'backbone.layer1.0.conv1.conv.net.weight', 320],
  ] as const)(
    'MMAction2 %s: 2-D weights such as %s (%i keys)',
    async (arch, conv1, n) => {
      await withPublished(arch, 400, async (model, tensors) => {
        expect(tensors.size).toBe(n);
        expect(tensors.get(conv1)?.shape).toEqual([64, 64, 1, 1]);
        // stem conv: PyTorch [64, 3, 7, 7] → ours [1, 7, 7, 3, 64]; element (o=9, i=2, h=4, w=1)
        const key = 'backbone.conv1.conv.weight';
        const ours = await model.parameters().get(key)?.data();
        const want = tensors.get(key)?.data;
        expect(ours?.[((4 * 7 + 1) * 3 + 2) * 64 + 9]).toBe(want?.[((9 * 3 + 2) * 7 + 4) * 7 + 1]);
        // and back out in PyTorch's 2-D layout, unchanged
        const exported = await exportStateDict(model);
        for (const k of [key, conv1, 'cls_head.fc_cls.weight']) {
          expect(exported.get(k)?.shape, k).toEqual(tensors.get(k)?.shape);
          expect(exported.get(k)?.data, k).toEqual(tensors.get(k)?.data);
        }
      });
    },
    300_000,
  );

  it('MMAction2 TRN-R50 (174 classes): cls_head.fc_cls and consensus.fc_fusion_scales.0…6 (348 keys)', async () => {
    await withPublished('trn_r50', 174, async (model, tensors) => {
      expect(tensors.size).toBe(348);
      expect(tensors.get('cls_head.consensus.fc_fusion_scales.0.1.weight')?.shape).toEqual([256, 2048]);
      expect(tensors.get('cls_head.consensus.fc_fusion_scales.6.3.weight')?.shape).toEqual([174, 256]);
      // Linear PyTorch [out, in] → ours [in, out]: element (o=3, i=5) of fc_cls sits at ours[5·256 + 3]
      const ours = await model.parameters().get('cls_head.fc_cls.weight')?.data();
      expect(ours?.[5 * 256 + 3]).toBe(tensors.get('cls_head.fc_cls.weight')?.data[3 * 2048 + 5]);
      expect(model.paramCount()).toBe(26_641_154);
    });
  }, 300_000);

  it.each([
    ['srtg_r3d_18', 2],
    ['srtg_r3d_34', 3],
  ] as const)(
    'SRTG reference %s: conv1.0.0.weight, sar.lstm.weight_ih_l0 …',
    async (arch, layer4Blocks) => {
      await withPublished(arch, 400, async (model, tensors) => {
        expect(tensors.has(`layer4.${layer4Blocks - 1}.sar.lstm.bias_hh_l1`)).toBe(true);
        // LSTM input weights: PyTorch [4H, H] → ours [H, 4H]; element (row=7, col=3) of layer1.0's first layer
        const key = 'layer1.0.sar.lstm.weight_ih_l0';
        const ours = await model.parameters().get(key)?.data();
        const want = tensors.get(key)?.data;
        expect(ours?.[3 * 256 + 7]).toBe(want?.[7 * 64 + 3]);
      });
    },
    300_000,
  );

  it.each([
    'slowonly_r18',
    'slowonly_r50',
    'i3d_r50',
    'i3d_r50_nl',
    'ircsn_r50',
    'ipcsn_r50',
    'ircsn_r152',
    'ipcsn_r152',
    'slowfast_r50_4x16',
    'slowfast_r50_8x8',
  ])(
    'MMAction2 %s (400 classes): backbone.… and cls_head.fc_cls',
    async (arch) => {
      await withPublished(arch, 400, async (model, tensors) => {
        const bn = [...tensors.keys()].find((k) => k.endsWith('num_batches_tracked')) ?? '';
        const tracked = await model.buffers().get(bn)?.data();
        expect(tracked?.[0]).toBe(Number(tensors.get(bn)?.data[0]));
        expect(tracked?.[0]).toBe(100);
      });
    },
    300_000,
  );

  it('MMAction2 C2D-R50: nn.Conv2d weights [out, in, h, w] load into 1×k×k convs', async () => {
    await withPublished('c2d_r50', 400, async (model, tensors) => {
      expect(tensors.get('backbone.conv1.conv.weight')?.shape).toEqual([64, 3, 7, 7]);
      const stem = model.parameters().get('backbone.conv1.conv.weight');
      expect(stem?.shape).toEqual([1, 7, 7, 3, 64]);
      const ours = await stem?.data();
      const want = tensors.get('backbone.conv1.conv.weight')?.data;
      // PyTorch (o=1, i=2, h=3, w=4) at ((1·3+2)·7+3)·7+4 = 270; ours [1,7,7,3,64] at ((3·7+4)·3+2)·64+1
      expect(ours?.[((3 * 7 + 4) * 3 + 2) * 64 + 1]).toBe(want?.[270]);
    });
  }, 300_000);
});
