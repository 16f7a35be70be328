// BYOL + FGKV pretraining step on the zoo's toy_r3d (cpu backend, tiny clips): head-less features, target starts
// as the online copy and follows the EMA, the total is the weighted sum of its terms, and a captured state
// restored into fresh networks continues with the same losses (exact resume).
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../models/tf.ts';
import { buildModel } from '../../models/zoo/registry.ts';
import { Rng } from '../../shared/random.ts';
import { byolMomentum } from './byol.ts';
import { backboneFeatures, ByolFgkv, type ByolFgkvStepRecord } from './byolFgkv.ts';
import { byolFgkvPreset } from './presets.ts';

const DIMS = { projHidden: 16, dim: 8, nMemory: 16, nConcept: 12 };
const SHAPE: [number, number, number, number, number] = [4, 4, 16, 16, 3];

function make(seed: number): ByolFgkv {
  const preset = byolFgkvPreset('toy-byol-fgkv');
  if (!preset) throw new Error('no toy preset');
  const online = buildModel('toy_r3d', { numClasses: 8, seed });
  const target = buildModel('toy_r3d', { numClasses: 8, seed: seed + 1 });
  const sgd = { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-4 } as const;
  return new ByolFgkv(online, target, 32, DIMS, preset.memory, sgd, seed);
}

function views(seed: number): [tf.Tensor5D, tf.Tensor5D] {
  const rng = new Rng(seed);
  const n = SHAPE.reduce((a, b) => a * b, 1);
  return [tf.tensor5d(rng.float32(n), SHAPE), tf.tensor5d(rng.float32(n), SHAPE)];
}

async function run(b: ByolFgkv, steps: number, from = 0): Promise<ByolFgkvStepRecord[]> {
  const out: ByolFgkvStepRecord[] = [];
  for (let i = from; i < from + steps; i++) {
    const [v1, v2] = views(100 + i);
    out.push(await b.trainStep(v1, v2, i / 2, 4, 0.05));
    tf.dispose([v1, v2]);
  }
  return out;
}

describe('BYOL + FGKV pretraining step', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('extracts head-less features, starts the target as a copy, follows the EMA and sums the weighted terms', async () => {
    const b = make(3);
    const [v1] = views(1);
    const f = backboneFeatures(b.online, v1, false);
    expect(f.shape).toEqual([4, 32]);
    const logits = b.online.forward(v1, { training: false });
    expect(logits.shape).toEqual([4, 8]); // the head is back after the feature pass
    const name = 'f.0.0.weight';
    const on0 = b.online.parameters().get(name);
    const tg0 = b.target.parameters().get(name);
    if (!on0 || !tg0) throw new Error(`no ${name}`);
    expect(Array.from(tg0.dataSync())).toEqual(Array.from(on0.dataSync()));
    const [r0] = await run(b, 1);
    const onlineBefore = on0.dataSync().slice();
    const targetBefore = tg0.dataSync().slice();
    const [r1] = await run(b, 1, 1);
    if (!r0 || !r1) throw new Error('no records');
    for (const r of [r0, r1]) {
      expect(Number.isFinite(r.loss)).toBe(true);
      const sum = r.byol + 0.1 * r.sourceRecon + 0.1 * r.targetRecon + 0.01 * r.kl;
      expect(Math.abs(r.loss - sum)).toBeLessThan(1e-4);
      expect(r.slotUsage).toBeGreaterThan(0);
      expect(r.addressEntropy).toBeGreaterThan(0);
    }
    // step 2 (epoch 0.5 of 4): target ← m·target + (1−m)·online, applied before its forward
    const m = byolMomentum(0.5, 4);
    expect(r1.momentum).toBeCloseTo(m, 12);
    const tg = tg0.dataSync();
    for (let i = 0; i < 20; i++)
      expect(tg[i] ?? NaN).toBeCloseTo(m * (targetBefore[i] ?? 0) + (1 - m) * (onlineBefore[i] ?? 0), 6);
    // the online network moved
    expect(Array.from(on0.dataSync())).not.toEqual(Array.from(onlineBefore));
    tf.dispose([f, logits, v1]);
    b.dispose();
  });

  it('resumes exactly: 1 step, capture, restore into fresh networks, 2 more = 3 uninterrupted steps', async () => {
    const a = make(5);
    const full = await run(a, 3);
    a.dispose();
    const b = make(5);
    await run(b, 1);
    const state = await b.captureState();
    b.dispose();
    const c = make(77); // different initialisation, overwritten by the restore
    c.restoreState(state);
    expect(c.globalStep).toBe(1);
    const rest = await run(c, 2, 1);
    c.dispose();
    expect(rest.map((r) => r.loss)).toEqual(full.slice(1).map((r) => r.loss));
    expect(rest.map((r) => r.kl)).toEqual(full.slice(1).map((r) => r.kl));
  });
});
