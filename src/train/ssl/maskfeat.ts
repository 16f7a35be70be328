// MaskFeat pretraining (compute worker): PySlowFast `MaskMViT`'s recipe on our masked ViT — 40 % cube masking
// (MaskingGenerator3D), a learnt mask_token replacing masked patch embeddings, a linear pred_head, and MSE to HOG
// targets (our TubeletHog op: 9 bins, 8×8 cells, 1×1 blocks, L2, per channel) on the masked tokens only.
import { tf } from '../../models/tf.ts';
import { Linear } from '../../models/nn/layers.ts';
import { Module, real, type Act, type RunContext } from '../../models/nn/module.ts';
import { tokenLinear } from '../../models/nn/transformer/block.ts';
import { hogTargets } from '../../models/ops/hog.ts';
import { TubeletError } from '../../shared/errors.ts';
import { Rng } from '../../shared/random.ts';
import { Optimizer, type OptimizerConfig, type Param } from '../optimizers.ts';
import { cubeMask, upsampleMask, type MaskGrid } from './masking.ts';
import { applyStep, normalizeClip, type MaskedStepRecord } from './videomaePretrain.ts';
import { MaskedVitEncoder, type MaskedVitSpec } from './videomaePretrainNet.ts';

export const HOG_CELL = 8;
export const HOG_BINS = 9;

/** Values per token: (p/8)² cells × 3 channels × 9 bins (108 at 16-px patches, as PySlowFast's 2×2 cells). */
export function hogTokenDim(patch: number): number {
  return (patch / HOG_CELL) ** 2 * 3 * HOG_BINS;
}

/**
 * HOG targets per token: frames 0, t, 2t, … of clips f32[N,T,H,W,3] (PySlowFast's `::PATCH_STRIDE[0]`, one frame
 * per temporal token) → HOG f32[N·T', H/8, W/8, 3, 9] → f32[N, T'·H'·W', 27·(p/8)²], laid out [channel, bin, cell
 * row, cell col] within a token, as PySlowFast's `_get_hog_label_3d` (permute + unfold + flatten). Constants.
 */
export function hogTokenTargets(x: tf.Tensor5D, tubelet: number, patch: number): tf.Tensor3D {
  const [n, t, h, w] = x.shape;
  if (patch % HOG_CELL || h % patch || w % patch || t % tubelet)
    throw new TubeletError(
      'INVALID_ARGUMENT',
      `HOG targets: patch ${patch} must be a multiple of 8 tiling the clip`,
    );
  const [gt, gh, gw, k] = [t / tubelet, h / patch, w / patch, patch / HOG_CELL];
  return tf.tidy(() => {
    const frames = tf.gather(x, tf.range(0, t, tubelet, 'int32'), 1);
    const hog = hogTargets(tf.reshape<tf.Rank.R4>(frames, [n * gt, h, w, 3]));
    const cells = tf.reshape(hog, [n * gt, gh, k, gw, k, 3 * HOG_BINS]);
    return tf.reshape(tf.transpose(cells, [0, 1, 3, 5, 2, 4]), [n, gt * gh * gw, 3 * HOG_BINS * k * k]);
  });
}

/** PySlowFast `multi_mse` on masked tokens: mean over masked tokens × values; masks f32[N, L] of 0/1. */
export function maskfeatLoss(pred: tf.Tensor3D, target: tf.Tensor3D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const m = tf.expandDims(mask, 2);
    const sq = tf.sum(tf.mul(tf.squaredDifference(pred, target), m));
    const count = tf.mul(tf.sum(mask), pred.shape[2]);
    return tf.div(sq, tf.maximum(count, 1));
  });
}

/** Encoder with `mask_token` (replaces masked embeddings before positions) and `pred_head` (Linear → HOG dim). */
export class MaskFeatNet extends Module {
  readonly encoder: MaskedVitEncoder;
  readonly targetDim: number;
  private readonly maskToken: tf.Variable;
  private readonly head: Linear;

  constructor(rng: Rng, spec: MaskedVitSpec) {
    super();
    this.encoder = this.child('encoder', new MaskedVitEncoder(rng, spec));
    this.targetDim = hogTokenDim(spec.patch);
    // PySlowFast MaskMViT: mask_token zeros then trunc_normal_(std .02)
    const tok = Array.from({ length: spec.embed }, () => Math.max(-2, Math.min(2, rng.normal())) * 0.02);
    this.maskToken = this.param('mask_token', tf.tensor3d(tok, [1, 1, spec.embed]));
    this.head = this.child('pred_head', new Linear(rng, spec.embed, this.targetDim, 'normal_0.02'));
  }

  forward(): Act {
    throw new TubeletError('INVALID_ARGUMENT', 'MaskFeatNet: call predict(x, mask)');
  }

  /** x f32[N,T,H,W,3] normalised, mask f32[N, L] (1 = masked) → HOG predictions for every token f32[N, L, D]. */
  predict(x: tf.Tensor5D, mask: tf.Tensor2D, ctx: RunContext): tf.Tensor3D {
    return tf.tidy(() => {
      const tokens = this.encoder.embed(x, ctx);
      const z = maskTokens(tokens, this.maskToken as tf.Tensor as tf.Tensor3D, mask);
      const y = this.encoder.encode(tf.add(z, this.encoder.positions()), ctx);
      return real(tokenLinear(this.head, y, ctx), 'MaskFeat') as tf.Tensor3D;
    });
  }
}

/** x·(1 − w) + mask_token·w: tokens f32[N,L,C], token f32[1,1,C], mask f32[N,L]. */
export function maskTokens(tokens: tf.Tensor3D, token: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const w = tf.expandDims(mask, 2);
    return tf.add(tf.mul(tokens, tf.sub(1, w)), tf.mul(token, w));
  });
}

export interface MaskFeatConfig {
  readonly encoder: MaskedVitSpec;
  readonly maskRatio: number;
  /**
   * The grid cubes are drawn on (PySlowFast `AUG.MASK_WINDOW_SIZE`, [8,7,7] for 8×14×14 tokens), nearest-upsampled
   * to the token grid; each side must divide the token grid's. Default: the token grid itself.
   */
  readonly maskWindow?: MaskGrid;
  readonly optimizer: OptimizerConfig;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  readonly seed: number;
}

export class MaskFeatPretrainer {
  readonly net: MaskFeatNet;
  readonly optimizer: Optimizer;
  readonly params: Param[];
  private readonly maskRng: Rng;
  private step = 0;

  constructor(readonly config: MaskFeatConfig) {
    this.net = new MaskFeatNet(new Rng(config.seed), config.encoder);
    this.maskRng = new Rng(config.seed + 1);
    this.params = [...this.net.namedParameters()].map(([name, { variable }]) => ({ name, variable }));
    this.optimizer = new Optimizer(config.optimizer, this.params);
  }

  /** One cube mask per clip (drawn on the mask window, upsampled to the token grid), from the run's mask stream. */
  drawMasks(batch: number): Uint8Array[] {
    const [t, h, w] = this.net.encoder.grid;
    const tokens: MaskGrid = { t, h, w };
    const win = this.config.maskWindow ?? tokens;
    return Array.from({ length: batch }, () => {
      const { mask } = cubeMask(win, this.config.maskRatio, this.maskRng);
      return win === tokens ? mask : upsampleMask(mask, win, tokens);
    });
  }

  loss(x01: tf.Tensor5D, masks: readonly Uint8Array[], training: boolean): tf.Scalar {
    const c = this.config;
    return tf.tidy(() => {
      const l = this.net.encoder.tokens;
      const flat = new Float32Array(masks.length * l);
      masks.forEach((m, i) => {
        flat.set(m, i * l);
      });
      const mask = tf.tensor2d(flat, [masks.length, l]);
      const target = hogTokenTargets(x01, c.encoder.tubelet, c.encoder.patch);
      const pred = this.net.predict(normalizeClip(x01, c.mean, c.std), mask, { training });
      return maskfeatLoss(pred, target, mask);
    });
  }

  async evalLoss(x01: tf.Tensor5D, masks: readonly Uint8Array[]): Promise<number> {
    const l = this.loss(x01, masks, false);
    const v = (await l.data())[0] ?? NaN;
    l.dispose();
    return v;
  }

  /** One AdamW step on clips f32[N,T,H,W,3] in [0,1]; `clipNorm`: PyTorch clip_grad_norm_ (0.02 published). */
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
