// Training-step profile in real Chromium (not part of `npm test`): the toy preset's step on synthetic 8×32×32
// clips, split into stages with a GPU sync after each (upload+augment, forward, forward+backward, grad norm,
// optimizer) and the number of TF.js kernels each stage dispatches. Run with
// `npx vitest run --project bench src/train/stepProfile.bench.browser.ts`; prints one JSON line per model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../gpu/device.ts';
import { gpuSync, initTf, tf } from '../models/tf.ts';
import { buildModel } from '../models/zoo/registry.ts';
import { Rng } from '../shared/random.ts';
import { augmentClips, clipsToTensor } from './augment.ts';
import { sampleClipParams } from './augmentParams.ts';
import { optimizerConfig } from './config.ts';
import { softCrossEntropy } from './mixing.ts';
import { Optimizer, type Param } from './optimizers.ts';
import { trainPreset } from './presets.ts';
import { Trainer } from './loop.ts';
import { SyntheticClips } from './testing/syntheticClips.ts';

const STEPS = 6;
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1] ?? NaN;

async function timed<T>(
  work: () => T | Promise<T>,
  countKernels: boolean,
): Promise<{ value: T; ms: number; kernels: number }> {
  await gpuSync();
  const t0 = performance.now();
  let value: T | undefined;
  let kernels = -1;
  if (countKernels) {
    // tf.profile inspects every kernel's output: counted on a separate warm-up step, never timed
    const info = await tf.profile(async () => {
      value = await work();
      return [] as tf.Tensor[];
    });
    kernels = info.kernels.length;
  } else value = await work();
  await gpuSync();
  return { value: value as T, ms: performance.now() - t0, kernels };
}

async function profileModel(model: 'toy_r3d' | 'toy_avg2d'): Promise<Record<string, number | string>> {
  const config = { ...trainPreset('toy-actions-r3d-tiny'), model };
  const net = buildModel(model, { numClasses: 4, seed: 0 });
  const source = new SyntheticClips({ train: 64, val: 8, frames: 8, size: 32, classes: 4 });
  const params: Param[] = [...net.parameters()].map(([name, variable]) => ({ name, variable }));
  const opt = new Optimizer(optimizerConfig(config), params);
  const rng = new Rng(0);
  const rows: Record<string, number[]> = {};
  const add = (k: string, v: number): void => {
    (rows[k] ??= []).push(v);
  };
  const kernels: Record<string, number> = {};
  for (let s = 0; s < STEPS; s++) {
    const count = s === 1;
    const batch = await source.read('train', [0, 1, 2, 3, 4, 5, 6, 7], rng);
    const aug = Array.from({ length: 8 }, () => sampleClipParams(config.augmentation, 28, 32, 32, rng));
    const x = await timed(
      () => tf.tidy(() => augmentClips(clipsToTensor(batch.x, batch.shape), aug, 28, config.augmentation)),

      count,
    );
    const y = tf.oneHot(tf.tensor1d(Array.from(batch.labels), 'int32'), 4).toFloat() as tf.Tensor2D;
    const fwd = await timed(
      () => tf.tidy(() => softCrossEntropy(net.forward(x.value, { training: true }), y)),

      count,
    );
    fwd.value.dispose();
    const fb = await timed(
      () =>
        tf.variableGrads(
          () => softCrossEntropy(net.forward(x.value, { training: true }), y),
          params.map((p) => p.variable),
        ),

      count,
    );
    const grads: Record<string, tf.Tensor> = {};
    for (const p of params) {
      const g = fb.value.grads[p.variable.name];
      if (g) grads[p.name] = g;
    }
    const read = await timed(async () => (await fb.value.value.data())[0], false);
    const norm = await timed(async () => {
      const n = tf.tidy(() => {
        let sq: tf.Tensor = tf.scalar(0);
        for (const g of Object.values(grads)) sq = tf.add(sq, tf.sum(tf.square(g)));
        return tf.sqrt(sq);
      });
      const v = (await n.data())[0];
      n.dispose();
      return v;
    }, count);
    const o = await timed(() => {
      opt.apply(grads, 1e-3);
    }, count);
    tf.dispose([x.value, y, fb.value.value, ...Object.values(grads)]);
    const stages = { augment: x, forward: fwd, fwd_bwd: fb, loss_read: read, grad_norm: norm, optimizer: o };
    for (const [k, v] of Object.entries(stages)) {
      if (count) kernels[`${k}_kernels`] = v.kernels;
      else if (s >= 2) add(`${k}_ms`, v.ms);
    }
  }
  opt.dispose();
  // the real loop, for the whole-step number
  const trainer = new Trainer({ ...config, batchSize: 8 }, net, source);
  const stepMs: number[] = [];
  const parts: Record<string, number[]> = {};
  for (let s = 0; s < STEPS; s++) {
    await gpuSync();
    const t0 = performance.now();
    const record = await trainer.step();
    await gpuSync();
    if (s < 2) continue;
    stepMs.push(performance.now() - t0);
    // the loop's own split (StepRecord): the clip read is inside the loop step but outside the stages above
    for (const k of ['readMs', 'forwardMs', 'backwardMs', 'optimizerMs'] as const)
      (parts[k] ??= []).push(record[k]);
  }
  trainer.dispose();
  net.dispose();
  const out: Record<string, number | string> = { bench: 'train-step', model };
  for (const [k, v] of Object.entries(rows)) out[k] = Math.round(median(v) * 10) / 10;
  Object.assign(out, kernels);
  out.loop_step_ms = Math.round(median(stepMs) * 10) / 10;
  for (const [k, v] of Object.entries(parts))
    out[`loop_${k.replace('Ms', '')}_ms`] = Math.round(median(v) * 10) / 10;
  return out;
}

describe('training step profile (toy preset, software adapter)', () => {
  beforeAll(async () => {
    const { device, adapter } = await acquireGpu();
    await initTf(device, adapter.info);
  });
  afterAll(releaseGpu);

  for (const model of ['toy_avg2d', 'toy_r3d'] as const) {
    it(`profiles ${model}`, async () => {
      const r = await profileModel(model);
      console.log(JSON.stringify(r));
      expect(r.loop_step_ms).toBeGreaterThan(0);
    });
  }
});
