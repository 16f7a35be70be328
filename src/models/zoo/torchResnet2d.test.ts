// TSN-R50 / TSM-R50 logits on the cpu backend (Node) against torchvision's resnet50 run by Debian's PyTorch per
// segment with the average consensus (TSM: each conv1 wrapped in MMAction2's temporal shift), its weights renamed to
// MMAction2's keys (fixtures/torch_resnet2d.py) and strictly loaded here.
import { describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { PYTHON } from '../weights/fixtures/python.ts';
import { readWeights } from '../weights/read.ts';
import { unwrapStateDict } from '../weights/unwrap.ts';
import { buildModel } from './registry.ts';
import { nodeModules } from './fixtures/nodeModules.ts';
import { loadStateDict } from './stateDict.ts';

describe('TSN/TSM-R50 equal torchvision resnet50 per segment', () => {
  it.each([
    ['tsn_r50', 'tsn'],
    ['tsm_r50', 'tsm'],
  ] as const)(
    '%s: logits within 1e-4·max|logit| of PyTorch (1 video × 3 segments of 64²)',
    async (name, kind) => {
      const node = await nodeModules();
      const [n, t, h, w] = [1, 3, 64, 64];
      const script = decodeURIComponent(new URL('./fixtures/torch_resnet2d.py', import.meta.url).pathname);
      const dir = node.fs.mkdtempSync(`${node.os.tmpdir()}/tubelet-r2d-`);
      try {
        const ref = JSON.parse(
          node.cp.execFileSync(PYTHON, [script, dir, kind, ...[n, t, h, w].map(String)], {
            encoding: 'utf8',
            timeout: 300_000,
            maxBuffer: 1 << 26,
          }),
        ) as { x: number[]; logits: number[] };
        const flat = await readWeights(new Uint8Array(node.fs.readFileSync(`${dir}/model.pth`)), 'model.pth');
        const model = buildModel(name, { numClasses: 1000 });
        try {
          loadStateDict(model, unwrapStateDict(flat).tensors, { fileName: 'model.pth' }); // strict
          const nchw = tf.tensor4d(ref.x, [n * t, 3, h, w]);
          const nhwc = tf.transpose(nchw, [0, 2, 3, 1]);
          const x = tf.reshape<tf.Rank.R5>(nhwc, [n, t, h, w, 3]);
          tf.dispose([nchw, nhwc]);
          const y = model.forward(x, { training: false });
          const got = await y.data();
          tf.dispose([x, y]);
          const max = ref.logits.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
          const err = ref.logits.reduce((m, v, i) => Math.max(m, Math.abs(v - (got[i] ?? NaN))), 0);
          console.log(`${name}: max |logit| ${max.toFixed(3)}, max difference ${err.toExponential(2)}`);
          expect(got.length).toBe(ref.logits.length);
          expect(err).toBeLessThan(1e-4 * max + 1e-4);
        } finally {
          model.dispose();
        }
      } finally {
        node.fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    600_000,
  );
});
