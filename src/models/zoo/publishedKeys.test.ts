// Key mapping against checkpoints written by Debian's PyTorch with the PUBLISHED names and shapes of each
// non-torchvision family (fixtures/published_keys.py, made now): unwrap, strict load, no missing/unexpected keys.
import { describe, expect, it } from 'vitest';
import { PYTHON } from '../weights/fixtures/python.ts';
import { readWeights } from '../weights/read.ts';
import { unwrapStateDict } from '../weights/unwrap.ts';
import { buildModel } from './registry.ts';
import { loadStateDict } from './stateDict.ts';

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

describe('published checkpoint key names load strictly', () => {
  it('MMAction2 C3D (101 classes): backbone.conv1a.conv.weight … cls_head.fc_cls.bias', async () => {
    const node = {
      cp: await load('node:child_process'),
      fs: await load('node:fs'),
      os: await load('node:os'),
    } as NodeModules;
    const script = decodeURIComponent(new URL('./fixtures/published_keys.py', import.meta.url).pathname);
    const dir = node.fs.mkdtempSync(`${node.os.tmpdir()}/tubelet-keys-`);
    try {
      const files = JSON.parse(
        node.cp.execFileSync(PYTHON, [script, dir], { encoding: 'utf8', timeout: 300_000 }),
      ) as Record<string, { file: string; keys: number }>;
      const c3d = files.c3d;
      if (!c3d) throw new Error('published_keys.py wrote no c3d checkpoint');
      const buffer = node.fs.readFileSync(c3d.file);
      const flat = await readWeights(new Uint8Array(buffer), 'c3d.pth');
      const { tensors } = unwrapStateDict(flat);
      expect(tensors.size).toBe(c3d.keys);
      const model = buildModel('c3d', { numClasses: 101 });
      const report = loadStateDict(model, tensors, { fileName: 'c3d.pth' }); // strict: throws on any mismatch
      expect(report.loaded.length).toBe(c3d.keys);
      const fc6 = await model.parameters().get('backbone.fc6.weight')?.data();
      const want = tensors.get('backbone.fc6.weight')?.data;
      // PyTorch [4096, 8192] → ours [8192, 4096]: element (o=0, i=1) sits at ours[1·4096 + 0]
      expect(fc6?.[4096]).toBe(want?.[1]);
      model.dispose();
    } finally {
      node.fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
