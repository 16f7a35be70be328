// TSN-R50 / TSM-R50 logits on the cpu backend (Node) against torchvision's resnet50 run by Debian's PyTorch per
// segment with the average consensus (TSM: each conv1 wrapped in MMAction2's temporal shift), its weights renamed to
// MMAction2's keys (fixtures/torch_resnet2d.py) and strictly loaded here.
import { describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { PYTHON } from '../weights/fixtures/python.ts';
import { readWeights } from '../weights/read.ts';
import { unwrapStateDict } from '../weights/unwrap.ts';
import { withoutInitialisation } from '../nn/init.ts';
import { buildModel } from './registry.ts';
import { nodeModules } from './fixtures/nodeModules.ts';
import { loadStateDict } from './stateDict.ts';
import { TAM } from './tanet.ts';
import { TemporalInterlace } from '../nn/temporalInterlace.ts';

describe('TSN/TSM-R50 equal torchvision resnet50 per segment', () => {
  it.each([
    ['tsn_r50', 'tsn', 3, 64],
    ['tsm_r50', 'tsm', 3, 64],
    // temporal modules set to identity: the per-segment trunk under TABlock's / CombineNet's names
    ['tanet_r50', 'tanet', 8, 32],
    ['tin_r50', 'tin', 8, 32],
  ] as const)(
    '%s (%s): logits within 1e-4·max|logit| of PyTorch (1 video × %i segments of %i²)',
    async (name, kind, t, h) => {
      const node = await nodeModules();
      const [n, w] = [1, h];
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
        // no random weights: the load overwrites the trunk, and the bypassed temporal modules are never run
        const model = withoutInitialisation(() => buildModel(name, { numClasses: 1000 }));
        try {
          const temporal = kind === 'tanet' || kind === 'tin';
          // strict, except for the temporal modules' own keys (they are bypassed)
          const report = loadStateDict(model, unwrapStateDict(flat).tensors, {
            fileName: 'model.pth',
            strict: !temporal,
          });
          expect(report.unexpected).toEqual([]);
          expect(report.mismatched).toEqual([]);
          expect(report.missing.every((k) => /\.(tam|net1)\./.test(k))).toBe(true);
          for (const [, m] of model.namedModules()) {
            if (m instanceof TAM || m instanceof TemporalInterlace) m.identity = true;
          }
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
