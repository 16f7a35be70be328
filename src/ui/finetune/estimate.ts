// Estimated training memory and time per epoch (pure; main thread). Memory: f32 weights, gradients (plus their
// running sum with accumulation) and optimizer slots from the parameter count, and activations kept for the
// backward pass from the conv output sizes of one clip (about three tensors per conv: its output, the
// BatchNorm output and the ReLU output) times the micro-batch, plus the raw and augmented input batch.
// Time: optimizer steps per epoch × clips per step ÷ clips/s, where clips/s is measured, never guessed.
import type { ModelCost } from '../../shared/protocol.ts';
import { peakShapeRatio, planSteps } from '../../shared/multigridConfig.ts';
import type { TrainConfig } from '../../shared/trainConfig.ts';

export interface MemoryEstimate {
  readonly weights: number;
  readonly gradients: number;
  readonly optimizer: number;
  readonly activations: number;
  readonly total: number;
}

/** Tensors kept per conv output for the backward pass (conv, BatchNorm, ReLU). */
export const KEPT_PER_CONV = 3;

/** Optimizer slots per parameter: momentum (SGD with momentum, LARS), first and second moments (AdamW). */
export function optimizerSlots(o: TrainConfig['optimizer']): number {
  if (o.kind === 'adamw') return 2;
  return o.momentum > 0 ? 1 : 0;
}

/** Bytes on the GPU while training `c` on a model of cost `cost` (per clip of T = clipLen × numClips). */
export function memoryEstimate(c: TrainConfig, cost: ModelCost): MemoryEstimate {
  const f32 = 4;
  const weights = cost.params * f32;
  const gradients = weights * (c.gradAccumSteps > 1 ? 2 : 1);
  const optimizer = weights * optimizerSlots(c.optimizer);
  const t = c.data.clipLen * c.data.numClips;
  const input = c.batchSize * t * c.data.cropSize * c.data.cropSize * 3 * f32 * 2;
  // multigrid: the largest B·T·S² of its steps (about the default's, by design) sets the peak
  const activations = (c.batchSize * cost.convOutputs * KEPT_PER_CONV * f32 + input) * peakShapeRatio(c);
  return { weights, gradients, optimizer, activations, total: weights + gradients + optimizer + activations };
}

/** Where a clips/s figure came from. */
export type ThroughputSource =
  | { readonly kind: 'measured'; readonly run: string | null }
  | { readonly kind: 'stored'; readonly run: string }
  | { readonly kind: 'none' };

export interface EpochTime {
  readonly steps: number;
  readonly clipsPerSec: number | null;
  readonly seconds: number | null;
  readonly source: ThroughputSource;
}

/**
 * Training time of one epoch (validation excluded) for `trainClips` train clips at `clipsPerSec` (measured at the
 * config's own shape). Multigrid: the run's mean steps per epoch, each costing about one default-shape step.
 */
export function epochTime(
  c: TrainConfig,
  trainClips: number,
  clipsPerSec: number | null,
  source: ThroughputSource,
): EpochTime {
  const perStep = c.batchSize * c.gradAccumSteps;
  const run = c.multigrid ? planSteps(c, trainClips) : null;
  const steps = run ? Math.round(run.steps / Math.max(1, run.epochs)) : Math.floor(trainClips / perStep);
  const seconds = clipsPerSec !== null && clipsPerSec > 0 ? (steps * perStep) / clipsPerSec : null;
  return { steps, clipsPerSec, seconds, source };
}
