// The trainer's step planner (compute worker; pure): how many steps each epoch has, which clips, batch size, clip
// length and crop size each step uses, and its learning rate. Without `config.multigrid` it is the plain
// fixed-batch plan (bit-identical to before); with it, the long/short cycles of src/shared/multigrid.ts.
import { longCycleLrFactor, type LongCycleStage, type StepShape } from '../shared/multigrid.ts';
import {
  epochPlan,
  epochShapes,
  longCycleStages,
  shortCycleEpochs,
  totalEpochs,
} from '../shared/multigridConfig.ts';
import { TubeletError } from '../shared/errors.ts';
import type { Rng } from '../shared/random.ts';
import type { AugmentationConfig, TrainConfig } from './config.ts';
import { resolveSchedule, stepsPerEpoch } from './config.ts';
import { learningRate, type ScheduleConfig } from './schedule.ts';

export type PlannedStep = StepShape & { readonly first: number };

export class StepPlanner {
  readonly epochs: number;
  readonly stages: readonly LongCycleStage[] | null;
  /** Per-iteration schedule (plain and short-cycle-only runs, whose epochs all have the same step count). */
  private readonly schedule: ScheduleConfig | null;
  private readonly cache = new Map<number, PlannedStep[]>();

  constructor(
    readonly config: TrainConfig,
    readonly trainClips: number,
  ) {
    this.stages = longCycleStages(config);
    this.epochs = totalEpochs(config, this.stages);
    const m = config.multigrid;
    if (!m) {
      this.schedule = resolveSchedule(config, stepsPerEpoch(config, trainClips));
    } else if (!this.stages) {
      const scaled = shortCycleEpochs(config, m);
      const d = config.schedule.decay;
      const c: TrainConfig = {
        ...config,
        epochs: scaled.epochs,
        schedule: {
          ...config.schedule,
          decay: d.kind === 'multistep' ? { ...d, milestones: scaled.milestones } : d,
        },
      };
      if (this.stepsIn(0) < 1) this.noFullBatch(0);
      this.schedule = resolveSchedule(c, this.stepsIn(0));
    } else {
      this.schedule = null;
      for (let e = 0; e < this.epochs; e++) {
        if (this.stepsIn(e) < 1) this.noFullBatch(e);
      }
    }
  }

  private noFullBatch(epoch: number): never {
    const first = epochShapes(this.config, epoch, this.stages)[0];
    const clips = (first?.batchSize ?? 0) * this.config.gradAccumSteps;
    throw new TubeletError(
      'INVALID_ARGUMENT',
      `multigrid epoch ${epoch} has no full batch of ${clips} clips (the dataset has ${this.trainClips} train clips)`,
      { hint: 'Lower batchSize, use milder multigrid factors, or a larger dataset.' },
    );
  }

  /** The steps of `epoch` (cached; epochs of one stage share a plan). */
  steps(epoch: number): readonly PlannedStep[] {
    let plan = this.cache.get(epoch);
    if (!plan) {
      plan = epochPlan(this.config, epoch, this.trainClips, this.stages);
      this.cache.set(epoch, plan);
    }
    return plan;
  }

  stepsIn(epoch: number): number {
    return this.config.multigrid ? this.steps(epoch).length : stepsPerEpoch(this.config, this.trainClips);
  }

  /** Optimizer steps of the whole run. */
  get totalSteps(): number {
    let n = 0;
    for (let e = 0; e < this.epochs; e++) n += this.stepsIn(e);
    return n;
  }

  /** Step `stepInEpoch` of `epoch`. */
  at(epoch: number, stepInEpoch: number): PlannedStep {
    const c = this.config;
    if (!c.multigrid) {
      const shape = { batchSize: c.batchSize, clipLen: c.data.clipLen, cropSize: c.data.cropSize };
      return { ...shape, shortCycle: null, first: stepInEpoch * c.gradAccumSteps * c.batchSize };
    }
    const s = this.steps(epoch)[stepInEpoch];
    if (!s) throw new TubeletError('INTERNAL', `epoch ${epoch} has no step ${stepInEpoch}`);
    return s;
  }

  /**
   * The learning rate: per iteration when every epoch has the same steps; on the long cycle PySlowFast's relative
   * LR of the epoch's stage times the linear warmup at the fractional epoch (epoch + step / steps in the epoch).
   */
  lr(epoch: number, stepInEpoch: number, globalStep: number): number {
    if (this.schedule) return learningRate(this.schedule, globalStep);
    const c = this.config;
    const d = c.schedule.decay;
    const gamma = d.kind === 'multistep' ? d.gamma : 1;
    let lr = c.optimizer.lr * longCycleLrFactor(this.stages ?? [], gamma, epoch);
    const at = epoch + stepInEpoch / Math.max(1, this.stepsIn(epoch));
    const w = c.schedule.warmupEpochs;
    if (at < w) lr *= c.schedule.warmupStartFactor + (1 - c.schedule.warmupStartFactor) * (at / w);
    return lr;
  }

  /**
   * Frame intervals for `n` clips of a step: the configured one at full length; for a shorter clip PySlowFast's
   * random rate in [interval, interval × ⌊T/T'⌋] per clip (the clip then spans about the same time).
   */
  frameIntervals(step: StepShape, n: number, rng: Rng): number[] | null {
    const d = this.config.data;
    if (!this.config.multigrid || step.clipLen === d.clipLen) return null;
    const max = d.frameInterval * Math.max(1, Math.floor(d.clipLen / step.clipLen));
    return Array.from({ length: n }, () => d.frameInterval + rng.int(max - d.frameInterval + 1));
  }

  /** Augmentation for a step's crop: jitter-scale's lower short side scales with the crop (PySlowFast min_scale). */
  augmentation(step: StepShape): AugmentationConfig {
    const a = this.config.augmentation;
    const full = this.config.data.cropSize;
    if (a.crop.kind !== 'jitter-scale' || step.cropSize === full) return a;
    const [lo, hi] = a.crop.shortSide;
    const low = Math.min(hi, Math.max(1, Math.round((lo * step.cropSize) / full)));
    return { ...a, crop: { ...a.crop, shortSide: [low, hi] } };
  }
}
