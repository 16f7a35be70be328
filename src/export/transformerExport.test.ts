// Export → strict PyTorch reload for every video transformer family (Node, cpu backend): each tiny model goes
// through `tubelet export`'s safetensors writer (exportSafetensors), Debian's PyTorch loads the file into the
// family's twin with load_state_dict(strict=True) (fixtures/torch_export_reload.py), and the logits agree.
import { describe, expect, it } from 'vitest';
import { tf } from '../models/tf.ts';
import { Rng } from '../shared/random.ts';
import { exportSafetensors } from './modelExport.ts';
import { PYTHON } from '../models/weights/fixtures/python.ts';
import { nodeModules } from '../models/zoo/fixtures/nodeModules.ts';
import { maxAbs, maxDiff } from '../models/zoo/fixtures/twin.ts';
import { buildModel, ZOO } from '../models/zoo/registry.ts';
import { TIMESFORMER_TINY } from '../models/zoo/timesformer.ts';
import { VIDEOMAE_TINY } from '../models/zoo/videomae.ts';
import { VIVIT_TINY } from '../models/zoo/vivit.ts';
import { SWIN_TINY } from '../models/zoo/swin3d.ts';

const SCRIPT = decodeURIComponent(
  new URL('../models/zoo/fixtures/torch_export_reload.py', import.meta.url).pathname,
);
const CLASSES = 5;

/** Registry entry → the twin family and its constructor sizes (the tiny presets' specs). */
const FAMILIES = [
  ['timesformer_b16', 'timesformer', TIMESFORMER_TINY],
  ['videomae_vit_b', 'videomae', VIDEOMAE_TINY],
  ['vivit_b', 'vivit', VIVIT_TINY],
  ['swin3d_t', 'swin3d', SWIN_TINY],
] as const;

describe('exported transformer safetensors reload strictly into the PyTorch twins', () => {
  for (const [arch, family, spec] of FAMILIES) {
    it(`${arch}:tiny → exportSafetensors → load_state_dict(strict=True), logits within 1e-3 relative`, async () => {
      const node = await nodeModules();
      const [t, h, w] = ZOO.find((e) => e.name === arch)?.tinyInput ?? [4, 32, 32];
      const model = buildModel(arch, { numClasses: CLASSES, preset: 'tiny', seed: 7 });
      const dir = node.fs.mkdtempSync(`${node.os.tmpdir()}/tubelet-export-${family}-`);
      try {
        const rng = new Rng(11);
        const x = tf.tensor5d(
          Float32Array.from({ length: t * h * w * 3 }, () => rng.normal()),
          [1, t, h, w, 3],
        );
        const torchX = tf.transpose(x, [0, 4, 1, 2, 3]);
        node.fs.writeFileSync(`${dir}/x.f32`, new Uint8Array(((await torchX.data()) as Float32Array).buffer));
        node.fs.writeFileSync(`${dir}/model.safetensors`, await exportSafetensors(model));
        const y = model.forward(x, { training: false });
        const ours = (await y.data()) as Float32Array;
        tf.dispose([x, torchX, y]);
        const ref = JSON.parse(
          node.cp.execFileSync(
            PYTHON,
            [
              SCRIPT,
              family,
              `${dir}/model.safetensors`,
              JSON.stringify({ ...spec, classes: CLASSES }),
              `${dir}/x.f32`,
              ...[t, h, w].map(String),
            ],
            { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 24 },
          ),
        ) as { logits: number[]; keys: number; metadata: Record<string, string> };
        const max = maxAbs(ref.logits);
        const err = maxDiff(ours, ref.logits);
        console.log(
          `${arch} export reload: ${ref.keys} tensors, max |logit| ${max.toFixed(3)}, diff ${err.toExponential(2)}`,
        );
        expect(ref.metadata.arch).toBe(arch);
        expect(ref.keys).toBe(model.parameters().size + model.buffers().size);
        expect(ref.logits).toHaveLength(CLASSES);
        expect(max).toBeGreaterThan(1e-3);
        expect(err).toBeLessThan(1e-3 * max);
      } finally {
        model.dispose();
        node.fs.rmSync(dir, { recursive: true, force: true });
      }
    }, 180_000);
  }
});
