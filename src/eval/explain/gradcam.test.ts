// Grad-CAM / Grad-CAM++ of torchvision r3d_18 (seeded random weights, fixed input) on the cpu backend against the
// same maps computed by Debian's PyTorch at test time (fixtures/torch_gradcam.py), strictly loaded weights.
import { describe, expect, it } from 'vitest';
import { tf } from '../../models/tf.ts';
import { PYTHON } from '../../models/weights/fixtures/python.ts';
import { readWeights } from '../../models/weights/read.ts';
import { unwrapStateDict } from '../../models/weights/unwrap.ts';
import { buildModel } from '../../models/zoo/registry.ts';
import { nodeModules } from '../../models/zoo/fixtures/nodeModules.ts';
import { loadStateDict } from '../../models/zoo/stateDict.ts';
import { camLayers, gradCam } from './gradcam.ts';

interface Ref {
  x: number[];
  logits: number[];
  cams: Record<string, { class: number; gradcam: number[]; gradcampp: number[] }>;
}

const maxDiff = (a: ArrayLike<number>, b: readonly number[]): number =>
  b.reduce((m, v, i) => Math.max(m, Math.abs(v - (a[i] ?? NaN))), 0);

describe('Grad-CAM equals a PyTorch Grad-CAM', () => {
  it('r3d_18 layer4 and layer3, gradcam and gradcam++, within 1e-3 (1×3×4×32×32)', async () => {
    const node = await nodeModules();
    const [t, h, w] = [4, 32, 32];
    const layers = ['layer4', 'layer3'];
    const script = decodeURIComponent(new URL('./fixtures/torch_gradcam.py', import.meta.url).pathname);
    const dir = node.fs.mkdtempSync(`${node.os.tmpdir()}/tubelet-cam-`);
    try {
      const ref = JSON.parse(
        node.cp.execFileSync(
          PYTHON,
          [script, dir, 'r3d_18', String(t), String(h), String(w), layers.join(',')],
          {
            encoding: 'utf8',
            timeout: 300_000,
            maxBuffer: 1 << 26,
          },
        ),
      ) as Ref;
      const flat = await readWeights(
        new Uint8Array(node.fs.readFileSync(`${dir}/model.safetensors`)),
        'model.safetensors',
      );
      const model = buildModel('r3d_18', { numClasses: 400 });
      try {
        loadStateDict(model, unwrapStateDict(flat).tensors, { fileName: 'model.safetensors' });
        const x = tf.tidy(() =>
          tf.transpose<tf.Tensor5D>(tf.tensor5d(ref.x, [1, 3, t, h, w]), [0, 2, 3, 4, 1]),
        );
        expect(camLayers(model, [1, t, h, w, 3])).toEqual(
          expect.arrayContaining(['stem', 'layer1', 'layer3', 'layer4']),
        );
        for (const layer of layers) {
          const want = ref.cams[layer];
          if (want === undefined) throw new Error(`no reference for ${layer}`);
          const cam = await gradCam(model, x, { layer });
          const pp = await gradCam(model, x, { layer, method: 'gradcam++', classIndex: want.class });
          const errLogit = maxDiff(cam.logits, ref.logits);
          const [e1, e2] = [maxDiff(cam.map.data, want.gradcam), maxDiff(pp.map.data, want.gradcampp)];
          console.log(
            `${layer}: logits ${errLogit.toExponential(2)}, gradcam ${e1.toExponential(2)}, ++ ${e2.toExponential(2)}`,
          );
          expect(cam.classIndex).toBe(want.class);
          expect([cam.map.t, cam.map.h, cam.map.w]).toEqual([t, h, w]);
          expect(Math.max(...cam.map.data)).toBeCloseTo(1, 6);
          expect(e1).toBeLessThan(1e-3);
          expect(e2).toBeLessThan(1e-3);
        }
        x.dispose();
      } finally {
        model.dispose();
      }
    } finally {
      node.fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
