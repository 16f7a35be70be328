// Estimated training memory (pure; any thread): f32 weights, gradients (plus their running sum with accumulation)
// and optimizer slots from the parameter count, and activations kept for the backward pass from the conv output
// sizes of one clip (about three tensors per conv: its output, the BatchNorm output and the ReLU output) times the
// micro-batch, plus the raw and augmented input batch. The Finetune panel shows it; the GPU benchmark checks it.
import type { ModelCost } from './protocol.ts';
import { peakShapeRatio } from './multigridConfig.ts';
import type { TrainConfig } from './trainConfig.ts';

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
