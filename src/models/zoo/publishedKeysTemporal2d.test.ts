// TANet-R50 and TIN-R50 against checkpoints with MMAction2's published key names and shapes (fixtures/
// published_keys.py tanet_r50 tin_r50, one Python run): strict load, parameter count, Conv1d layouts in and out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON } from '../weights/fixtures/python.ts';
import { readWeights } from '../weights/read.ts';
import { unwrapStateDict } from '../weights/unwrap.ts';
import { withoutInitialisation } from '../nn/init.ts';
import { buildModel } from './registry.ts';
import { nodeModules, type NodeModules } from './fixtures/nodeModules.ts';
import { exportStateDict, loadStateDict } from './stateDict.ts';

describe('TANet / TIN published checkpoint keys load strictly', () => {
  let node: NodeModules;
  let dir = '';
  let files: Record<string, { file: string; keys: number }> = {};

  beforeAll(async () => {
    node = await nodeModules();
    dir = node.fs.mkdtempSync(`${node.os.tmpdir()}/tubelet-keys2d-`);
    const script = decodeURIComponent(new URL('./fixtures/published_keys.py', import.meta.url).pathname);
    files = JSON.parse(
      node.cp.execFileSync(PYTHON, [script, dir, 'tanet_r50', 'tin_r50'], {
        encoding: 'utf8',
        timeout: 300_000,
      }),
    ) as typeof files;
  }, 300_000);
  afterAll(() => node.fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['tanet_r50', 544, 25_590_320, 'backbone.layer3.2.tam.L.0.weight', [64, 256, 3]],
    ['tin_r50', 448, 24_358_640, 'backbone.layer2.1.conv1.conv.net1.weight_net.conv.weight', [2, 128, 3]],
  ] as const)(
    '%s: %i keys, %i parameters, %s %j',
    async (arch, n, params, conv1d, shape) => {
      const written = files[arch];
      if (!written) throw new Error(`published_keys.py wrote no ${arch}`);
      const flat = await readWeights(new Uint8Array(node.fs.readFileSync(written.file)), `${arch}.pth`);
      const { tensors } = unwrapStateDict(flat);
      expect(tensors.size).toBe(n);
      const model = withoutInitialisation(() => buildModel(arch, { numClasses: 400 }));
      try {
        expect(loadStateDict(model, tensors, { fileName: `${arch}.pth` }).loaded.length).toBe(n); // strict
        expect(model.paramCount()).toBe(params);
        const want = tensors.get(conv1d);
        expect(want?.shape).toEqual(shape);
        // Conv1d PyTorch [out, in, k] → ours [k, in, out]: element (o=1, i=5, k=2) sits at ours[(2·in + 5)·out + 1]
        const [o, i] = shape;
        const ours = await model.parameters().get(conv1d)?.data();
        expect(ours?.[(2 * i + 5) * o + 1]).toBe(want?.data[(1 * i + 5) * 3 + 2]);
        const exported = await exportStateDict(model);
        for (const k of [conv1d, 'backbone.conv1.conv.weight', 'cls_head.fc_cls.weight']) {
          expect(exported.get(k)?.shape, k).toEqual(tensors.get(k)?.shape);
          expect(exported.get(k)?.data, k).toEqual(tensors.get(k)?.data);
        }
      } finally {
        model.dispose();
      }
    },
    300_000,
  );
});
