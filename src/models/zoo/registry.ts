// The model zoo's registry (compute worker): registry name → builder, the published parameter count, and the
// input each model was published with (for FLOPs). Builders take { numClasses, widthMultiplier?, preset?, seed? }.
import { buildC3D } from './c3d.ts';
import { buildS3D } from './s3d.ts';
import { buildToyAvg2d, buildToyR3d } from './toy.ts';
import { buildVideoResNet } from './videoResnet.ts';
import type { ModelConfig, ZooModel } from './zooModel.ts';

export interface ZooEntry {
  readonly name: string;
  readonly family: string;
  readonly description: string;
  readonly build: (config: ModelConfig) => ZooModel;
  /** parameters of the published model (publishedClasses classes), as its source states them */
  readonly publishedParams: number;
  /** classes of the published model; default 400 (Kinetics-400) */
  readonly publishedClasses?: number;
  /** the [T, H, W] of one clip its FLOPs are usually quoted for */
  readonly referenceInput: readonly [number, number, number];
  /** the smallest [T, H, W] the full architecture accepts in our tests, and the tiny preset's test input */
  readonly tinyInput: readonly [number, number, number];
}

export const ZOO: readonly ZooEntry[] = [
  {
    name: 'r3d_18',
    family: 'torchvision VideoResNet',
    description: 'R3D-18: 3×3×3 convolutions throughout (Tran et al. 2018)',
    build: (c) => buildVideoResNet('r3d_18', c),
    publishedParams: 33_371_472,
    referenceInput: [16, 112, 112],
    tinyInput: [4, 32, 32],
  },
  {
    name: 'mc3_18',
    family: 'torchvision VideoResNet',
    description: 'MC3-18: 3-D convolutions in the first stages, 2-D (1×3×3) in the later ones',
    build: (c) => buildVideoResNet('mc3_18', c),
    publishedParams: 11_695_440,
    referenceInput: [16, 112, 112],
    tinyInput: [4, 32, 32],
  },
  {
    name: 'r2plus1d_18',
    family: 'torchvision VideoResNet',
    description: 'R(2+1)D-18: each 3×3×3 conv factored into 1×3×3 then 3×1×1 with the mid-plane formula',
    build: (c) => buildVideoResNet('r2plus1d_18', c),
    publishedParams: 31_505_325,
    referenceInput: [16, 112, 112],
    tinyInput: [4, 32, 32],
  },
  {
    name: 's3d',
    family: 'torchvision S3D',
    description: 'S3D: separable 3-D Inception (Xie et al. 2018)',
    build: buildS3D,
    publishedParams: 8_320_048,
    referenceInput: [16, 224, 224],
    tinyInput: [8, 32, 32],
  },
  {
    name: 'c3d',
    family: 'MMAction2 C3D',
    description: 'C3D: eight 3×3×3 convs and two 4096-wide FCs (Tran et al. 2015), MMAction2 names',
    build: buildC3D,
    publishedParams: 78_409_573, // MMAction2's c3d UCF101 config (101 classes): 78.4 M
    publishedClasses: 101,
    referenceInput: [16, 112, 112],
    tinyInput: [16, 32, 32],
  },
  {
    name: 'toy_r3d',
    family: 'Tubelet toy',
    description: 'Toy R3D: three 3×3×3 conv-BN-ReLU blocks and global max pooling, for Toy Actions',
    build: buildToyR3d,
    publishedParams: 18_304, // ours: its PyTorch twin in scripts/toy-learnability/train.py, 8 classes
    publishedClasses: 8,
    referenceInput: [8, 28, 28],
    tinyInput: [4, 16, 16],
  },
  {
    name: 'toy_avg2d',
    family: 'Tubelet toy',
    description: 'Frame-averaging 2-D baseline: the clip averaged over time, then three 3×3 conv-BN-ReLU blocks',
    build: buildToyAvg2d,
    publishedParams: 6_352, // ours: its PyTorch twin in scripts/toy-learnability/train.py, 8 classes
    publishedClasses: 8,
    referenceInput: [8, 28, 28],
    tinyInput: [4, 16, 16],
  },
];

export function zooEntry(name: string): ZooEntry {
  const entry = ZOO.find((e) => e.name === name);
  if (!entry) {
    throw new RangeError(`unknown model '${name}'; the zoo has ${ZOO.map((e) => e.name).join(', ')}`);
  }
  return entry;
}

/** Builds a registry model. config.numClasses must be a positive integer. */
export function buildModel(name: string, config: ModelConfig): ZooModel {
  if (!Number.isInteger(config.numClasses) || config.numClasses < 1) {
    throw new RangeError(`${name}: numClasses must be a positive integer, got ${config.numClasses}`);
  }
  if (config.widthMultiplier !== undefined && !(config.widthMultiplier > 0)) {
    throw new RangeError(`${name}: widthMultiplier must be > 0, got ${config.widthMultiplier}`);
  }
  return zooEntry(name).build(config);
}

export interface ModelInfo {
  readonly name: string;
  readonly family: string;
  readonly description: string;
  readonly params: number;
  /** multiply-adds of conv and linear layers for one clip of `input` (fvcore/ptflops "MACs"; BN, ReLU, pooling
   *  not counted). GFLOPs as torchvision quotes them = macs / 1e9. */
  readonly macs: number;
  /** [N, T, H, W, C] the MACs are for */
  readonly input: readonly [number, number, number, number, number];
}

/** Builds the model, measures it, disposes it. */
export function modelInfo(
  name: string,
  config: ModelConfig,
  input?: readonly [number, number, number],
): ModelInfo {
  const entry = zooEntry(name);
  const model = buildModel(name, config);
  try {
    const [t, h, w] = input ?? (config.preset === 'tiny' ? entry.tinyInput : entry.referenceInput);
    const shape = [1, t, h, w, 3] as const;
    return {
      name,
      family: entry.family,
      description: entry.description,
      params: model.paramCount(),
      macs: model.macs(shape),
      input: shape,
    };
  } finally {
    model.dispose();
  }
}
