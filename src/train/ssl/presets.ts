// BYOL + FGKV memory pretraining presets (pure data; any thread): the published FGKVMemPred R3D-18 UCF101 config
// (BYOL_R3d-18_16x4_112_400e_bs64_fgkvmempred.yaml, see shared/reference/ssl_eval_zeroshot.md §1) and a toy preset.
import type { AugmentationConfig } from '../../shared/trainConfig.ts';
import type { OptimizerConfig } from '../optimizers.ts';
import type { ByolFgkvDims } from './byolFgkv.ts';
import type { MemoryReconOptions } from './memoryRecon.ts';

export interface ByolFgkvPreset {
  readonly name: string;
  readonly description: string;
  /** zoo backbone; features before its head feed the projector */
  readonly model: string;
  readonly modelPreset: 'full' | 'tiny';
  readonly dims: ByolFgkvDims;
  readonly memory: MemoryReconOptions;
  readonly baseMomentum: number;
  readonly epochs: number;
  /** global batch (videos; each gives two clips) */
  readonly batchSize: number;
  readonly clipLen: number;
  readonly frameInterval: number;
  readonly cropSize: number;
  readonly optimizer: OptimizerConfig;
  readonly baseLr: number;
  readonly warmupEpochs: number;
  readonly warmupStartLr: number;
  /** MoCo-v2 video augmentation, one draw per clip (Gaussian blur p 0.5 of the reference is not implemented) */
  readonly augmentation: AugmentationConfig;
  readonly seed: number;
}

const FGKV_MEMORY: MemoryReconOptions = {
  radius: 16,
  nHead: 1,
  addressType: 'dot',
  dinoTempS: 0.05,
  dinoTempT: 0.05,
  byolTemperature: 0.5,
  lossSourceRecon: 0.1,
  lossTargetRecon: 0.1,
  lossKl: 0.01,
};

const LARS: OptimizerConfig = {
  kind: 'lars',
  momentum: 0.9,
  weightDecay: 1e-6,
  trustCoefficient: 0.001,
  eps: 1e-8,
};

/** MoCo-v2 colour (0.6, 0.6, 0.6, 0.15 at p 0.8), grayscale 0.2, relative RRC [0.2, 0.766] × [0.75, 1.333], flip. */
const MOCO_V2: AugmentationConfig = {
  crop: { kind: 'random-resized', scale: [0.2, 0.766], ratio: [0.75, 4 / 3] },
  flipProb: 0.5,
  colorJitter: { prob: 0.8, brightness: 0.6, contrast: 0.6, saturation: 0.6, hue: 0.15 },
  grayscaleProb: 0.2,
  mean: [114.75, 114.75, 114.75], // PySlowFast DATA.MEAN 0.45 × 255
  std: [57.375, 57.375, 57.375], // DATA.STD 0.225 × 255
};

export const BYOL_FGKV_PRESETS: readonly ByolFgkvPreset[] = [
  {
    name: 'fgkvmempred-r3d18-16x4-112-ucf101',
    description:
      'FGKVMemPred BYOL_R3d-18_16x4_112_400e_bs64_fgkvmempred: R3D-18, memory 4096×256, radius 16, losses 0.1/0.1/0.01, LARS lr 1.2',
    model: 'r3d_18',
    modelPreset: 'full',
    dims: { projHidden: 4096, dim: 256, nMemory: 4096, nConcept: 4096 },
    memory: FGKV_MEMORY,
    baseMomentum: 0.996,
    epochs: 400,
    batchSize: 64,
    clipLen: 16,
    frameInterval: 4,
    cropSize: 112,
    optimizer: LARS,
    baseLr: 1.2,
    warmupEpochs: 35,
    warmupStartLr: 0.001,
    augmentation: MOCO_V2,
    seed: 0,
  },
  {
    name: 'toy-byol-fgkv',
    description: 'Ours: toy_r3d on Toy Actions, memory 64 slots, dims 32, sized for a software adapter',
    model: 'toy_r3d',
    modelPreset: 'full',
    dims: { projHidden: 64, dim: 32, nMemory: 64, nConcept: 64 },
    memory: FGKV_MEMORY,
    baseMomentum: 0.996,
    epochs: 4,
    batchSize: 16,
    clipLen: 8,
    frameInterval: 1,
    cropSize: 28,
    optimizer: LARS,
    baseLr: 1.2,
    warmupEpochs: 0.5,
    warmupStartLr: 0.001,
    augmentation: { ...MOCO_V2, crop: { kind: 'random-resized', scale: [0.5, 1], ratio: [0.75, 4 / 3] } },
    seed: 0,
  },
];

export function byolFgkvPreset(name: string): ByolFgkvPreset | undefined {
  return BYOL_FGKV_PRESETS.find((p) => p.name === name);
}

// Masked-video pretraining presets (MaskFeat, VideoMAE) live beside their modules.
export {
  MASKFEAT_PRESETS,
  VIDEOMAE_PRETRAIN_PRESETS,
  maskfeatPreset,
  videomaePretrainPreset,
} from './videomaePretrainPresets.ts';
