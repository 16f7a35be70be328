// Multigrid training schedules (pure; both threads), after Wu et al., "A Multigrid Method for Efficiently Training
// Video Models" (CVPR 2020), with PySlowFast's semantics (slowfast/utils/multigrid.py, ShortCycleBatchSampler):
// long-cycle stages over epochs that shrink (T, S) and grow the batch so B·T·S² stays about constant, and a short
// cycle that alternates spatial scales step by step within a stage. Our own code; the rules are PySlowFast's.

/** PySlowFast MULTIGRID.LONG_CYCLE_FACTORS: (T factor, S factor) per long-cycle stage, the full shape last. */
export const DEFAULT_LONG_CYCLE_FACTORS: readonly (readonly [number, number])[] = [
  [0.25, Math.SQRT1_2],
  [0.5, Math.SQRT1_2],
  [0.5, 1],
  [1, 1],
];
/** PySlowFast MULTIGRID.SHORT_CYCLE_FACTORS: crop-size factors of the first two steps of every short cycle. */
export const DEFAULT_SHORT_CYCLE_FACTORS: readonly [number, number] = [0.5, Math.SQRT1_2];
/** PySlowFast MULTIGRID.EPOCH_FACTOR: multigrid runs this many times the epochs (each epoch has fewer steps). */
export const DEFAULT_EPOCH_FACTOR = 1.5;

export interface MultigridSettings {
  readonly longCycle: boolean;
  readonly shortCycle: boolean;
  readonly longCycleFactors: readonly (readonly [number, number])[];
  readonly shortCycleFactors: readonly [number, number];
  readonly epochFactor: number;
}

/** What the schedule needs of a TrainConfig (kept structural so this module imports nothing). */
export interface MultigridBase {
  readonly clipLen: number;
  readonly cropSize: number;
  readonly batchSize: number;
  readonly epochs: number;
  /** LR-stage boundaries in epochs (multistep milestones); the long cycle repeats within each stage. */
  readonly milestones: readonly number[];
  readonly gamma: number;
}

/** A batch shape relative to the default: batch ×batchFactor, clipLen frames, cropSize² pixels. */
export interface GridShape {
  readonly batchFactor: number;
  readonly clipLen: number;
  readonly cropSize: number;
}

/** One long-cycle stage: LR stage index (multistep milestones passed), its shape, and its end epoch (exclusive). */
export interface LongCycleStage {
  readonly lrStage: number;
  readonly shape: GridShape;
  readonly endEpoch: number;
}

/** Python 3's round(): halves go to the even neighbour (PySlowFast rounds shapes and epochs with it). */
export function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** (T, S) pairs → PySlowFast's [B, T, S] with B = round(T₀·S₀² / (T·S²)); S may be fractional here as there. */
function withBatch(base: MultigridBase, shapes: readonly (readonly [number, number])[]): GridShape[] {
  const size = base.clipLen * base.cropSize * base.cropSize;
  return shapes.map(([t, s]) => ({ batchFactor: pyRound(size / (t * s * s)), clipLen: t, cropSize: s }));
}

/**
 * PySlowFast get_long_cycle_schedule: within each LR stage [m_i, m_{i+1}) every long-cycle shape gets epochs in
 * proportion to its average batch factor (equal iterations per shape); the last LR stage [m_k, epochs) becomes the
 * fine-tuning phase at the last factor's full shape with the same iteration saving; then every length is scaled so
 * the total is epochs × epochFactor, and stage ends are rounded cumulative epochs.
 */
export function longCycleSchedule(base: MultigridBase, m: MultigridSettings): LongCycleStage[] {
  const steps = [0, ...base.milestones];
  if (steps.length < 2) throw new RangeError('long cycle: needs at least one multistep milestone');
  const [sc0, sc1] = m.shortCycleFactors;
  const all = m.longCycleFactors.map(([tf, sf]) => {
    const t = pyRound(base.clipLen * tf);
    const s = pyRound(base.cropSize * sf);
    const pairs: [number, number][] = m.shortCycle
      ? [
          [t, base.cropSize * sc0],
          [t, base.cropSize * sc1],
          [t, s],
        ]
      : [[t, s]];
    return withBatch(base, pairs);
  });
  const avgBs = all.map((shapes) => shapes.reduce((a, s) => a + s.batchFactor, 0) / shapes.length);
  const sumBs = avgBs.reduce((a, b) => a + b, 0);
  const raw: { lrStage: number; shape: GridShape; epochs: number }[] = [];
  let totalIters = 0;
  for (let i = 0; i + 1 < steps.length; i++) {
    const stepEpochs = (steps[i + 1] ?? 0) - (steps[i] ?? 0);
    all.forEach((shapes, k) => {
      const bs = avgBs[k] ?? 1;
      const epochs = (stepEpochs * bs) / sumBs;
      totalIters += epochs / bs;
      const shape = shapes[shapes.length - 1];
      if (shape) raw.push({ lrStage: i, shape, epochs });
    });
  }
  const last = steps[steps.length - 1] ?? 0;
  const iterSaving = last / totalIters;
  const finalShapes = all[all.length - 1] ?? [];
  const finalShape = finalShapes[finalShapes.length - 1];
  if (!finalShape) throw new RangeError('long cycle: no factors');
  const ftEpochs = ((base.epochs - last) / iterSaving) * (avgBs[avgBs.length - 1] ?? 1);
  raw.push({ lrStage: steps.length - 1, shape: finalShape, epochs: ftEpochs });
  const x = (base.epochs * m.epochFactor) / raw.reduce((a, s) => a + s.epochs, 0);
  let total = 0;
  return raw.map((s) => {
    total += s.epochs * x;
    return { lrStage: s.lrStage, shape: s.shape, endEpoch: pyRound(total) };
  });
}

/** The stage in force at `epoch` (PySlowFast get_current_long_cycle_shape: the last one past the end). */
export function stageAt(stages: readonly LongCycleStage[], epoch: number): LongCycleStage {
  const found = stages.find((s) => epoch < s.endEpoch) ?? stages[stages.length - 1];
  if (!found) throw new RangeError('long cycle: empty schedule');
  return found;
}

/**
 * PySlowFast's long-cycle LR (steps_with_relative_lrs): base lr × gamma^lrStage × the stage's batch factor (linear
 * scaling), with the fine-tuning phase split at its middle epoch: its first half keeps the previous stage's LR.
 */
export function longCycleLrFactor(stages: readonly LongCycleStage[], gamma: number, epoch: number): number {
  const rel = stages.map((s) => gamma ** s.lrStage * s.shape.batchFactor);
  const ends = stages.map((s) => s.endEpoch);
  const n = stages.length;
  if (n >= 2) {
    const prevEnd = ends[n - 2] ?? 0;
    const mid = Math.floor((prevEnd + (ends[n - 1] ?? 0)) / 2);
    if (epoch >= prevEnd && epoch < mid) return rel[n - 2] ?? 1;
  }
  const i = ends.findIndex((e) => epoch < e);
  return rel[i < 0 ? n - 1 : i] ?? 1;
}

/** One optimizer step's batches: micro-batch size, clip shape, and which short-cycle step (null: none). */
export interface StepShape {
  readonly batchSize: number;
  readonly clipLen: number;
  readonly cropSize: number;
  readonly shortCycle: 0 | 1 | 2 | null;
}

/**
 * The short cycle of one epoch (PySlowFast ShortCycleBatchSampler): batches ×round((S/(f·S₀))²) at crop round(f·S₀)
 * for f in the two factors, then the stage's own batch and crop, repeating from the epoch start.
 */
export function shortCycleShapes(
  stage: StepShape,
  defaultCrop: number,
  factors: readonly [number, number],
): [StepShape, StepShape, StepShape] {
  const at = (i: 0 | 1): StepShape => {
    const f = factors[i];
    const mult = pyRound((stage.cropSize / (f * defaultCrop)) ** 2);
    return {
      batchSize: stage.batchSize * Math.max(1, mult),
      clipLen: stage.clipLen,
      cropSize: pyRound(f * defaultCrop),
      shortCycle: i,
    };
  };
  return [at(0), at(1), { ...stage, shortCycle: 2 }];
}

/**
 * The steps of one epoch over `clips` shuffled clips, `accum` micro-batches per step: the cycle of `shapes`
 * repeated from the epoch start while a whole step's clips remain (drop_last). Each entry also gives the index of
 * its first clip in the epoch's order.
 */
export function epochSteps(
  shapes: readonly StepShape[],
  clips: number,
  accum: number,
): (StepShape & { readonly first: number })[] {
  const out: (StepShape & { first: number })[] = [];
  let first = 0;
  for (let k = 0; shapes.length > 0; k++) {
    const s = shapes[k % shapes.length];
    if (!s || first + s.batchSize * accum > clips) break;
    out.push({ ...s, first });
    first += s.batchSize * accum;
  }
  return out;
}
