// MMAction2 ResNet3d recognizers of the zoo (compute worker): SlowOnly R18/R50, C2D R50 and I3D R50 as
// Recognizer3D(backbone=ResNet3d…, cls_head=I3DHead), configured as MMAction2's configs/_base_/models files.
import { Rng } from '../../shared/random.ts';
import { Recognizer3D } from './mmaction.ts';
import { DEPTHS, RESNET3D_DEFAULTS, ResNet3d, type ResNet3dSpec } from './resnet3d.ts';
import { ZooModel, type ModelConfig } from './zooModel.ts';

/** ResNet3dSlowOnly (slowonly_r50.py): (1,7,7) stem, no temporal strides, inflate (0,0,1,1), no pool2. */
const slowOnly = (depth: 18 | 50): ResNet3dSpec => ({
  ...RESNET3D_DEFAULTS,
  ...DEPTHS[depth],
  baseChannels: 64,
  conv1Kernel: [1, 7, 7],
  conv1StrideT: 1,
  pool1StrideT: 1,
  withPool2: false,
  inflate: [0, 0, 1, 1],
  zeroInitResidual: true,
});

export const RESNET3D_SPECS = {
  slowonly_r18: slowOnly(18),
  slowonly_r50: slowOnly(50),
  /** C2D (c2d.py): a 2-D ResNet-50 on every frame (nn.Conv2d weights), stem pool without padding, and a
   *  MaxPool3d((2,1,1)) after layer1, the only temporal operation */
  c2d_r50: {
    ...RESNET3D_DEFAULTS,
    ...DEPTHS[50],
    baseChannels: 64,
    conv1Kernel: [1, 7, 7],
    conv1StrideT: 1,
    pool1StrideT: 1,
    pool1Padding: 0,
    inflate: [0, 0, 0, 0],
    layout2d: true,
    zeroInitResidual: false,
  },
  /** I3D (i3d_r50.py): 5×7×7 stem with temporal stride 2, pool1 and pool2 temporal stride 2, 3×1×1 inflation of
   *  the blocks ((1,1,1), (1,0,1,0), (1,0,1,0,1,0), (0,1,0)) */
  i3d_r50: {
    ...RESNET3D_DEFAULTS,
    ...DEPTHS[50],
    baseChannels: 64,
    conv1Kernel: [5, 7, 7],
    conv1StrideT: 2,
    pool1StrideT: 2,
    inflate: [
      [1, 1, 1],
      [1, 0, 1, 0],
      [1, 0, 1, 0, 1, 0],
      [0, 1, 0],
    ],
    zeroInitResidual: false,
  },
} as const satisfies Record<string, ResNet3dSpec>;

/** I3D with non-local blocks (i3d_imagenet-pretrained-r50-nl-embedded-gaussian): NonLocal3d after blocks 1, 3 of
 *  res3 and 1, 3, 5 of res4; sub_sample, no scale, BN in conv_out. */
export const I3D_NL_SPEC: ResNet3dSpec = {
  ...RESNET3D_SPECS.i3d_r50,
  nonLocal: [
    [0, 0, 0],
    [0, 1, 0, 1],
    [0, 1, 0, 1, 0, 1],
    [0, 0, 0],
  ],
  nonLocalOptions: { mode: 'embedded_gaussian', useScale: false, subSample: true },
};

/**
 * Tiny preset: one block per stage (keeping each stage's first inflation flag; a non-local module where the stage
 * had one) and zero_init_residual off, so that
 * every parameter gets a gradient in a one-step test (a zero BN weight stops the gradient of its whole branch).
 */
export function tinyResNet3dSpec(spec: ResNet3dSpec): ResNet3dSpec {
  // a stage with any non-local block keeps one on its single block
  const nonLocal = spec.nonLocal?.map((f) => (typeof f === 'number' ? f : Math.max(0, ...f))) ?? null;
  return { ...spec, stageBlocks: spec.stageBlocks.map(() => 1), zeroInitResidual: false, nonLocal };
}

/** Recognizer3D over a ResNet3d spec; width × 1/8 for the tiny preset unless widthMultiplier says otherwise. */
export function buildResNet3dRecognizer(name: string, spec: ResNet3dSpec, config: ModelConfig): ZooModel {
  const tiny = config.preset === 'tiny';
  const m = config.widthMultiplier ?? (tiny ? 1 / 8 : 1);
  const rng = new Rng(config.seed ?? 0);
  const backbone = new ResNet3d(rng, tiny ? tinyResNet3dSpec(spec) : spec, m);
  return new ZooModel(name, config, 'cls_head.fc_cls', new Recognizer3D(rng, backbone, config.numClasses));
}

export function buildResNet3dModel(name: keyof typeof RESNET3D_SPECS, config: ModelConfig): ZooModel {
  return buildResNet3dRecognizer(name, RESNET3D_SPECS[name], config);
}
