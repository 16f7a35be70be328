// A TrainConfig's multigrid plan (pure; both threads): total epochs, the step shapes of any epoch and the
// cross-field checks of the `multigrid` block. The trainer (src/train/multigrid.ts) and the Finetune panel's
// estimate both read these, so the UI's steps per epoch match the run's.
import {
  epochSteps,
  longCycleSchedule,
  pyRound,
  shortCycleShapes,
  stageAt,
  type LongCycleStage,
  type MultigridBase,
  type StepShape,
} from './multigrid.ts';
import type { ConfigProblem, MultigridConfig, TrainConfig } from './trainConfig.ts';

function baseOf(c: TrainConfig): MultigridBase {
  const d = c.schedule.decay;
  return {
    clipLen: c.data.clipLen,
    cropSize: c.data.cropSize,
    batchSize: c.batchSize,
    epochs: c.epochs,
    milestones: d.kind === 'multistep' ? d.milestones : [],
    gamma: d.kind === 'multistep' ? d.gamma : 1,
  };
}

/** The long-cycle stages of `c`, or null when the long cycle is off. */
export function longCycleStages(c: TrainConfig): readonly LongCycleStage[] | null {
  return c.multigrid?.longCycle ? longCycleSchedule(baseOf(c), c.multigrid) : null;
}

/** PySlowFast short-cycle-only rescaling: epochs and milestones × epochFactor, floored. */
export function shortCycleEpochs(
  c: TrainConfig,
  m: MultigridConfig,
): { epochs: number; milestones: number[] } {
  const d = c.schedule.decay;
  const scale = (e: number): number => Math.floor(e * m.epochFactor);
  return { epochs: scale(c.epochs), milestones: d.kind === 'multistep' ? d.milestones.map(scale) : [] };
}

/** Epochs the run trains for: config.epochs, or the multigrid schedule's total. */
export function totalEpochs(
  c: TrainConfig,
  stages: readonly LongCycleStage[] | null = longCycleStages(c),
): number {
  const m = c.multigrid;
  if (!m) return c.epochs;
  if (stages) return stages[stages.length - 1]?.endEpoch ?? 0;
  return shortCycleEpochs(c, m).epochs;
}

/** The repeating cycle of step shapes in `epoch` (one shape without a short cycle). */
export function epochShapes(
  c: TrainConfig,
  epoch: number,
  stages: readonly LongCycleStage[] | null = longCycleStages(c),
): StepShape[] {
  const m = c.multigrid;
  let stage: StepShape = {
    batchSize: c.batchSize,
    clipLen: c.data.clipLen,
    cropSize: c.data.cropSize,
    shortCycle: null,
  };
  if (stages) {
    const s = stageAt(stages, epoch).shape;
    stage = { ...stage, batchSize: c.batchSize * s.batchFactor, clipLen: s.clipLen, cropSize: s.cropSize };
  }
  return m?.shortCycle ? shortCycleShapes(stage, c.data.cropSize, m.shortCycleFactors) : [stage];
}

/** The steps of `epoch` over `trainClips` clips (drop_last), each with its first clip in the epoch's order. */
export function epochPlan(
  c: TrainConfig,
  epoch: number,
  trainClips: number,
  stages: readonly LongCycleStage[] | null = longCycleStages(c),
): (StepShape & { readonly first: number })[] {
  return epochSteps(epochShapes(c, epoch, stages), trainClips, c.gradAccumSteps);
}

/** Epochs and optimizer steps of the whole run over `trainClips` clips (multigrid or not). */
export function planSteps(c: TrainConfig, trainClips: number): { epochs: number; steps: number } {
  const stages = longCycleStages(c);
  const epochs = totalEpochs(c, stages);
  if (!c.multigrid)
    return { epochs, steps: epochs * Math.floor(trainClips / (c.batchSize * c.gradAccumSteps)) };
  let steps = 0;
  for (let e = 0; e < epochs; e++) steps += epochPlan(c, e, trainClips, stages).length;
  return { epochs, steps };
}

/** Largest B·T·S² of any step relative to the default batch (activation memory scales with it). */
export function peakShapeRatio(c: TrainConfig): number {
  const stages: readonly LongCycleStage[] | null = longCycleStages(c);
  const epochs = stages ? stages.map((s) => s.endEpoch - 1) : [0];
  const unit = c.batchSize * c.data.clipLen * c.data.cropSize ** 2;
  const sizes = epochs.flatMap((e) =>
    epochShapes(c, Math.max(0, e), stages).map((s) => s.batchSize * s.clipLen * s.cropSize ** 2),
  );
  return Math.max(1, ...sizes) / unit;
}

/** Cross-field checks of `c.multigrid` (none when it is absent). */
export function multigridProblems(c: TrainConfig): ConfigProblem[] {
  const m = c.multigrid;
  if (!m) return [];
  const out: ConfigProblem[] = [];
  const add = (path: string, message: string, value: unknown): void => {
    out.push({ path: `multigrid${path}`, message, value });
  };
  if (/^c3d(:|$)/.test(c.model)) {
    add('', `model ${c.model} flattens a fixed T×H×W into fc6; multigrid needs global pooling`, c.model);
  }
  const d = c.schedule.decay;
  if (m.longCycle) {
    if (d.kind !== 'multistep' || d.milestones.length === 0) {
      add(
        '.longCycle',
        'needs schedule.decay multistep with milestones (the LR stages the cycle repeats in)',
        d,
      );
    }
    const lastFactor = m.longCycleFactors[m.longCycleFactors.length - 1];
    if (lastFactor?.[0] !== 1 || lastFactor[1] !== 1) {
      add('.longCycleFactors', 'must end with [1, 1] (the final phase trains at the full shape)', lastFactor);
    }
    const tiny = m.longCycleFactors.find(
      ([t, s]) => pyRound(c.data.clipLen * t) < 1 || pyRound(c.data.cropSize * s) < 1,
    );
    if (tiny)
      add(
        '.longCycleFactors',
        `gives a shape under 1 frame or pixel for ${c.data.clipLen}×${c.data.cropSize}²`,
        tiny,
      );
  }
  if (m.shortCycle && m.shortCycleFactors.some((f) => pyRound(f * c.data.cropSize) < 1)) {
    add(
      '.shortCycleFactors',
      `gives a crop under 1 pixel for cropSize ${c.data.cropSize}`,
      m.shortCycleFactors,
    );
  }
  if (out.length > 0) return out;
  const epochs = totalEpochs(c);
  if (epochs < 1) {
    add('.epochFactor', `leaves ${epochs} epochs to train`, m.epochFactor);
    return out;
  }
  if (c.schedule.warmupEpochs > epochs) {
    add('.epochFactor', `leaves ${epochs} epochs, fewer than schedule.warmupEpochs`, m.epochFactor);
  }
  if (!m.longCycle && d.kind === 'multistep') {
    const ms = shortCycleEpochs(c, m).milestones;
    if (ms.some((x, i) => x < 1 || x > epochs || (i > 0 && x <= (ms[i - 1] ?? 0)))) {
      add(
        '.epochFactor',
        `scales the milestones to [${ms.join(', ')}], not increasing epochs in 1..${epochs}`,
        m.epochFactor,
      );
    }
  }
  return out;
}
