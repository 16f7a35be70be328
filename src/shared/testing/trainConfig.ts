// A complete TrainConfig for tests (pure; any thread, the UI's tests included): small synthetic clips, AdamW,
// random-resized crops and colour jitter, fixed here so tests do not move when a user-facing preset is retuned.
import { CONFIG_VERSION, trainConfigSchema, type TrainConfig } from '../trainConfig.ts';

export function testConfig(): TrainConfig {
  return trainConfigSchema.parse({
    version: CONFIG_VERSION,
    name: 'test-tiny',
    model: 'r3d_18:tiny',
    dataset: 'toy-actions',
    data: { clipLen: 8, frameInterval: 1, numClips: 1, temporalJitter: false, cropSize: 32 },
    batchSize: 8,
    gradAccumSteps: 1,
    epochs: 12,
    optimizer: { kind: 'adamw', lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 },
    schedule: { warmupEpochs: 1, warmupStartFactor: 0.1, decay: { kind: 'cosine', minLr: 0 } },
    lrMult: { backbone: 1, head: 1 },
    linearProbe: false,
    augmentation: {
      crop: { kind: 'random-resized', scale: [0.7, 1], ratio: [0.75, 4 / 3] },
      flipProb: 0,
      colorJitter: { prob: 0.5, brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0 },
      grayscaleProb: 0,
      // MMAction2's ImageNet mean/std (0–255)
      mean: [123.675, 116.28, 103.53],
      std: [58.395, 57.12, 57.375],
    },
    labelSmoothing: 0,
    mixup: null,
    gradClipNorm: 5,
    seed: 0,
    checkpoint: { everySteps: 50, keepBest: 2 },
    valEveryEpochs: 1,
  });
}
