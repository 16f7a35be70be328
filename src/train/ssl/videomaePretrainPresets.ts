// Masked-video pretraining presets (pure data; any thread): VideoMAE ViT-B K400 (MCG-NJU/VideoMAE
// pretrain.sh, see shared/reference/ssl_eval_zeroshot.md §4.1) and MaskFeat (PySlowFast masked_ssl §3.1), plus toys.
import type { OptimizerConfig } from '../optimizers.ts';
import type { MaskFeatConfig } from './maskfeat.ts';
import { IMAGENET_MEAN, IMAGENET_STD, type VideoMAEPretrainConfig } from './videomaePretrain.ts';
import type { MaskedVitSpec } from './videomaePretrainNet.ts';

export interface MaskedPretrainSchedule {
  readonly epochs: number;
  /** global batch (clips) */
  readonly batchSize: number;
  readonly baseLr: number;
  readonly warmupEpochs: number;
  readonly minLr: number;
  /** L2 gradient clip, or null */
  readonly clipGrad: number | null;
}

export interface VideoMAEPretrainPreset {
  readonly name: string;
  readonly description: string;
  readonly config: VideoMAEPretrainConfig;
  readonly schedule: MaskedPretrainSchedule;
}

export interface MaskFeatPreset {
  readonly name: string;
  readonly description: string;
  readonly config: MaskFeatConfig;
  readonly schedule: MaskedPretrainSchedule;
}

const VIT_B: MaskedVitSpec = {
  embed: 768,
  depth: 12,
  heads: 12,
  mlpRatio: 4,
  patch: 16,
  tubelet: 2,
  frames: 16,
  size: 224,
};
/** The toy ViT: VIDEOMAE_TINY's width (2 blocks × 64, 8-px patches, tubelet 2) on 4×32² Toy Actions clips. */
export const TOY_MASKED_VIT: MaskedVitSpec = {
  embed: 64,
  depth: 2,
  heads: 2,
  mlpRatio: 4,
  patch: 8,
  tubelet: 2,
  frames: 4,
  size: 32,
};

const adamw = (beta2: number, weightDecay: number): OptimizerConfig => ({
  kind: 'adamw',
  beta1: 0.9,
  beta2,
  eps: 1e-8,
  weightDecay,
});

export const VIDEOMAE_PRETRAIN_PRESETS: readonly VideoMAEPretrainPreset[] = [
  {
    name: 'videomae-vit-b-16x4-k400',
    description:
      'VideoMAE ViT-B K400: tube 0.9, decoder 4×384/6 heads, norm-pixel target, AdamW(0.9, 0.95) wd 0.05, lr 1.5e-4·2048/256, 800 ep',
    config: {
      encoder: VIT_B,
      decoder: { embed: 384, depth: 4, heads: 6 },
      maskRatio: 0.9,
      optimizer: adamw(0.95, 0.05),
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
      seed: 0,
    },
    schedule: { epochs: 800, batchSize: 2048, baseLr: 1.2e-3, warmupEpochs: 40, minLr: 8e-5, clipGrad: null },
  },
  {
    name: 'toy-videomae',
    description:
      'Ours: toy ViT 2×64 on 4×32² Toy Actions clips, decoder 1×32, tube 0.9, AdamW lr 2e-3 (constant), 30 epochs of 8 clips',
    config: {
      encoder: TOY_MASKED_VIT,
      decoder: { embed: 32, depth: 1, heads: 1 },
      maskRatio: 0.9,
      optimizer: adamw(0.95, 0.05),
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
      seed: 0,
    },
    schedule: { epochs: 30, batchSize: 4, baseLr: 2e-3, warmupEpochs: 0, minLr: 2e-3, clipGrad: null },
  },
];

export const MASKFEAT_PRESETS: readonly MaskFeatPreset[] = [
  {
    name: 'maskfeat-vit-b-16x4-k400',
    description:
      'MaskFeat (PySlowFast k400_MVITv2_S_16x4_MaskFeat_PT recipe on a ViT-B): cube 0.4, HOG 9 bins 8-px cells, AdamW 1e-4 wd 0.05, clip 0.02, 300 ep',
    config: {
      encoder: VIT_B,
      maskRatio: 0.4,
      maskWindow: { t: 8, h: 7, w: 7 }, // AUG.MASK_WINDOW_SIZE, upsampled ×2 to the 8×14×14 tokens
      optimizer: adamw(0.999, 0.05),
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
      seed: 0,
    },
    schedule: { epochs: 300, batchSize: 32, baseLr: 1e-4, warmupEpochs: 10, minLr: 1e-6, clipGrad: 0.02 },
  },
  {
    name: 'toy-maskfeat',
    description:
      'Ours: toy ViT 2×64 on 4×32² Toy Actions clips (one HOG cell per token, 27 values), cube 0.4, AdamW lr 2e-3 (constant), 15 epochs of 8 clips',
    config: {
      encoder: TOY_MASKED_VIT,
      maskRatio: 0.4,
      optimizer: adamw(0.999, 0.05),
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
      seed: 0,
    },
    schedule: { epochs: 15, batchSize: 4, baseLr: 2e-3, warmupEpochs: 0, minLr: 2e-3, clipGrad: null },
  },
];

export function videomaePretrainPreset(name: string): VideoMAEPretrainPreset | undefined {
  return VIDEOMAE_PRETRAIN_PRESETS.find((p) => p.name === name);
}

export function maskfeatPreset(name: string): MaskFeatPreset | undefined {
  return MASKFEAT_PRESETS.find((p) => p.name === name);
}
