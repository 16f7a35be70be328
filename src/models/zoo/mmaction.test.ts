// MMAction2 families on TF.js's cpu backend (Node): state_dict names and TF.js shapes of the blocks that differ
// from torchvision (CSN depthwise convs, SlowFast laterals, C2D's 2-D storage), SlowFast's temporal striding and
// the order in which its head concatenates the pathways (fast, then slow).
import { describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { buildModel } from './registry.ts';
import { strideTime } from './slowfast.ts';
import { exportStateDict, loadStateDict } from './stateDict.ts';

describe('MMAction2 ResNet3d, CSN and SlowFast entries', () => {
  it('name CSN bottlenecks conv2.0 (ip: 1×1×1) and conv2.{0,1} (depthwise 3×3×3) as MMAction2', () => {
    const ir = buildModel('ircsn_r50', { numClasses: 7 });
    expect(ir.parameters().get('backbone.layer1.0.conv2.0.conv.weight')?.shape).toEqual([3, 3, 3, 1, 64]);
    expect(ir.parameters().get('backbone.layer2.0.downsample.conv.weight')?.shape).toEqual([
      1, 1, 1, 256, 512,
    ]);
    expect(ir.parameters().get('cls_head.fc_cls.weight')?.shape).toEqual([2048, 7]);
    ir.dispose();
    const ip = buildModel('ipcsn_r50', { numClasses: 7, preset: 'tiny' });
    expect(ip.parameters().get('backbone.layer1.0.conv2.0.conv.weight')?.shape).toEqual([1, 1, 1, 8, 8]);
    expect(ip.parameters().get('backbone.layer1.0.conv2.1.conv.weight')?.shape).toEqual([3, 3, 3, 1, 8]);
    ip.dispose();
  }, 60_000);

  it('give SlowFast lateral convs and widened slow stage inputs, and C2D 2-D weight layouts', () => {
    const sf = buildModel('slowfast_r50_8x8', { numClasses: 400 });
    const p = sf.parameters();
    expect(p.get('backbone.slow_path.conv1_lateral.conv.weight')?.shape).toEqual([7, 1, 1, 8, 16]);
    expect(p.get('backbone.slow_path.layer3_lateral.conv.weight')?.shape).toEqual([7, 1, 1, 128, 256]);
    expect(p.get('backbone.slow_path.layer1.0.conv1.conv.weight')?.shape).toEqual([1, 1, 1, 80, 64]);
    expect(p.get('backbone.slow_path.layer4.0.conv1.conv.weight')?.shape).toEqual([3, 1, 1, 1280, 512]);
    expect(p.get('backbone.fast_path.conv1.conv.weight')?.shape).toEqual([5, 7, 7, 3, 8]);
    expect(p.get('cls_head.fc_cls.weight')?.shape).toEqual([2304, 400]);
    expect(sf.headPrefix).toBe('cls_head.fc_cls');
    sf.dispose();
    const c2d = buildModel('c2d_r50', { numClasses: 3, preset: 'tiny' });
    expect(c2d.stateEntries().get('backbone.layer1.0.conv2.conv.weight')?.layout).toEqual({ kind: 'conv2d' });
    c2d.dispose();
  }, 60_000);

  it('export C2D convs as nn.Conv2d [out, in, h, w] and CSN depthwise ones as [out, 1, t, h, w], and load them back', async () => {
    const x = tf.randomNormal<tf.Rank.R5>([1, 4, 32, 32, 3], 0, 1, 'float32', 5);
    for (const [name, key, shape] of [
      ['c2d_r50', 'backbone.conv1.conv.weight', [8, 3, 7, 7]],
      ['ircsn_r50', 'backbone.layer1.0.conv2.0.conv.weight', [8, 1, 3, 3, 3]],
    ] as const) {
      const a = buildModel(name, { numClasses: 3, preset: 'tiny', seed: 1 });
      const sd = await exportStateDict(a);
      expect(sd.get(key)?.shape, name).toEqual(shape);
      const b = buildModel(name, { numClasses: 3, preset: 'tiny', seed: 2 });
      const before = b.forward(x, { training: false });
      loadStateDict(b, sd);
      const ya = a.forward(x, { training: false });
      const yb = b.forward(x, { training: false });
      expect(Array.from(await before.data()), name).not.toEqual(Array.from(await ya.data()));
      expect(Array.from(await yb.data()), name).toEqual(Array.from(await ya.data()));
      tf.dispose([before, ya, yb]);
      a.dispose();
      b.dispose();
    }
    x.dispose();
  }, 60_000);

  it('sample the slow pathway as nearest interpolation by 1/τ: frames 0, τ, 2τ, … of ⌊T/τ⌋', () => {
    const x = tf.tensor5d(
      Float32Array.from({ length: 2 * 11 * 2 * 3 * 2 }, (_, i) => i),
      [2, 11, 2, 3, 2],
    );
    const y = strideTime(x, 4) as tf.Tensor5D;
    expect(y.shape).toEqual([2, 2, 2, 3, 2]);
    const want = tf.concat([tf.slice(x, [0, 0], [2, 1]), tf.slice(x, [0, 4], [2, 1])], 1);
    expect(Array.from(y.dataSync())).toEqual(Array.from(want.dataSync()));
    expect(() => strideTime(x, 12)).toThrow(/too few/);
    tf.dispose([x, y, want]);
  });

  it('concatenate the pooled pathways fast first, then slow, before fc_cls', async () => {
    const model = buildModel('slowfast_r50_4x16', { numClasses: 3, preset: 'tiny', seed: 1 });
    const p = model.parameters();
    const fc = p.get('cls_head.fc_cls.weight');
    const fastC = p.get('backbone.fast_path.layer4.0.conv3.bn.bias')?.shape[0] ?? 0;
    if (!fc || fastC === 0) throw new Error('missing head or fast pathway');
    // keep only the fc rows of the first fastC features: the logits then see the fast pathway alone
    const [rows, cols] = fc.shape as [number, number];
    fc.assign(tf.concat([tf.slice(fc, [0, 0], [fastC, cols]), tf.zeros([rows - fastC, cols])], 0));
    const x = tf.randomNormal<tf.Rank.R5>([1, 16, 32, 32, 3], 0, 1, 'float32', 3);
    const logits = async () => {
      const y = model.forward(x, { training: false });
      const v = Array.from(await y.data());
      y.dispose();
      return v;
    };
    const shift = (name: string): void => {
      const v = p.get(name);
      if (!v) throw new Error(`no ${name}`);
      v.assign(tf.add(v, 1));
    };
    const base = await logits();
    shift('backbone.slow_path.layer4.0.conv3.bn.bias');
    expect(await logits()).toEqual(base); // the slow features meet only zeroed rows
    shift('backbone.fast_path.layer4.0.conv3.bn.bias');
    expect(await logits()).not.toEqual(base);
    x.dispose();
    model.dispose();
  });
});
