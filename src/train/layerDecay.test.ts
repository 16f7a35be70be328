// Layer-wise lr decay in the train loop (Node, cpu backend): with trainConfig.layerDecay each parameter's step is
// scaled by decay^(depth + 1 − layer id) on top of lrMult — one SGD step of the tiny VideoMAE with and without it.
import { describe, expect, it } from 'vitest';
import { tf } from '../models/tf.ts';
import { buildModel } from '../models/zoo/registry.ts';
import { layerDecayMultipliers } from '../models/nn/transformer/layerDecay.ts';
import type { TrainConfig } from './config.ts';
import { Trainer } from './loop.ts';
import { testConfig } from './testing/baseConfig.ts';
import { SyntheticClips } from './testing/syntheticClips.ts';

describe('layer-wise lr decay in the Trainer', () => {
  it('the train loop scales each parameter’s step by its multiplier (SGD, one step)', async () => {
    const base = testConfig();
    const config = (layerDecay?: number): TrainConfig => ({
      ...base,
      data: { ...base.data, clipLen: 4, cropSize: 32 },
      batchSize: 2,
      optimizer: { kind: 'sgd', lr: 0.5, momentum: 0, nesterov: false, weightDecay: 0 },
      schedule: { warmupEpochs: 0, warmupStartFactor: 1, decay: { kind: 'constant' } },
      lrMult: { backbone: 1, head: 2 },
      mixup: null,
      labelSmoothing: 0,
      gradClipNorm: null,
      ...(layerDecay === undefined ? {} : { layerDecay }),
    });
    const deltas = async (layerDecay?: number): Promise<Map<string, number>> => {
      const model = buildModel('videomae_vit_b', { numClasses: 2, preset: 'tiny', seed: 4 });
      const before = new Map([...model.parameters()].map(([k, v]) => [k, v.dataSync().slice()] as const));
      const src = new SyntheticClips({ train: 4, val: 2, frames: 4, size: 32, classes: 2 });
      const trainer = new Trainer(config(layerDecay), model, src);
      await trainer.step();
      const out = new Map<string, number>();
      for (const [k, v] of model.parameters()) {
        const b = before.get(k) ?? new Float32Array();
        out.set(
          k,
          Array.from(v.dataSync()).reduce((s, x, i) => s + Math.abs(x - (b[i] ?? 0)), 0),
        );
      }
      trainer.dispose();
      model.dispose();
      return out;
    };
    const plain = await deltas();
    const decayed = await deltas(0.5);
    const mult = layerDecayMultipliers(plain.keys(), 0.5);
    expect(mult.get('backbone.patch_embed.projection.weight')).toBe(1 / 8);
    for (const [k, d] of plain) {
      if (d === 0) continue; // the k-bias-free parts etc. (none expected, but a zero step says nothing)
      expect((decayed.get(k) ?? NaN) / d, k).toBeCloseTo(mult.get(k) ?? NaN, 2);
    }
    expect(plain.get('cls_head.fc_cls.weight')).toBeGreaterThan(0);
    expect(tf.getBackend()).toBe('cpu');
  }, 120_000);
});
