// Training presets named after the seed works' configs (pure; any thread). Each is a complete TrainConfig;
// the sources they follow are named per preset. Values chosen by us (not in the source) are marked "ours".
import { TubeletError } from '../shared/errors.ts';
import { CONFIG_VERSION, parseTrainConfig, type TrainConfig } from './config.ts';

/** MMAction2's ImageNet mean/std in 0..255 pixel units. */
export const MMACTION_MEAN: [number, number, number] = [123.675, 116.28, 103.53];
export const MMACTION_STD: [number, number, number] = [58.395, 57.12, 57.375];
/** PySlowFast's DATA.MEAN/STD (0.45 / 0.225) in 0..255 pixel units. */
const SLOWFAST_MEAN: [number, number, number] = [114.75, 114.75, 114.75];
const SLOWFAST_STD: [number, number, number] = [57.375, 57.375, 57.375];

/**
 * FGKVMemPred_video configs/finetune/finetune_R3D-18_…_200e_mixup_lr0.2_preBN_warm5_drop0.5.yaml (@2e4d0eb):
 * UCF101, R3D-18, 16×4, 112² crops from short side 128..160, SGD 0.2 cosine 200 epochs, warmup 5 from 0.001,
 * PySlowFast MIXUP defaults (alpha 0.8, cutmix 1.0, prob 1, switch 0.5, label smoothing 0.1), colour jitter
 * 0.4/0.4/0.4/0.1 and grayscale 0.2. Dropout 0.5 belongs to the model. Jitter probability 0.8 is ours.
 */
const fgkvFinetune: TrainConfig = {
  version: CONFIG_VERSION,
  name: 'fgkvmempred-ucf101-finetune-r3d18-16x4-112',
  model: 'r3d_18',
  dataset: 'ucf101',
  data: { clipLen: 16, frameInterval: 4, numClips: 1, temporalJitter: false, cropSize: 112 },
  batchSize: 32,
  gradAccumSteps: 1,
  epochs: 200,
  optimizer: { kind: 'sgd', lr: 0.2, momentum: 0.9, nesterov: false, weightDecay: 0 },
  schedule: { warmupEpochs: 5, warmupStartFactor: 0.001 / 0.2, decay: { kind: 'cosine', minLr: 0 } },
  lrMult: { backbone: 1, head: 1 },
  linearProbe: false,
  augmentation: {
    crop: { kind: 'jitter-scale', shortSide: [128, 160] },
    flipProb: 0.5,
    colorJitter: { prob: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 },
    grayscaleProb: 0.2,
    mean: SLOWFAST_MEAN,
    std: SLOWFAST_STD,
  },
  labelSmoothing: 0.1,
  mixup: { alpha: 0.8, cutmixAlpha: 1.0, prob: 1.0, switchProb: 0.5 },
  gradClipNorm: null,
  seed: 0,
  checkpoint: { everySteps: 0, keepBest: 2 },
  valEveryEpochs: 1,
};

/** FGKVMemPred_video configs/linear/linear_R3D-18_…_100e_lr0.1.yaml (@2e4d0eb): DETACH_FINAL_FC, SGD 0.1 cosine
 *  100 epochs, warmup 5 from 0.0001, no mixup. */
const fgkvLinear: TrainConfig = {
  ...fgkvFinetune,
  name: 'fgkvmempred-ucf101-linear-r3d18-16x4-112',
  epochs: 100,
  optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 },
  schedule: { warmupEpochs: 5, warmupStartFactor: 0.0001 / 0.1, decay: { kind: 'cosine', minLr: 0 } },
  linearProbe: true,
  labelSmoothing: 0,
  mixup: null,
};

/**
 * MMAction2 configs/recognition/tsm/tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb.py: 1×1×8
 * segments, MultiScaleCrop(1, .875, .75, .66; gap 1; fixed crops) to 224², flip 0.5, SGD 0.02 momentum 0.9 wd 1e-4,
 * LinearLR 0.1 over 5 epochs, MultiStep [25, 45] ×0.1, 50 epochs, clip_grad 20, fc_lr5 (head lr ×5). Batch 16 is
 * its per-GPU batch (8 GPUs there).
 */
const tsm: TrainConfig = {
  version: CONFIG_VERSION,
  name: 'mmaction2-tsm-r50-1x1x8-kinetics400',
  model: 'tsm_r50',
  dataset: 'kinetics400',
  data: { clipLen: 1, frameInterval: 1, numClips: 8, temporalJitter: false, cropSize: 224 },
  batchSize: 16,
  gradAccumSteps: 1,
  epochs: 50,
  optimizer: { kind: 'sgd', lr: 0.02, momentum: 0.9, nesterov: false, weightDecay: 1e-4 },
  schedule: {
    warmupEpochs: 5,
    warmupStartFactor: 0.1,
    decay: { kind: 'multistep', milestones: [25, 45], gamma: 0.1 },
  },
  lrMult: { backbone: 1, head: 5 },
  linearProbe: false,
  augmentation: {
    crop: { kind: 'multi-scale', scales: [1, 0.875, 0.75, 0.66], maxWhScaleGap: 1, randomCrop: false },
    flipProb: 0.5,
    colorJitter: null,
    grayscaleProb: 0,
    mean: MMACTION_MEAN,
    std: MMACTION_STD,
  },
  labelSmoothing: 0,
  mixup: null,
  gradClipNorm: 20,
  seed: 0,
  checkpoint: { everySteps: 0, keepBest: 3 },
  valEveryEpochs: 1,
};

/**
 * Ours: the zoo's toy_r3d on the synthetic Toy Actions set, sized for a software adapter (about 8 M multiply-adds
 * per clip). Its PyTorch twin (scripts/toy-learnability/train.py, same data protocol) reaches 90.6–95.8 % val top-1
 * in these 8 epochs over seeds 0–5 (10 epochs: 89.6–94.8 %, no better; 6 epochs: 80–90 %, too seed-dependent). Frames at 32² short side
 * (jitter-scale 32..32), a random 28² crop, validation on the centre 28²; 8 frames at interval 4 span the 32-frame
 * clips. No flips: the classes include motion directions, which a horizontal flip would swap; no colour jitter:
 * the classes are about motion, not colour.
 */
const toy: TrainConfig = {
  version: CONFIG_VERSION,
  name: 'toy-actions-r3d-tiny',
  model: 'toy_r3d',
  dataset: 'toy-actions',
  data: { clipLen: 8, frameInterval: 4, numClips: 1, temporalJitter: false, cropSize: 28 },
  batchSize: 8,
  gradAccumSteps: 1,
  epochs: 8,
  optimizer: { kind: 'adamw', lr: 5e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-4 },
  schedule: { warmupEpochs: 2, warmupStartFactor: 0.04, decay: { kind: 'cosine', minLr: 0 } },
  lrMult: { backbone: 1, head: 1 },
  linearProbe: false,
  augmentation: {
    crop: { kind: 'jitter-scale', shortSide: [32, 32] },
    flipProb: 0,
    colorJitter: null,
    grayscaleProb: 0,
    mean: SLOWFAST_MEAN,
    std: SLOWFAST_STD,
  },
  labelSmoothing: 0,
  mixup: null,
  gradClipNorm: null,
  seed: 0,
  checkpoint: { everySteps: 24, keepBest: 2 },
  valEveryEpochs: 1,
};

/** The frame-averaging 2-D baseline on Toy Actions, trained exactly like the toy R3D (evidence the latter uses
 *  time: this one stays at chance on direction inside each pair of classes). */
const toyBaseline: TrainConfig = { ...toy, name: 'toy-actions-avg2d-baseline', model: 'toy_avg2d' };

/**
 * Ours: the tiny TimeSformer (timesformer_b16:tiny: 2 divided space-time blocks of width 64, 4×4 patches, tables
 * built for 8×28²) on Toy Actions with the toy R3D's data protocol and AdamW (the optimizer of the issue's
 * TimeSformer 8×32 recipe). lr 1e-3, weight decay 0.05 and gradient clipping at 1 are ours (ViT finetuning
 * habits). Its PyTorch twin (scripts/toy-learnability/train_vit.py, seed 0) reaches only 14 % val top-1 with this
 * recipe and 23 % at 40 epochs on 16² crops: far from the > 80 % goal (the recipe still wants finding).
 */
const toyTimesformer: TrainConfig = {
  ...toy,
  name: 'toy-actions-timesformer-tiny',
  model: 'timesformer_b16:tiny',
  optimizer: { kind: 'adamw', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 },
  gradClipNorm: 1,
};

/**
 * The tiny VideoMAE ViT on Toy Actions with VideoMAE's finetuning recipe shape: AdamW (β 0.9/0.999, weight decay
 * 0.05), layer-wise lr decay 0.75, warmup then cosine. Ours: lr, epochs, batch, 8 frames on the full 32² frame (a
 * 4×4×4 tubelet grid; the tiny model's 2×4×4 sinusoid table is resized in time), no MixUp/CutMix and no label
 * smoothing at this scale. Its PyTorch twin (scripts/toy-learnability/train_vit.py, seed 0) reaches 9 % val top-1
 * with this recipe and 40 % at 40 epochs on 32² crops from 40² frames: far from the > 80 % goal.
 */
const toyVideoMAE: TrainConfig = {
  ...toy,
  name: 'toy-actions-videomae-tiny',
  model: 'videomae_vit_b:tiny',
  data: { ...toy.data, cropSize: 32 },
  epochs: 10,
  optimizer: { kind: 'adamw', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 },
  layerDecay: 0.75,
};

export const TRAIN_PRESETS: Readonly<Record<string, TrainConfig>> = Object.fromEntries(
  [fgkvFinetune, fgkvLinear, tsm, toy, toyBaseline, toyTimesformer, toyVideoMAE].map((c) => [
    c.name,
    parseTrainConfig(c),
  ]),
);

export const DEFAULT_PRESET = 'toy-actions-r3d-tiny';

/** A deep copy of preset `name` (throws INVALID_ARGUMENT listing the presets when unknown). */
export function trainPreset(name: string): TrainConfig {
  const preset = TRAIN_PRESETS[name];
  if (!preset) {
    throw new TubeletError(
      'INVALID_ARGUMENT',
      `unknown training preset '${name}'; presets: ${Object.keys(TRAIN_PRESETS).join(', ')}`,
    );
  }
  return structuredClone(preset);
}
