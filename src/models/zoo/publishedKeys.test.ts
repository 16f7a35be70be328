// Key mapping against checkpoints written by Debian's PyTorch with the PUBLISHED names and shapes of each
// non-torchvision family (fixtures/published_keys.py, made now): unwrap, strict load, no missing/unexpected keys.
import { describe, expect, it } from 'vitest';
import { PYTHON } from '../weights/fixtures/python.ts';
import { readWeights } from '../weights/read.ts';
import { unwrapStateDict } from '../weights/unwrap.ts';
import type { WeightTensor } from '../weights/dtypes.ts';
import { buildModel } from './registry.ts';
import { loadStateDict } from './stateDict.ts';
import type { ZooModel } from './zooModel.ts';

interface NodeModules {
  cp: { execFileSync(f: string, a: string[], o: { encoding: 'utf8'; timeout: number }): string };
  fs: {
    mkdtempSync(p: string): string;
    readFileSync(p: string): Uint8Array;
    rmSync(p: string, o: { recursive: boolean; force: boolean }): void;
  };
  os: { tmpdir(): string };
}
const load = (name: string): Promise<unknown> => import(/* @vite-ignore */ name);

/** Writes `<arch>.pth` with published_keys.py, reads and unwraps it, then hands the tensors to `check`. */
async function withPublished(
  arch: string,
  check: (tensors: ReadonlyMap<string, WeightTensor>, keys: number) => Promise<void>,
): Promise<void> {
  const node = {
    cp: await load('node:child_process'),
    fs: await load('node:fs'),
    os: await load('node:os'),
  } as NodeModules;
  const script = decodeURIComponent(new URL('./fixtures/published_keys.py', import.meta.url).pathname);
  const dir = node.fs.mkdtempSync(`${node.os.tmpdir()}/tubelet-keys-`);
  try {
    const files = JSON.parse(
      node.cp.execFileSync(PYTHON, [script, dir, arch], { encoding: 'utf8', timeout: 300_000 }),
    ) as Record<string, { file: string; keys: number }>;
    const written = files[arch];
    if (!written) throw new Error(`published_keys.py wrote no ${arch} checkpoint`);
    const flat = await readWeights(new Uint8Array(node.fs.readFileSync(written.file)), `${arch}.pth`);
    const { tensors } = unwrapStateDict(flat);
    expect(tensors.size).toBe(written.keys);
    await check(tensors, written.keys);
  } finally {
    node.fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Strict load (throws on any missing, unexpected or shape-mismatched key). */
function loadStrict(name: string, numClasses: number, tensors: ReadonlyMap<string, WeightTensor>): ZooModel {
  const model = buildModel(name, { numClasses });
  const report = loadStateDict(model, tensors, { fileName: `${name}.pth` });
  expect(report.loaded.length).toBe(tensors.size);
  return model;
}

describe('published checkpoint key names load strictly', () => {
  it('MMAction2 C3D (101 classes): backbone.conv1a.conv.weight … cls_head.fc_cls.bias', async () => {
    await withPublished('c3d', async (tensors) => {
      const model = loadStrict('c3d', 101, tensors);
      const fc6 = await model.parameters().get('backbone.fc6.weight')?.data();
      const want = tensors.get('backbone.fc6.weight')?.data;
      // PyTorch [4096, 8192] → ours [8192, 4096]: element (o=0, i=1) sits at ours[1·4096 + 0]
      expect(fc6?.[4096]).toBe(want?.[1]);
      model.dispose();
    });
  }, 300_000);

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
    async (name) => {
      await withPublished(name, async (tensors) => {
        const model = loadStrict(name, 400, tensors);
        const bn = [...tensors.keys()].find((k) => k.endsWith('num_batches_tracked')) ?? '';
        const tracked = await model.buffers().get(bn)?.data();
        expect(tracked?.[0]).toBe(Number(tensors.get(bn)?.data[0]));
        model.dispose();
      });
    },
    300_000,
  );

  it('MMAction2 C2D-R50: nn.Conv2d weights [out, in, h, w] load into 1×k×k convs', async () => {
    await withPublished('c2d_r50', async (tensors) => {
      expect(tensors.get('backbone.conv1.conv.weight')?.shape).toEqual([64, 3, 7, 7]);
      const model = loadStrict('c2d_r50', 400, tensors);
      const stem = model.parameters().get('backbone.conv1.conv.weight');
      expect(stem?.shape).toEqual([1, 7, 7, 3, 64]);
      const ours = await stem?.data();
      const want = tensors.get('backbone.conv1.conv.weight')?.data;
      // PyTorch (o=1, i=2, h=3, w=4) at ((1·3+2)·7+3)·7+4 = 270; ours [1,7,7,3,64] at ((3·7+4)·3+2)·64+1
      expect(ours?.[((3 * 7 + 4) * 3 + 2) * 64 + 1]).toBe(want?.[270]);
      model.dispose();
    });
  }, 300_000);
});
