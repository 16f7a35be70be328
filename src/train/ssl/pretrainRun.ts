// The BYOL + FGKV pretraining run (compute worker): epochs over a ClipSource (labels ignored), two temporal crops
// per video with one MoCo-v2 augmentation draw per clip (augment.ts), per-iteration LR (schedule.ts) and momentum,
// one seeded Rng whose state is part of the snapshot, so a restored run repeats the uninterrupted one.
import { tf } from '../../models/tf.ts';
import type { ZooModel } from '../../models/zoo/zooModel.ts';
import { Rng, type RngState } from '../../shared/random.ts';
import type { AugmentationConfig } from '../../shared/trainConfig.ts';
import { augmentClips, clipsToTensor } from '../augment.ts';
import { sampleClipParams } from '../augmentParams.ts';
import { learningRate, type ScheduleConfig } from '../schedule.ts';
import type { ClipSource } from '../types.ts';
import { ByolFgkv, type ByolFgkvState, type ByolFgkvStepRecord } from './byolFgkv.ts';
import type { ByolFgkvPreset } from './presets.ts';

/** Two clips of each video `indices` (independent temporal starts, drawn by the source), each augmented with its
 *  own crop/flip/colour draw shared by all its frames: two f32[N,T,S,S,3] views. */
export async function readTwoViews(
  source: ClipSource,
  indices: readonly number[],
  rng: Rng,
  aug: AugmentationConfig,
  cropSize: number,
): Promise<[tf.Tensor5D, tf.Tensor5D]> {
  const view = async (): Promise<tf.Tensor5D> => {
    const b = await source.read('train', indices, rng);
    const [n, , h, w] = b.shape;
    const params = Array.from({ length: n }, () => sampleClipParams(aug, cropSize, h, w, rng));
    return tf.tidy(() => augmentClips(clipsToTensor(b.x, b.shape), params, cropSize, aug));
  };
  const v1 = await view();
  const v2 = await view();
  return [v1, v2];
}

export interface PretrainSnapshot {
  readonly epoch: number;
  readonly stepInEpoch: number;
  readonly order: readonly number[];
  readonly rng: RngState;
  readonly model: ByolFgkvState;
}

function permutation(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j] ?? 0, a[i] ?? 0];
  }
  return a;
}

export class ByolFgkvRun {
  readonly net: ByolFgkv;
  readonly stepsPerEpoch: number;
  readonly schedule: ScheduleConfig;
  private rng: Rng;
  private epoch = 0;
  private stepInEpoch = 0;
  private order: number[];

  /** online/target: two builds of `preset.model`; featureDim: the backbone's pooled feature width. */
  constructor(
    readonly preset: ByolFgkvPreset,
    online: ZooModel,
    target: ZooModel,
    featureDim: number,
    readonly source: ClipSource,
  ) {
    const p = preset;
    this.net = new ByolFgkv(online, target, featureDim, p.dims, p.memory, p.optimizer, p.seed);
    this.stepsPerEpoch = Math.max(1, Math.floor(source.size('train') / p.batchSize));
    const totalIters = this.stepsPerEpoch * p.epochs;
    this.schedule = {
      baseLr: p.baseLr,
      totalIters,
      warmupIters: Math.min(totalIters, Math.round(p.warmupEpochs * this.stepsPerEpoch)),
      warmupStartFactor: Math.min(1, p.warmupStartLr / p.baseLr),
      decay: { kind: 'cosine', minLr: 0 },
    };
    this.rng = new Rng(p.seed ^ 0x55a1);
    this.order = permutation(source.size('train'), this.rng);
  }

  get done(): boolean {
    return this.epoch >= this.preset.epochs;
  }

  /** One optimizer step on the next batch; advances the epoch (new shuffled order) when it ends. */
  async step(): Promise<ByolFgkvStepRecord & { epoch: number }> {
    const p = this.preset;
    const bs = Math.min(p.batchSize, this.order.length);
    const indices = this.order.slice(this.stepInEpoch * bs, (this.stepInEpoch + 1) * bs);
    const [v1, v2] = await readTwoViews(this.source, indices, this.rng, p.augmentation, p.cropSize);
    const iter = this.epoch * this.stepsPerEpoch + this.stepInEpoch;
    const fractional = iter / this.stepsPerEpoch;
    try {
      const r = await this.net.trainStep(v1, v2, fractional, p.epochs, learningRate(this.schedule, iter));
      const epoch = this.epoch;
      this.stepInEpoch++;
      if (this.stepInEpoch >= this.stepsPerEpoch) {
        this.epoch++;
        this.stepInEpoch = 0;
        this.order = permutation(this.source.size('train'), this.rng);
      }
      return { ...r, epoch };
    } finally {
      tf.dispose([v1, v2]);
    }
  }

  async snapshot(): Promise<PretrainSnapshot> {
    return {
      epoch: this.epoch,
      stepInEpoch: this.stepInEpoch,
      order: [...this.order],
      rng: this.rng.state(),
      model: await this.net.captureState(),
    };
  }

  restore(s: PretrainSnapshot): void {
    this.net.restoreState(s.model);
    this.epoch = s.epoch;
    this.stepInEpoch = s.stepInEpoch;
    this.order = [...s.order];
    this.rng = new Rng(s.rng);
  }

  dispose(): void {
    this.net.dispose();
  }
}
