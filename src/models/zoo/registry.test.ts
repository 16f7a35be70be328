// The zoo on TF.js's cpu backend (Node): published parameter counts, torchvision's state_dict names and shapes,
// MACs of the reference inputs, tiny presets, config errors, no leaks.
import { afterEach, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { buildModel, modelInfo, ZOO, zooEntry } from './registry.ts';
import { midPlanes } from './videoResnet.ts';
import { roundWidth, x3dBlocks } from './x3d.ts';
import { withoutInitialisation } from '../nn/init.ts';
import { trainingStepSummary } from './zooTesting.ts';

afterEach(() => {
  expect(tf.getBackend()).toBe('cpu');
});

describe('model zoo registry', () => {
  it.each(
    ZOO.map(
      (e) => [e.name, e.publishedParams, e.publishedClasses ?? 400, e.publishedParamsRounding ?? 0] as const,
    ),
  )(
    '%s has its published parameter count (%i)',
    (name, published, numClasses, rounding) => {
      const before = tf.memory().numTensors;
      // counts only: no random weights (ViT-L's 304 M draws would take a minute)
      const m = withoutInitialisation(() => buildModel(name, { numClasses }));
      // exact where the source gives the exact count; within half the rounding step where it gives e.g. 28.0M
      if (rounding === 0) expect(m.paramCount()).toBe(published);
      else expect(Math.abs(m.paramCount() - published)).toBeLessThanOrEqual(rounding / 2);
      m.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
    60_000,
  );

  it('uses torchvision state_dict names and PyTorch-equivalent shapes', () => {
    const m = buildModel('r2plus1d_18', { numClasses: 10 });
    const p = m.parameters();
    // Conv2Plus1D(64, 64, mid=144): conv1.0.0 is [1,3,3,64,144] here, [144,64,1,3,3] in PyTorch
    expect(p.get('layer1.0.conv1.0.0.weight')?.shape).toEqual([1, 3, 3, 64, 144]);
    expect(p.get('layer1.0.conv1.0.3.weight')?.shape).toEqual([3, 1, 1, 144, 64]);
    expect(p.get('layer2.0.downsample.0.weight')?.shape).toEqual([1, 1, 1, 64, 128]);
    expect(p.get('stem.3.weight')?.shape).toEqual([3, 1, 1, 45, 64]);
    expect(p.get('fc.weight')?.shape).toEqual([512, 10]);
    expect([...m.buffers().keys()].filter((k) => k.startsWith('layer4.1.conv2.1.'))).toEqual([
      'layer4.1.conv2.1.running_mean',
      'layer4.1.conv2.1.running_var',
      'layer4.1.conv2.1.num_batches_tracked',
    ]);
    expect(m.headPrefix).toBe('fc');
    m.dispose();
    const s = buildModel('s3d', { numClasses: 10 });
    const sp = s.parameters();
    expect(sp.get('features.0.0.0.weight')?.shape).toEqual([1, 7, 7, 3, 64]);
    expect(sp.get('features.15.branch1.1.1.0.weight')?.shape).toEqual([3, 1, 1, 384, 384]);
    expect(sp.get('classifier.1.bias')?.shape).toEqual([10]);
    s.dispose();
  }, 60_000);

  it('modelInfo counts a model built without random initialisation, as the initialised one', async () => {
    const info = modelInfo('ipcsn_r50', { numClasses: 400, preset: 'tiny' });
    const m = buildModel('ipcsn_r50', { numClasses: 400, preset: 'tiny' });
    expect(info.params).toBe(m.paramCount());
    expect(info.macs).toBe(m.macs(info.input));
    expect(info.publishedParams).toBe(14_396_176);
    expect(modelInfo('i3d_r50', { numClasses: 400, preset: 'tiny' }).publishedParamsRounding).toBe(100_000);
    const w = await m.parameters().get('backbone.layer1.0.conv2.1.conv.weight')?.data();
    expect(w?.some((v) => v !== 0)).toBe(true); // a normal build draws its weights
    const zeros = withoutInitialisation(() => buildModel('ipcsn_r50', { numClasses: 4, preset: 'tiny' }));
    const z = await zeros.parameters().get('backbone.layer1.0.conv2.1.conv.weight')?.data();
    expect(z?.every((v) => v === 0)).toBe(true);
    // the zero initialisation ends with the call: the next build draws its weights again (same seed, same values)
    const again = buildModel('ipcsn_r50', { numClasses: 400, preset: 'tiny' });
    expect(await again.parameters().get('backbone.layer1.0.conv2.1.conv.weight')?.data()).toEqual(w);
    for (const model of [m, zeros, again]) model.dispose();
  }, 60_000);

  it('computes the (2+1)D mid-plane counts of torchvision', () => {
    expect(midPlanes(64, 64)).toBe(144);
    expect(midPlanes(64, 128)).toBe(230);
    expect(midPlanes(128, 128)).toBe(288);
    expect(midPlanes(256, 512)).toBe(921);
  });

  it('counts multiply-adds like the published GFLOPs (16×112×112)', () => {
    // torchvision's model tables: r3d_18 40.70, mc3_18 43.34, r2plus1d_18 40.52 GFLOPS
    const want = { r3d_18: 40.697, mc3_18: 43.343, r2plus1d_18: 40.519 } as const;
    for (const [name, gmacs] of Object.entries(want)) {
      const info = modelInfo(name, { numClasses: 400 });
      expect(info.input).toEqual([1, 16, 112, 112, 3]);
      expect(Math.abs(info.macs / 1e9 - gmacs) / gmacs, name).toBeLessThan(0.002);
    }
  }, 120_000);

  it('X3D: multiply-adds of the X3D paper, depth and round-width rules', () => {
    // the paper's FLOPs (multiply-adds) at each model's input: XS 0.60 (we count 0.605), S 1.96, M 4.73, L 18.37
    const want = { x3d_xs: 0.6, x3d_s: 1.96, x3d_m: 4.73, x3d_l: 18.37 } as const;
    for (const [name, gmacs] of Object.entries(want)) {
      const info = modelInfo(name, { numClasses: 400 });
      expect(Math.abs(info.macs / 1e9 - gmacs) / gmacs, name).toBeLessThan(0.01);
    }
    expect(x3dBlocks(2.2)).toEqual([3, 5, 11, 7]);
    expect(x3dBlocks(5)).toEqual([5, 10, 25, 15]);
    // SE bottlenecks of 54, 108, 216, 432 channels at ratio 1/16, and gamma_w 2 on 24 channels
    expect([54, 108, 216, 432].map((c) => roundWidth(c, 1 / 16))).toEqual([8, 8, 16, 32]);
    expect(roundWidth(24, 2)).toBe(48);
    expect(roundWidth(24, 1 / 3)).toBe(8);
  }, 120_000);

  it('TSN/TSM-R50: torchvision resnet50 multiply-adds (4.09 GFLOPS at 224²) per segment', () => {
    for (const name of ['tsn_r50', 'tsm_r50']) {
      const info = modelInfo(name, { numClasses: 1000 }, [8, 224, 224]);
      expect(Math.abs(info.macs / 8 / 1e9 - 4.089) / 4.089, name).toBeLessThan(0.002);
    }
  }, 120_000);

  it('tiny presets are small and run forward on the cpu backend', () => {
    for (const e of ZOO) {
      const m = buildModel(e.name, { numClasses: 5, preset: 'tiny', seed: 3 });
      expect(m.paramCount(), e.name).toBeLessThan(500_000);
      const [t, h, w] = e.tinyInput;
      const x = tf.randomNormal<tf.Rank.R5>([2, t, h, w, 3], 0, 1, 'float32', 1);
      const before = tf.memory().numTensors;
      const y = m.forward(x, { training: false });
      expect(y.shape, e.name).toEqual([2, 5]);
      expect(Number.isFinite(y.dataSync()[0]), e.name).toBe(true);
      y.dispose();
      expect(tf.memory().numTensors, e.name).toBe(before);
      x.dispose();
      m.dispose();
    }
  }, 60_000);

  it('an entry whose tiny preset is said to be shared builds the same tiny network', () => {
    const shared = ZOO.filter((e) => e.tinySameAs !== undefined);
    expect(shared.map((e) => e.name)).toEqual(['videomae_vit_s', 'videomae_vit_l', 'swin3d_s', 'swin3d_b']);
    for (const e of shared) {
      const tiny = (name: string) => modelInfo(name, { numClasses: 4, preset: 'tiny' });
      const [mine, theirs] = [tiny(e.name), tiny(e.tinySameAs ?? '')];
      expect([mine.params, mine.macs], e.name).toEqual([theirs.params, theirs.macs]);
      expect(zooEntry(e.tinySameAs ?? '').tinyInput).toEqual(e.tinyInput);
    }
  });

  it('rejects bad configs and names with the choices', () => {
    expect(() => buildModel('r3d_19', { numClasses: 4 })).toThrow(/r3d_18, mc3_18, r2plus1d_18, s3d, c3d/);
    expect(() => buildModel('r3d_18', { numClasses: 0 })).toThrow(/numClasses/);
    expect(() => buildModel('r3d_18', { numClasses: 4, widthMultiplier: 0 })).toThrow(/widthMultiplier/);
  });
});

describe('tiny presets train on the cpu backend', () => {
  it.each(ZOO.map((e) => [e.name, e.tinyInput] as const))(
    '%s: gradients reach every parameter, BN statistics move, nothing leaks',
    async (name, [t, h, w]) => {
      const model = buildModel(name, { numClasses: 3, preset: 'tiny', seed: 2 });
      const s = await trainingStepSummary(model, [2, t, h, w], 4);
      model.dispose();
      expect(Number.isFinite(s.loss)).toBe(true);
      expect(s.nonFinite).toEqual([]);
      expect(s.zero).toEqual(zooEntry(name).noGradient ?? []);
      expect(s.runningMeansChanged).toBe(s.runningMeans);
      expect(s.leaked).toBe(0);
    },
    120_000,
  );
});
