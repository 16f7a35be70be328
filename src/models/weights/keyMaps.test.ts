// Key maps (Node, cpu backend): published MMAction2 and pytorchvideo names land on the zoo's torchvision names, and
// a whole state dict renamed the MMAction2 way strict-loads into the model.
import { describe, expect, it } from 'vitest';
import { TubeletError } from '../../shared/errors.ts';
import { buildModel } from '../zoo/registry.ts';
import { exportStateDict, loadStateDict } from '../zoo/stateDict.ts';
import { keyMapFor, nativeSource } from './keyMaps.ts';

describe('key maps', () => {
  it.each([
    ['r3d_18', 'mmaction2', 'backbone.conv1.conv.weight', 'stem.0.weight'],
    ['r3d_18', 'mmaction2', 'backbone.conv1.bn.running_var', 'stem.1.running_var'],
    ['r3d_18', 'mmaction2', 'backbone.layer2.0.conv1.conv.weight', 'layer2.0.conv1.0.weight'],
    [
      'r3d_18',
      'mmaction2',
      'backbone.layer2.1.conv2.bn.num_batches_tracked',
      'layer2.1.conv2.1.num_batches_tracked',
    ],
    ['r3d_18', 'mmaction2', 'backbone.layer3.0.downsample.bn.bias', 'layer3.0.downsample.1.bias'],
    ['r3d_18', 'mmaction2', 'cls_head.fc_cls.weight', 'fc.weight'],
    ['r2plus1d_18', 'mmaction2', 'backbone.conv1.conv.conv_t.weight', 'stem.3.weight'],
    ['r2plus1d_18', 'mmaction2', 'backbone.conv1.bn.weight', 'stem.4.weight'],
    [
      'r2plus1d_18',
      'mmaction2',
      'backbone.layer1.0.conv2.conv.bn_s.running_mean',
      'layer1.0.conv2.0.1.running_mean',
    ],
    ['mc3_18', 'pytorchvideo', 'blocks.0.conv.weight', 'stem.0.weight'],
    ['mc3_18', 'pytorchvideo', 'blocks.2.res_blocks.0.branch1_norm.weight', 'layer2.0.downsample.1.weight'],
    ['mc3_18', 'pytorchvideo', 'blocks.4.res_blocks.1.branch2.norm_b.bias', 'layer4.1.conv2.1.bias'],
    ['mc3_18', 'pytorchvideo', 'blocks.5.proj.weight', 'fc.weight'],
    ['c3d', 'mmaction2', 'backbone.conv1a.conv.weight', 'backbone.conv1a.conv.weight'],
  ] as const)('%s from %s: %s → %s', (arch, source, key, ours) => {
    expect(keyMapFor(arch, source)(key)).toBe(ours);
  });

  it('drops names it has no rule for, and refuses sources an arch has no table for', () => {
    expect(keyMapFor('r3d_18', 'mmaction2')('backbone.layer1.0.conv1.weight')).toBeNull();
    expect(keyMapFor('r3d_18', 'mmaction2')('data_preprocessor.mean')).toBeNull();
    expect(nativeSource('c3d')).toBe('mmaction2');
    expect(nativeSource('s3d')).toBe('torchvision');
    expect(() => keyMapFor('s3d', 'pytorchvideo')).toThrow(TubeletError);
    expect(() => keyMapFor('c3d', 'torchvision')).toThrow(/no key map from torchvision names to c3d/);
  });

  it('strict-loads an r2plus1d_18 state dict renamed to MMAction2 names', async () => {
    const source = buildModel('r2plus1d_18', { numClasses: 3, preset: 'tiny', seed: 1 });
    const target = buildModel('r2plus1d_18', { numClasses: 3, preset: 'tiny', seed: 2 });
    const renamed = new Map(
      [...(await exportStateDict(source))].map(([k, t]) => {
        const m = /^(layer\d+\.\d+)\.(conv[12]|downsample)\.(\d)\.(?:(\d)\.)?(\w+)$/.exec(k);
        const mm = (() => {
          if (k.startsWith('fc.')) return `cls_head.fc_cls.${k.slice(3)}`;
          const stem = /^stem\.(\d)\.(\w+)$/.exec(k);
          if (stem) {
            const part = { '0': 'conv.conv_s', '1': 'conv.bn_s', '3': 'conv.conv_t', '4': 'bn' }[
              stem[1] ?? ''
            ];
            return `backbone.conv1.${part}.${stem[2]}`;
          }
          if (!m) throw new Error(`unexpected key ${k}`);
          const [, block, conv, outer, inner, param] = m;
          if (conv === 'downsample')
            return `backbone.${block}.downsample.${outer === '0' ? 'conv' : 'bn'}.${param}`;
          if (outer === '1') return `backbone.${block}.${conv}.bn.${param}`;
          const part = { '0': 'conv_s', '1': 'bn_s', '3': 'conv_t' }[inner ?? ''];
          return `backbone.${block}.${conv}.conv.${part}.${param}`;
        })();
        return [mm, t] as const;
      }),
    );
    const report = loadStateDict(target, renamed, { mapKey: keyMapFor('r2plus1d_18', 'mmaction2') });
    expect(report.loaded).toHaveLength(renamed.size);
    const a = await exportStateDict(source);
    const b = await exportStateDict(target);
    for (const [k, t] of a) expect(String(b.get(k)?.data), k).toBe(String(t.data));
    source.dispose();
    target.dispose();
  });
});
