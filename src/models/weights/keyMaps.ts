// Key mapping tables (compute worker, pure): weight names of torchvision, pytorchvideo and MMAction2 checkpoints →
// the zoo's state_dict names. The zoo names torchvision models as torchvision does and C3D as MMAction2 does.
import { TubeletError } from '../../shared/errors.ts';
import type { WeightSource } from '../../shared/modelIo.ts';

export type KeyMap = (key: string) => string | null;

type Rule = readonly [RegExp, string];

const rewrite =
  (rules: readonly Rule[]): KeyMap =>
  (key) => {
    for (const [pattern, replacement] of rules) {
      if (pattern.test(key)) return key.replace(pattern, replacement);
    }
    return null;
  };

const PARAM = '(weight|bias|running_mean|running_var|num_batches_tracked)';

/**
 * MMAction2 ResNet3d (BasicBlock3d, ConvModule = conv + bn) and its R(2+1)D Conv2plus1d (conv_s, bn_s, conv_t)
 * → torchvision VideoResNet (Sequential of conv, bn[, relu]; Conv2Plus1D = conv, bn, relu, conv).
 */
const MMACTION_VIDEO_RESNET: readonly Rule[] = [
  [new RegExp(`^backbone\\.conv1\\.conv\\.conv_s\\.${PARAM}$`), 'stem.0.$1'],
  [new RegExp(`^backbone\\.conv1\\.conv\\.bn_s\\.${PARAM}$`), 'stem.1.$1'],
  [new RegExp(`^backbone\\.conv1\\.conv\\.conv_t\\.${PARAM}$`), 'stem.3.$1'],
  [new RegExp(`^backbone\\.conv1\\.conv\\.${PARAM}$`), 'stem.0.$1'],
  [new RegExp(`^backbone\\.conv1\\.bn\\.${PARAM}$`), 'stem.1.$1'], // r(2+1)d: remapped to stem.4 below
  [new RegExp(`^backbone\\.(layer\\d+\\.\\d+)\\.(conv[12])\\.conv\\.conv_s\\.${PARAM}$`), '$1.$2.0.0.$3'],
  [new RegExp(`^backbone\\.(layer\\d+\\.\\d+)\\.(conv[12])\\.conv\\.bn_s\\.${PARAM}$`), '$1.$2.0.1.$3'],
  [new RegExp(`^backbone\\.(layer\\d+\\.\\d+)\\.(conv[12])\\.conv\\.conv_t\\.${PARAM}$`), '$1.$2.0.3.$3'],
  [new RegExp(`^backbone\\.(layer\\d+\\.\\d+)\\.(conv[12])\\.conv\\.${PARAM}$`), '$1.$2.0.$3'],
  [new RegExp(`^backbone\\.(layer\\d+\\.\\d+)\\.(conv[12])\\.bn\\.${PARAM}$`), '$1.$2.1.$3'],
  [new RegExp(`^backbone\\.(layer\\d+\\.\\d+)\\.downsample\\.conv\\.${PARAM}$`), '$1.downsample.0.$2'],
  [new RegExp(`^backbone\\.(layer\\d+\\.\\d+)\\.downsample\\.bn\\.${PARAM}$`), '$1.downsample.1.$2'],
  [/^cls_head\.fc_cls\.(weight|bias)$/, 'fc.$1'],
];

/** pytorchvideo's create_resnet naming (blocks.0 stem, blocks.S.res_blocks.I, a proj head) → VideoResNet. */
const PYTORCHVIDEO_VIDEO_RESNET: readonly Rule[] = [
  [new RegExp(`^blocks\\.0\\.conv\\.${PARAM}$`), 'stem.0.$1'],
  [new RegExp(`^blocks\\.0\\.norm\\.${PARAM}$`), 'stem.1.$1'],
  [
    new RegExp(`^blocks\\.([1-4])\\.res_blocks\\.(\\d+)\\.branch1_conv\\.${PARAM}$`),
    'layer$1.$2.downsample.0.$3',
  ],
  [
    new RegExp(`^blocks\\.([1-4])\\.res_blocks\\.(\\d+)\\.branch1_norm\\.${PARAM}$`),
    'layer$1.$2.downsample.1.$3',
  ],
  [
    new RegExp(`^blocks\\.([1-4])\\.res_blocks\\.(\\d+)\\.branch2\\.conv_a\\.${PARAM}$`),
    'layer$1.$2.conv1.0.$3',
  ],
  [
    new RegExp(`^blocks\\.([1-4])\\.res_blocks\\.(\\d+)\\.branch2\\.norm_a\\.${PARAM}$`),
    'layer$1.$2.conv1.1.$3',
  ],
  [
    new RegExp(`^blocks\\.([1-4])\\.res_blocks\\.(\\d+)\\.branch2\\.conv_b\\.${PARAM}$`),
    'layer$1.$2.conv2.0.$3',
  ],
  [
    new RegExp(`^blocks\\.([1-4])\\.res_blocks\\.(\\d+)\\.branch2\\.norm_b\\.${PARAM}$`),
    'layer$1.$2.conv2.1.$3',
  ],
  [/^blocks\.\d+\.proj\.(weight|bias)$/, 'fc.$1'],
];

const identity: KeyMap = (key) => key;

/** Which sources each architecture can be read from, and how; the first is the default. */
function tablesFor(arch: string): Partial<Record<WeightSource, KeyMap>> & { native: WeightSource } {
  switch (arch) {
    case 'r3d_18':
    case 'mc3_18':
      return {
        native: 'torchvision',
        torchvision: identity,
        mmaction2: rewrite(MMACTION_VIDEO_RESNET),
        pytorchvideo: rewrite(PYTORCHVIDEO_VIDEO_RESNET),
      };
    case 'r2plus1d_18': {
      const mm = rewrite(MMACTION_VIDEO_RESNET);
      return {
        native: 'torchvision',
        torchvision: identity,
        // Conv2Plus1D's stem BN after the temporal conv is stem.4 (stem.1 is the mid-plane BN)
        mmaction2: (key) =>
          /^backbone\.conv1\.bn\./.test(key) ? key.replace(/^backbone\.conv1\.bn\./, 'stem.4.') : mm(key),
      };
    }
    case 's3d':
      return { native: 'torchvision', torchvision: identity };
    case 'c3d':
      return { native: 'mmaction2', mmaction2: identity };
    case 'timesformer_b16':
      // vit.py names sit under `model.`; unwrapStateDict strips a lone `model.` group from a bare state dict
      return { native: 'torchvision', torchvision: (k) => (k.startsWith('model.') ? k : `model.${k}`) };
    default:
      return { native: 'torchvision', torchvision: identity };
  }
}

/** The source an architecture's own names follow (what --from defaults to). */
export function nativeSource(arch: string): WeightSource {
  return tablesFor(arch).native;
}

/** The map from `source` names to `arch`'s names; INVALID_ARGUMENT when there is no table for the pair. */
export function keyMapFor(arch: string, source: WeightSource): KeyMap {
  const tables = tablesFor(arch);
  const map = tables[source];
  if (map) return map;
  const known = (['torchvision', 'pytorchvideo', 'mmaction2'] as const).filter((s) => tables[s]);
  throw new TubeletError('INVALID_ARGUMENT', `there is no key map from ${source} names to ${arch}`, {
    hint: `${arch} reads ${known.join(' or ')} checkpoints (--from ${known.join('|')})`,
  });
}
