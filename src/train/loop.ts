// The supervised training loop (compute worker): variable gradients (not model.fit), gradient accumulation and
// clipping, label smoothing, MixUp/CutMix, backbone/head learning rates, linear probing with a frozen eval-mode
// backbone, per-step speed metrics and per-epoch validation. Seeded: one Rng drives sampling, augmentation and
// mixing, and its state is part of the snapshot, so a resumed run repeats the uninterrupted one.
import { tf } from '../models/tf.ts';
import { TubeletError } from '../shared/errors.ts';
import { Rng, type RngState } from '../shared/random.ts';
import { clipsToTensor, augmentClips } from './augment.ts';
import { evalClipParams, sampleClipParams } from './augmentParams.ts';
import { optimizerConfig, type TrainConfig } from './config.ts';
import type { EpochRecord, StepRecord, TrainRecord, ValidationRecord } from './events.ts';
import { AccuracyMeter } from './metrics.ts';
import { dominantLabels, drawMix, mixClips, mixTargets, softCrossEntropy } from './mixing.ts';
import { Optimizer, type Param } from './optimizers.ts';
import { layerDecayMultipliers } from '../models/nn/transformer/layerDecay.ts';
import { StepPlanner, type PlannedStep } from './multigrid.ts';
import { readStep } from './stepReadback.ts';
import { hasFeatures, type ClipBatch, type ClipSampling, type ClipSource, type VideoModel } from './types.ts';

/** Where the run stands: everything besides tensors that a checkpoint needs to continue exactly. */
export interface TrainerSnapshot {
  /** 0-based epoch in progress (= the plan's epochs when finished; config.epochs unless multigrid). */
  readonly epoch: number;
  /** Optimizer steps done in this epoch. */
  readonly stepInEpoch: number;
  readonly globalStep: number;
  /** This epoch's shuffled train clip order (the sampler position is stepInEpoch within it). */
  readonly order: readonly number[];
  readonly rng: RngState;
  readonly history: readonly TrainRecord[];
}

export interface TrainerOptions {
  /** Clock for speed metrics (ms). Default performance.now. */
  readonly now?: () => number;
}

function permutation(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j] ?? 0, a[i] ?? 0];
  }
  return a;
}

function isHead(name: string, prefix: string): boolean {
  return name === prefix || name.startsWith(`${prefix}.`);
}

export class Trainer {
  /** Steps per epoch, their batch shapes and learning rates (multigrid cycles when configured). */
  readonly plan: StepPlanner;
  readonly optimizer: Optimizer;
  private readonly trainable: Param[];
  private readonly paramByVar = new Map<string, string>();
  private readonly now: () => number;
  private rng: Rng;
  private epoch = 0;
  private stepInEpoch = 0;
  private globalStep = 0;
  private order: number[];
  private history: TrainRecord[] = [];
  private epochStart: number;

  constructor(
    readonly config: TrainConfig,
    readonly model: VideoModel,
    readonly source: ClipSource,
    opts: TrainerOptions = {},
  ) {
    if (model.numClasses !== source.numClasses) {
      throw new TubeletError(
        'INVALID_ARGUMENT',
        `model ${model.name} has ${model.numClasses} classes but the dataset has ${source.numClasses}`,
        { hint: 'Re-create the model with the dataset’s class count (a new head).' },
      );
    }
    this.now = opts.now ?? (() => performance.now());
    this.plan = new StepPlanner(config, source.size('train'));
    const params: Param[] = [];
    const decay =
      config.layerDecay === undefined
        ? null
        : layerDecayMultipliers(model.parameters().keys(), config.layerDecay);
    for (const [name, variable] of model.parameters()) {
      const head = isHead(name, model.headPrefix);
      if (config.linearProbe && !head) continue;
      const lrScale = (head ? config.lrMult.head : config.lrMult.backbone) * (decay?.get(name) ?? 1);
      params.push({ name, variable, lrScale });
      this.paramByVar.set(variable.name, name);
    }
    if (params.length === 0) {
      throw new TubeletError(
        'INVALID_ARGUMENT',
        `model ${model.name} has no parameters under '${model.headPrefix}'`,
      );
    }
    this.trainable = params;
    this.optimizer = new Optimizer(optimizerConfig(config), params);
    this.rng = new Rng(config.seed);
    this.order = permutation(source.size('train'), this.rng);
    this.epochStart = this.now();
  }

  get done(): boolean {
    return this.epoch >= this.plan.epochs;
  }

  get position(): { epoch: number; stepInEpoch: number; globalStep: number } {
    return { epoch: this.epoch, stepInEpoch: this.stepInEpoch, globalStep: this.globalStep };
  }

  get records(): readonly TrainRecord[] {
    return this.history;
  }

  private async readBatch(
    split: 'train' | 'val',
    indices: number[],
    rng: Rng,
    sampling?: ClipSampling,
  ): Promise<ClipBatch> {
    const batch = await (sampling
      ? this.source.read(split, indices, rng, sampling)
      : this.source.read(split, indices, rng));
    const [n, t, , , c] = batch.shape;
    const badT = sampling !== undefined && t !== sampling.clipLen;
    if (n !== indices.length || c !== 3 || batch.labels.length !== n || badT) {
      throw new TubeletError(
        'INTERNAL',
        `clip source returned shape [${batch.shape.join(',')}] with ${batch.labels.length} labels for ${indices.length} clips`,
      );
    }
    return batch;
  }

  /**
   * Loss and gradients (by parameter name) of one micro-batch; also the forward time, the logits f32[N,K]
   * (kept; the caller disposes them) and the hard labels train accuracy counts (see dominantLabels).
   */
  private lossAndGrads(
    batch: ClipBatch,
    rng: Rng,
    planned: PlannedStep,
  ): {
    loss: tf.Scalar;
    grads: Record<string, tf.Tensor>;
    forwardMs: number;
    logits: tf.Tensor2D;
    labels: Int32Array;
  } {
    const c = this.config;
    const [n, , h, w] = batch.shape;
    const size = planned.cropSize;
    const aug = this.plan.augmentation(planned);
    const params = Array.from({ length: n }, () => sampleClipParams(aug, size, h, w, rng));
    const draw = drawMix(c.mixup, size, size, rng);
    const targets = mixTargets(batch.labels, this.model.numClasses, c.labelSmoothing, draw.lambda);
    const start = this.now();
    let forwardEnd = start;
    const vars = this.trainable.map((p) => p.variable);
    const kept: { logits: tf.Tensor2D | null } = { logits: null };
    const result = tf.tidy(() => {
      const raw = clipsToTensor(batch.x, batch.shape);
      const x = mixClips(augmentClips(raw, params, size, aug), draw);
      const y = tf.tensor2d(targets, [n, this.model.numClasses]);
      if (c.linearProbe && hasFeatures(this.model)) {
        // frozen backbone: eval-mode features computed outside the tape (detached); only the head is recorded
        const features = this.model.features(x, { training: false });
        const model = this.model;
        return tf.variableGrads(() => {
          kept.logits = tf.keep(model.head(features, { training: false }));
          const loss = softCrossEntropy(kept.logits, y);
          forwardEnd = this.now();
          return loss;
        }, vars);
      }
      return tf.variableGrads(() => {
        kept.logits = tf.keep(this.model.forward(x, { training: !c.linearProbe }));
        const loss = softCrossEntropy(kept.logits, y);
        forwardEnd = this.now();
        return loss;
      }, vars);
    });
    const grads: Record<string, tf.Tensor> = {};
    for (const [varName, g] of Object.entries(result.grads)) {
      const name = this.paramByVar.get(varName);
      if (name === undefined) g.dispose();
      else grads[name] = g;
    }
    const { logits } = kept;
    if (!logits) throw new TubeletError('INTERNAL', 'the forward pass produced no logits');
    const labels = dominantLabels(batch.labels, draw.lambda);
    return { loss: result.value, grads, forwardMs: forwardEnd - start, logits, labels };
  }

  /** One optimizer step (gradAccumSteps micro-batches). */
  async step(): Promise<StepRecord> {
    if (this.done) throw new TubeletError('INVALID_ARGUMENT', 'the run has finished all its epochs');
    const c = this.config;
    const t0 = this.now();
    let readMs = 0;
    let forwardMs = 0;
    let backwardMs = 0;
    const losses: tf.Scalar[] = [];
    const logits: tf.Tensor2D[] = [];
    const labels: Int32Array[] = [];
    let sum: Record<string, tf.Tensor> = {};
    const planned = this.plan.at(this.epoch, this.stepInEpoch);
    for (let micro = 0; micro < c.gradAccumSteps; micro++) {
      const first = planned.first + micro * planned.batchSize;
      const indices = this.order.slice(first, first + planned.batchSize);
      const r0 = this.now();
      const intervals = this.plan.frameIntervals(planned, indices.length, this.rng);
      const sampling = intervals ? { clipLen: planned.clipLen, frameIntervals: intervals } : undefined;
      const batch = await this.readBatch('train', indices, this.rng, sampling);
      readMs += this.now() - r0;
      const f0 = this.now();
      const { loss, grads, forwardMs: fwd, ...out } = this.lossAndGrads(batch, this.rng, planned);
      losses.push(loss);
      logits.push(out.logits);
      labels.push(out.labels);
      forwardMs += fwd;
      const next: Record<string, tf.Tensor> = {};
      for (const [name, g] of Object.entries(grads)) {
        const prev = sum[name];
        next[name] = prev ? tf.add(prev, g) : g;
        if (prev) tf.dispose([prev, g]);
      }
      sum = next;
      backwardMs += this.now() - f0 - fwd;
    }
    const b0 = this.now();
    const scale = 1 / c.gradAccumSteps;
    // Summed one tensor at a time: TF.js's webgpu AddN binds every input at once and silently produces
    // nothing when there are more than the device's storage-buffer limit (a model has dozens of tensors).
    const normT = tf.tidy(() => {
      let squares: tf.Tensor = tf.scalar(0);
      for (const g of Object.values(sum)) squares = tf.add(squares, tf.sum(tf.square(g)));
      return tf.mul(tf.sqrt(squares), scale);
    });
    // one readback for the losses, the norm and the logits (train top-1/top-5 are counted on the CPU)
    const read = await readStep(losses, normT, logits);
    tf.dispose([...losses, normT, ...logits]);
    const gradNorm = read.gradNorm;
    const meter = new AccuracyMeter(this.model.numClasses);
    read.logits.forEach((l, i) => {
      meter.add(l, labels[i] ?? new Int32Array(0));
    });
    const accuracy = meter.report();
    backwardMs += this.now() - b0;
    const o0 = this.now();
    // PyTorch clip_grad_norm_: coefficient max/(norm + 1e-6), applied only when below 1
    let coef = scale;
    if (c.gradClipNorm !== null && gradNorm > 0) coef *= Math.min(1, c.gradClipNorm / (gradNorm + 1e-6));
    const grads: Record<string, tf.Tensor> = {};
    for (const [name, g] of Object.entries(sum)) grads[name] = coef === 1 ? g : tf.mul(g, coef);
    const lr = this.plan.lr(this.epoch, this.stepInEpoch, this.globalStep);
    this.optimizer.apply(grads, lr);
    tf.dispose([...Object.values(sum), ...Object.values(grads)]);
    const optimizerMs = this.now() - o0;
    this.globalStep++;
    this.stepInEpoch++;
    const loss = read.losses.reduce((a, b) => a + b, 0) / c.gradAccumSteps;
    if (!Number.isFinite(loss)) {
      throw new TubeletError('INTERNAL', `training diverged: loss is ${loss} at step ${this.globalStep}`, {
        hint: 'Lower the learning rate, enable gradient clipping, or resume from an earlier checkpoint.',
      });
    }
    const seconds = (this.now() - t0) / 1000;
    const record: StepRecord = {
      type: 'step',
      epoch: this.epoch,
      step: this.globalStep,
      loss,
      lr,
      gradNorm,
      trainTop1: accuracy.top1,
      trainTop5: accuracy.top5,
      clipsPerSec: seconds > 0 ? (planned.batchSize * c.gradAccumSteps) / seconds : 0,
      clips: planned.batchSize * c.gradAccumSteps,
      readMs,
      forwardMs,
      backwardMs,
      optimizerMs,
    };
    this.history.push(record);
    return record;
  }

  get epochFinished(): boolean {
    return this.stepInEpoch >= this.plan.stepsIn(this.epoch);
  }

  /** Ends the epoch whose steps are all done: validation when due, the epoch record, the next epoch's order. */
  async endEpoch(): Promise<EpochRecord> {
    if (!this.epochFinished) throw new TubeletError('INTERNAL', `epoch ${this.epoch} has steps left`);
    const due = (this.epoch + 1) % this.config.valEveryEpochs === 0 || this.epoch + 1 === this.plan.epochs;
    const val = due && this.source.size('val') > 0 ? await this.validate() : null;
    const losses = this.history.filter((r): r is StepRecord => r.type === 'step' && r.epoch === this.epoch);
    const record: EpochRecord = {
      type: 'epoch',
      epoch: this.epoch,
      steps: losses.length,
      trainLoss: losses.reduce((a, r) => a + r.loss, 0) / Math.max(1, losses.length),
      val,
      seconds: (this.now() - this.epochStart) / 1000,
    };
    this.history.push(record);
    this.epoch++;
    this.stepInEpoch = 0;
    this.epochStart = this.now();
    if (!this.done) this.order = permutation(this.source.size('train'), this.rng);
    return record;
  }

  /** Single-view validation (centre crop, eval-mode BN) over the whole val split; does not touch the train Rng. */
  async validate(): Promise<ValidationRecord> {
    const c = this.config;
    const k = this.model.numClasses;
    const meter = new AccuracyMeter(k);
    const rng = new Rng((c.seed ^ 0x5bd1e995) >>> 0);
    const total = this.source.size('val');
    let lossSum = 0;
    for (let first = 0; first < total; first += c.batchSize) {
      const indices = Array.from({ length: Math.min(c.batchSize, total - first) }, (_, i) => first + i);
      const batch = await this.readBatch('val', indices, rng);
      const [n, , h, w] = batch.shape;
      const [logits, loss] = tf.tidy((): [tf.Tensor2D, tf.Tensor] => {
        const x = augmentClips(
          clipsToTensor(batch.x, batch.shape),
          Array.from({ length: n }, () => evalClipParams(h, w, c.augmentation.crop, c.data.cropSize)),
          c.data.cropSize,
          c.augmentation,
        );
        const out = this.model.forward(x, { training: false });
        const y = tf.tensor2d(mixTargets(batch.labels, k, 0, 1), [n, k]);
        return [out, tf.mul(softCrossEntropy(out, y), n)];
      });
      meter.add((await logits.data()) as Float32Array, batch.labels);
      lossSum += (await loss.data())[0] ?? NaN;
      tf.dispose([logits, loss]);
    }
    return { ...meter.report(), loss: lossSum / Math.max(1, total) };
  }

  /** Runs steps until the epoch ends (or `shouldStop` says so after a step), then ends the epoch. */
  async runEpoch(
    onRecord: (r: TrainRecord) => void | Promise<void>,
    shouldStop: () => boolean = () => false,
  ): Promise<EpochRecord | null> {
    while (!this.epochFinished) {
      await onRecord(await this.step());
      if (shouldStop()) return null;
    }
    const rec = await this.endEpoch();
    await onRecord(rec);
    return rec;
  }

  snapshot(): TrainerSnapshot {
    return {
      epoch: this.epoch,
      stepInEpoch: this.stepInEpoch,
      globalStep: this.globalStep,
      order: [...this.order],
      rng: this.rng.state(),
      history: [...this.history],
    };
  }

  /** Restores the position (tensors are restored by ./checkpoint.ts). */
  restore(s: TrainerSnapshot): void {
    if (s.order.length !== this.source.size('train')) {
      throw new TubeletError(
        'INVALID_ARGUMENT',
        `checkpoint sampled ${s.order.length} train clips but the dataset has ${this.source.size('train')}`,
        { hint: 'Resume with the dataset the run was started on.' },
      );
    }
    if (
      s.epoch > this.plan.epochs ||
      (s.epoch < this.plan.epochs && s.stepInEpoch > this.plan.stepsIn(s.epoch))
    ) {
      throw new TubeletError(
        'INVALID_ARGUMENT',
        `checkpoint position epoch ${s.epoch} step ${s.stepInEpoch} is outside this run's plan`,
        { hint: 'Resume with the checkpoint’s own config and dataset.' },
      );
    }
    this.epoch = s.epoch;
    this.stepInEpoch = s.stepInEpoch;
    this.globalStep = s.globalStep;
    this.order = [...s.order];
    this.rng = new Rng(s.rng);
    this.history = [...s.history];
    this.epochStart = this.now();
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
