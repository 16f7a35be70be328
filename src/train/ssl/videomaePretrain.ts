// VideoMAE pretraining (compute worker): 90 % tube masking, the per-patch normalised-pixel target of VideoMAE's
// engine_for_pretraining.py, MSE on the masked tokens only, and a seeded AdamW step over VideoMAEPretrainNet.
import { tf } from '../../models/tf.ts';
import { TubeletError } from '../../shared/errors.ts';
import { Rng } from '../../shared/random.ts';
import { Optimizer, type OptimizerConfig, type Param } from '../optimizers.ts';
import { tubeMask } from './masking.ts';
import {
  gatherTokens,
  maskIndex,
  VideoMAEPretrainNet,
  type MaskedVitSpec,
  type MaskIndex,
  type VideoMAEDecoderSpec,
} from './videomaePretrainNet.ts';

/**
 * VideoMAE's `normlize_target`: clip f32[N,T,H,W,3] in [0,1] cut into t×p×p tubes ('b c (t p0) (h p1) (w p2) →
 * b (t h w) (p0 p1 p2) c'); each tube and colour channel is standardised by its mean and (unbiased std + 1e-6);
 * flattened pixel-major, channel-minor → f32[N, L, t·p²·3].
 */
export function normalizedPixelTarget(x01: tf.Tensor5D, tubelet: number, patch: number): tf.Tensor3D {
  const [n, t, h, w, c] = x01.shape;
  if (c !== 3 || t % tubelet || h % patch || w % patch)
    throw new TubeletError(
      'INVALID_ARGUMENT',
      `pixel target: [${x01.shape.join(',')}] does not tile into tubes`,
    );
  const [gt, gh, gw] = [t / tubelet, h / patch, w / patch];
  const k = tubelet * patch * patch;
  return tf.tidy(() => {
    const six = tf.reshape(x01, [n * gt, tubelet, gh, patch, gw, patch * 3]);
    const tubes = tf.reshape(tf.transpose(six, [0, 2, 4, 1, 3, 5]), [n, gt * gh * gw, k, 3]);
    const mean = tf.mean(tubes, 2, true);
    const centred = tf.sub(tubes, mean);
    const std = tf.sqrt(tf.div(tf.sum(tf.square(centred), 2, true), k - 1));
    return tf.reshape(tf.div(centred, tf.add(std, 1e-6)), [n, gt * gh * gw, k * 3]);
  });
}

/** MSE (mean over masked tokens × values) between pred f32[N, Lm, D] and the masked rows of target f32[N, L, D]. */
export function videomaeLoss(pred: tf.Tensor3D, target: tf.Tensor3D, idx: MaskIndex): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(pred, gatherTokens(target, idx.masked, idx.batch))));
}

export interface VideoMAEPretrainConfig {
  readonly encoder: MaskedVitSpec;
  readonly decoder: VideoMAEDecoderSpec;
  readonly maskRatio: number;
  readonly optimizer: OptimizerConfig;
  /** encoder input normalisation on [0,1] pixels (ImageNet mean/std in VideoMAE) */
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  readonly seed: number;
}

export interface MaskedStepRecord {
  readonly step: number;
  readonly lr: number;
  readonly loss: number;
}

export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

export function normalizeClip(
  x01: tf.Tensor5D,
  mean: readonly number[],
  std: readonly number[],
): tf.Tensor5D {
  return tf.tidy(() => tf.div(tf.sub(x01, tf.tensor1d([...mean])), tf.tensor1d([...std])));
}

/**
 * Gradients of `loss` over the named params, optionally clipped as PyTorch's clip_grad_norm_ (coefficient
 * max/(‖g‖ + 1e-6) when below 1, as the train loop), applied by `optimizer`; returns the loss value.
 */
export async function applyStep(
  params: readonly Param[],
  optimizer: Optimizer,
  lr: number,
  loss: () => tf.Scalar,
  clipNorm: number | null = null,
): Promise<number> {
  const vars = params.map((p) => p.variable);
  const { value, grads } = tf.variableGrads(loss, vars);
  let coef = 1;
  if (clipNorm !== null) {
    // summed one tensor at a time (webgpu AddN binds every input at once; see the train loop)
    const sq = tf.tidy(() => {
      let s: tf.Tensor = tf.scalar(0);
      for (const g of Object.values(grads)) s = tf.add(s, tf.sum(tf.square(g)));
      return s;
    });
    const norm = Math.sqrt((await sq.data())[0] ?? 0);
    sq.dispose();
    if (norm > 0) coef = Math.min(1, clipNorm / (norm + 1e-6));
  }
  const named: Record<string, tf.Tensor> = {};
  params.forEach((p) => {
    const g = grads[p.variable.name];
    if (g) named[p.name] = coef === 1 ? g : tf.mul(g, coef);
  });
  optimizer.apply(named, lr);
  const v = (await value.data())[0] ?? NaN;
  tf.dispose([value, ...Object.values(grads), ...(coef === 1 ? [] : Object.values(named))]);
  return v;
}

/** The network, its AdamW and the seeded mask stream. */
export class VideoMAEPretrainer {
  readonly net: VideoMAEPretrainNet;
  readonly optimizer: Optimizer;
  readonly params: Param[];
  private readonly maskRng: Rng;
  private step = 0;

  constructor(readonly config: VideoMAEPretrainConfig) {
    const rng = new Rng(config.seed);
    this.net = new VideoMAEPretrainNet(rng, config.encoder, config.decoder);
    this.maskRng = new Rng(config.seed + 1);
    this.params = [...this.net.namedParameters()].map(([name, { variable }]) => ({ name, variable }));
    this.optimizer = new Optimizer(config.optimizer, this.params);
  }

  /** One tube mask per clip from the run's mask stream. */
  drawMasks(batch: number): Uint8Array[] {
    const [t, h, w] = this.net.encoder.grid;
    return Array.from({ length: batch }, () => tubeMask({ t, h, w }, this.config.maskRatio, this.maskRng));
  }

  /** The reconstruction loss of clips f32[N,T,H,W,3] in [0,1] under given masks. */
  loss(x01: tf.Tensor5D, masks: readonly Uint8Array[], training: boolean): tf.Scalar {
    const c = this.config;
    return tf.tidy(() => {
      const idx = maskIndex(masks, this.net.encoder.tokens);
      const target = normalizedPixelTarget(x01, c.encoder.tubelet, c.encoder.patch);
      const pred = this.net.reconstruct(normalizeClip(x01, c.mean, c.std), idx, { training });
      return videomaeLoss(pred, target, idx);
    });
  }

  /** The loss without a step (fixed masks: a comparable number across a run). */
  async evalLoss(x01: tf.Tensor5D, masks: readonly Uint8Array[]): Promise<number> {
    const l = this.loss(x01, masks, false);
    const v = (await l.data())[0] ?? NaN;
    l.dispose();
    return v;
  }

  /** One AdamW step on clips f32[N,T,H,W,3] in [0,1]; `clipNorm`: PyTorch clip_grad_norm_, or null (VideoMAE). */
  async trainStep(x01: tf.Tensor5D, lr: number, clipNorm: number | null = null): Promise<MaskedStepRecord> {
    const masks = this.drawMasks(x01.shape[0]);
    const loss = await applyStep(
      this.params,
      this.optimizer,
      lr,
      () => this.loss(x01, masks, true),
      clipNorm,
    );
    this.step++;
    return { step: this.step, lr, loss };
  }

  dispose(): void {
    this.net.dispose();
    this.optimizer.dispose();
  }
}
