// Estimated training time per epoch (pure; main thread): optimizer steps per epoch × clips per step ÷ clips/s,
// where clips/s is measured, never guessed. The memory estimate lives in shared/memoryEstimate.ts.
import { planSteps } from '../../shared/multigridConfig.ts';
import type { TrainConfig } from '../../shared/trainConfig.ts';

export {
  KEPT_PER_CONV,
  memoryEstimate,
  optimizerSlots,
  type MemoryEstimate,
} from '../../shared/memoryEstimate.ts';

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
