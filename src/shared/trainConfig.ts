// The training configuration's schema (pure; both threads): a typed JSON document validated with zod. The UI
// checks forms with `configProblems` (one entry per bad field, cross-field rules included); the worker parses
// with src/train/config.ts, which builds on the same checks.
import { z } from 'zod';
import {
  DEFAULT_EPOCH_FACTOR,
  DEFAULT_LONG_CYCLE_FACTORS,
  DEFAULT_SHORT_CYCLE_FACTORS,
} from './multigrid.ts';
import { multigridProblems } from './multigridConfig.ts';

export const CONFIG_VERSION = 1;

const pos = z.number().positive();
const nonNeg = z.number().nonnegative();
const posInt = z.number().int().positive();
const prob = z.number().min(0).max(1);
const range = z
  .tuple([z.number().positive(), z.number().positive()])
  .refine(([a, b]) => a <= b, { message: 'range must be [low, high] with low ≤ high' });
const rgb = z.tuple([z.number(), z.number(), z.number()]);

const optimizer = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('sgd'),
    lr: pos,
    momentum: z.number().min(0).max(1),
    nesterov: z.boolean(),
    weightDecay: nonNeg,
  }),
  z.strictObject({
    kind: z.literal('adamw'),
    lr: pos,
    beta1: z.number().min(0).lt(1),
    beta2: z.number().min(0).lt(1),
    eps: pos,
    weightDecay: nonNeg,
  }),
  z.strictObject({
    kind: z.literal('lars'),
    lr: pos,
    momentum: z.number().min(0).max(1),
    weightDecay: nonNeg,
    trustCoefficient: pos,
    eps: pos,
  }),
]);

const decay = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('cosine'), minLr: nonNeg }),
  z.strictObject({
    kind: z.literal('multistep'),
    /** Epochs at which the lr is multiplied by gamma. */
    milestones: z.array(posInt),
    gamma: z.number().gt(0).max(1),
  }),
  z.strictObject({ kind: z.literal('constant') }),
]);

const crop = z.discriminatedUnion('kind', [
  /** torchvision/MMAction2 RandomResizedCrop: area fraction and aspect ratio ranges. */
  z.strictObject({ kind: z.literal('random-resized'), scale: range, ratio: range }),
  /** MMAction2 MultiScaleCrop: side fractions of the short side, |i−j| ≤ maxWhScaleGap, random or fixed positions. */
  z.strictObject({
    kind: z.literal('multi-scale'),
    scales: z.array(z.number().gt(0).max(1)).min(1),
    maxWhScaleGap: z.number().int().nonnegative(),
    randomCrop: z.boolean(),
  }),
  /** PySlowFast TRAIN_JITTER_SCALES: resize the short side to U[min,max] px, then a random cropSize² crop. */
  z.strictObject({ kind: z.literal('jitter-scale'), shortSide: range }),
  z.strictObject({ kind: z.literal('center') }),
]);

const colorJitter = z.strictObject({
  prob,
  brightness: nonNeg,
  contrast: nonNeg,
  saturation: nonNeg,
  hue: z.number().min(0).max(0.5),
});

const gridFactor = z.number().gt(0).max(1);

/** Multigrid training (Wu et al. 2020, PySlowFast MULTIGRID); see docs/training-config.md. Absent: off. */
const multigrid = z
  .strictObject({
    /** Long cycle: stages over epochs at smaller (T, S) and larger batches; needs a multistep decay. */
    longCycle: z.boolean(),
    /** Short cycle: steps alternate crop sizes ×shortCycleFactors, then the stage's own, batch scaled up. */
    shortCycle: z.boolean(),
    /** (T factor, S factor) per long-cycle stage; the last must be [1, 1] (the final phase at full shape). */
    longCycleFactors: z
      .array(z.tuple([gridFactor, gridFactor]))
      .min(1)
      .default(DEFAULT_LONG_CYCLE_FACTORS.map(([t, s]) => [t, s] as [number, number])),
    shortCycleFactors: z
      .tuple([gridFactor, gridFactor])
      .default([DEFAULT_SHORT_CYCLE_FACTORS[0], DEFAULT_SHORT_CYCLE_FACTORS[1]]),
    /** Total epochs become epochs × epochFactor (each cheaper): PySlowFast EPOCH_FACTOR. */
    epochFactor: pos.default(DEFAULT_EPOCH_FACTOR),
  })
  .refine((m) => m.longCycle || m.shortCycle, {
    message: 'enable longCycle or shortCycle (or leave multigrid out)',
  });

export const trainConfigSchema = z.strictObject({
  version: z.literal(CONFIG_VERSION),
  name: z.string().min(1),
  /** Registry names; the studio fills these from the panel or CLI flags. */
  model: z.string().min(1),
  dataset: z.string().min(1),
  data: z.strictObject({
    clipLen: posInt,
    frameInterval: posInt,
    numClips: posInt,
    temporalJitter: z.boolean(),
    cropSize: posInt,
  }),
  batchSize: posInt,
  /** Micro-batches whose gradients are summed (averaged) before one optimizer step. */
  gradAccumSteps: posInt,
  epochs: posInt,
  optimizer,
  schedule: z.strictObject({
    warmupEpochs: nonNeg,
    warmupStartFactor: z.number().gt(0).max(1),
    decay,
  }),
  /** lr multipliers: backbone (all but the head) and head parameters. */
  lrMult: z.strictObject({ backbone: nonNeg, head: pos }),
  /** Layer-wise lr decay of the ViT families (VideoMAE finetune: 0.75); each parameter's lr × decay^(depth + 1 − layer). */
  layerDecay: z.number().gt(0).max(1).optional(),
  /** Frozen backbone in eval mode, only the head trains (PySlowFast DETACH_FINAL_FC). */
  linearProbe: z.boolean(),
  augmentation: z.strictObject({
    crop,
    flipProb: prob,
    colorJitter: colorJitter.nullable(),
    grayscaleProb: prob,
    /** Per-channel mean and std in 0..255 pixel units (MMAction2: [123.675,116.28,103.53] / [58.395,57.12,57.375]). */
    mean: rgb,
    std: z.tuple([pos, pos, pos]),
  }),
  labelSmoothing: z.number().min(0).lt(1),
  /** PySlowFast MIXUP: per batch with `prob`, cutmix (alpha cutmixAlpha) with switchProb else mixup (alpha). */
  mixup: z
    .strictObject({ alpha: nonNeg, cutmixAlpha: nonNeg, prob, switchProb: prob })
    .refine((m) => m.alpha > 0 || m.cutmixAlpha > 0, { message: 'alpha or cutmixAlpha must be > 0' })
    .nullable(),
  /** Max global L2 norm of the gradients (null: no clipping). */
  gradClipNorm: pos.nullable(),
  seed: z.number().int().min(0).max(0xffffffff),
  checkpoint: z.strictObject({ everySteps: z.number().int().nonnegative(), keepBest: posInt }),
  valEveryEpochs: posInt,
  multigrid: multigrid.optional(),
});

export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type AugmentationConfig = TrainConfig['augmentation'];
export type CropConfig = AugmentationConfig['crop'];
export type MultigridConfig = NonNullable<TrainConfig['multigrid']>;

export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** Cross-field checks zod's per-field schema cannot express. */
export function crossChecks(c: TrainConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  if (c.schedule.warmupEpochs > c.epochs) {
    out.push({
      path: 'schedule.warmupEpochs',
      message: `must not exceed epochs (${c.epochs})`,
      value: c.schedule.warmupEpochs,
    });
  }
  const d = c.schedule.decay;
  if (d.kind === 'multistep') {
    const bad = d.milestones.some((m, i) => m > c.epochs || (i > 0 && m <= (d.milestones[i - 1] ?? 0)));
    if (bad)
      out.push({
        path: 'schedule.decay.milestones',
        message: `must be increasing epochs in 1..${c.epochs}`,
        value: d.milestones,
      });
  }
  if (d.kind === 'cosine' && d.minLr > c.optimizer.lr) {
    out.push({ path: 'schedule.decay.minLr', message: 'must not exceed optimizer.lr', value: d.minLr });
  }
  if (c.linearProbe && c.mixup) {
    out.push({ path: 'mixup', message: 'must be null for a linear probe', value: c.mixup });
  }
  return [...out, ...multigridProblems(c)];
}

/** One bad field: its dotted path ('optimizer.lr', '(root)'), what is wrong, and the value found. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
  readonly value: unknown;
}

/** Every problem of `input` as a TrainConfig: the schema's per-field issues, else the cross-field rules. */
export function configProblems(input: unknown): ConfigProblem[] {
  const result = trainConfigSchema.safeParse(input);
  return result.success
    ? crossChecks(result.data)
    : result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.') || '(root)',
        message: issue.message,
        value: valueAt(input, issue.path),
      }));
}

/** A value as a problem line shows it (short JSON). */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Runs with equal keys train at comparable clips/s: same model, clip shape, crop and batch. */
export function throughputKey(c: TrainConfig): string {
  const d = c.data;
  return `${c.model}|${d.clipLen}x${d.frameInterval}x${d.numClips}|${d.cropSize}|${c.batchSize}`;
}
