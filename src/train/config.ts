// The training configuration: a typed, validated JSON document (pure; any thread). Parsing names the bad field and
// value; `resolveSchedule` turns epoch-based settings into the per-iteration schedule of ./schedule.ts.
import { TubeletError } from '../shared/errors.ts';
import type { ScheduleConfig } from './schedule.ts';
import type { OptimizerConfig } from './optimizers.ts';
import { configProblems, showValue, trainConfigSchema, type TrainConfig } from '../shared/trainConfig.ts';

export {
  CONFIG_VERSION,
  configProblems,
  trainConfigSchema,
  type AugmentationConfig,
  type CropConfig,
  type TrainConfig,
} from '../shared/trainConfig.ts';

/** Validates `input` (parsed JSON) as a TrainConfig; throws INVALID_ARGUMENT listing every bad field and value. */
export function parseTrainConfig(input: unknown): TrainConfig {
  const problems = configProblems(input);
  if (problems.length > 0) {
    const lines = problems.map((p) => `${p.path}: ${p.message} (got ${showValue(p.value)})`);
    throw new TubeletError('INVALID_ARGUMENT', `Invalid training config: ${lines.join('; ')}`, {
      hint: 'Fix the named fields, or start from a preset (see TRAIN_PRESETS).',
      details: lines.join('\n'),
    });
  }
  return trainConfigSchema.parse(input);
}

/** Parses a JSON document; a syntax error is reported as INVALID_ARGUMENT too. */
export function importTrainConfig(json: string): TrainConfig {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new TubeletError('INVALID_ARGUMENT', `Training config is not valid JSON: ${String(cause)}`, {
      cause,
    });
  }
  return parseTrainConfig(value);
}

export function exportTrainConfig(c: TrainConfig): string {
  return `${JSON.stringify(parseTrainConfig(c), null, 2)}\n`;
}

/** Optimizer steps per epoch for `trainClips` clips (incomplete last batches are dropped, as drop_last). */
export function stepsPerEpoch(c: TrainConfig, trainClips: number): number {
  return Math.floor(trainClips / (c.batchSize * c.gradAccumSteps));
}

/** The per-iteration schedule for a run with `steps` optimizer steps per epoch. */
export function resolveSchedule(c: TrainConfig, steps: number): ScheduleConfig {
  if (steps < 1) {
    throw new TubeletError(
      'INVALID_ARGUMENT',
      `an epoch has no full batch of ${c.batchSize * c.gradAccumSteps} clips`,
      {
        hint: 'Lower batchSize or gradAccumSteps, or use a larger dataset.',
      },
    );
  }
  const d = c.schedule.decay;
  return {
    baseLr: c.optimizer.lr,
    totalIters: c.epochs * steps,
    warmupIters: Math.round(c.schedule.warmupEpochs * steps),
    warmupStartFactor: c.schedule.warmupStartFactor,
    decay: d.kind === 'multistep' ? { ...d, milestones: d.milestones.map((m) => m * steps) } : d,
  };
}

/** The optimizer settings of ./optimizers.ts (lr is applied per step from the schedule). */
export function optimizerConfig(c: TrainConfig): OptimizerConfig {
  const o = c.optimizer;
  switch (o.kind) {
    case 'sgd':
      return { kind: 'sgd', momentum: o.momentum, nesterov: o.nesterov, weightDecay: o.weightDecay };
    case 'adamw':
      return { kind: 'adamw', beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay };
    case 'lars':
      return {
        kind: 'lars',
        momentum: o.momentum,
        weightDecay: o.weightDecay,
        trustCoefficient: o.trustCoefficient,
        eps: o.eps,
      };
  }
}
