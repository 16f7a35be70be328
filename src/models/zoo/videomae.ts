// VideoMAE / VideoMAE V2 ViT (compute worker) as MMAction2's `vit_mae.py` VisionTransformer + TimeSformerHead name
// them: backbone.patch_embed.projection (Conv3d 2×16×16), the sinusoidal backbone.pos_embed buffer, blocks.N with
// q_bias/v_bias and MMCV FFN names, fc_norm after mean pooling, cls_head.fc_cls. x f32[N,T,H,W,3] → logits.
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { Linear } from '../nn/layers.ts';
import { isSymbolic, Module, Sequential, type Act, type RunContext } from '../nn/module.ts';
import { PreNormBlock, runBlocks, type AttentionCapture } from '../nn/transformer/block.ts';
import { LayerNorm } from '../nn/transformer/norms.ts';
import { poolTokens } from '../nn/transformer/pooling.ts';
import { resizePositionTable, sinusoidTable, type Grid } from '../nn/transformer/posTables.ts';
import type { AttentionImpl } from '../nn/transformer/selfAttention.ts';
import { TubeletEmbed } from '../nn/transformer/tubeletEmbed.ts';
import { ZooModel, type ModelConfig } from './zooModel.ts';

export interface VitMaeSpec {
  readonly embed: number;
  readonly depth: number;
  readonly heads: number;
  readonly mlpRatio: number;
  readonly patch: number;
  readonly tubelet: number;
  /** clip the position table is built for: num_frames × img_size² */
  readonly frames: number;
  readonly size: number;
  readonly dropPath: number;
  readonly impl?: AttentionImpl;
}

/** MMAction2 `VisionTransformer` (use_mean_pooling=True, use_learnable_pos_emb=False, init_values=0). */
export class VitMaeBackbone extends Module {
  readonly grid: Grid;
  private readonly patchEmbed: TubeletEmbed;
  private readonly posEmbed: tf.Variable;
  private readonly blockList: PreNormBlock[] = [];
  private readonly fcNorm: LayerNorm;

  constructor(
    rng: Rng,
    readonly spec: VitMaeSpec,
  ) {
    super();
    const { embed, patch, tubelet } = spec;
    this.patchEmbed = this.child('patch_embed', new TubeletEmbed(rng, { dim: embed, tubelet, patch }));
    this.grid = [
      Math.floor(spec.frames / tubelet),
      Math.floor(spec.size / patch),
      Math.floor(spec.size / patch),
    ];
    const n = this.grid[0] * this.grid[1] * this.grid[2];
    this.posEmbed = this.buffer('pos_embed', tf.tensor3d(sinusoidTable(n, embed), [1, n, embed]));
    const blocks = this.child('blocks', new Sequential());
    for (let i = 0; i < spec.depth; i++) {
      const block = new PreNormBlock(rng, {
        dim: embed,
        numHeads: spec.heads,
        mlpRatio: spec.mlpRatio,
        qkvBias: 'qv',
        eps: 1e-6,
        dropPath: spec.depth > 1 ? (spec.dropPath * i) / (spec.depth - 1) : 0,
        mlpNames: 'mmcv',
        ...(spec.impl ? { impl: spec.impl } : {}),
      });
      blocks.push(block);
      this.blockList.push(block);
    }
    this.fcNorm = this.child('fc_norm', new LayerNorm(embed, 1e-6));
  }

  forward(x: Act, ctx: RunContext): Act {
    return this.run(x, ctx);
  }

  /** x f32[N,T,H,W,3] → pooled features f32[N, C]. A clip whose grid differs resizes the table (see posTables). */
  run(x: Act, ctx: RunContext, capture?: AttentionCapture): Act {
    const { tokens, grid } = this.patchEmbed.run(x, ctx);
    let z: Act = tokens;
    if (!isSymbolic(tokens)) {
      const same = grid.every((g, i) => g === this.grid[i]);
      const c = this.spec.embed;
      const pos = same
        ? this.posEmbed
        : tf.reshape(resizePositionTable(tf.reshape(this.posEmbed, [-1, c]), this.grid, grid), [1, -1, c]);
      z = tf.add(tokens, pos);
    }
    z = runBlocks(this.blockList, z, ctx, capture);
    return poolTokens(z, 'mean', { fcNorm: this.fcNorm });
  }
}

/** MMAction2's TimeSformerHead (dropout 0, trunc-normal std 0.02): `fc_cls`. */
class TimeSformerHead extends Module {
  private readonly fc: Linear;
  constructor(rng: Rng, inChannels: number, numClasses: number) {
    super();
    this.fc = this.child('fc_cls', new Linear(rng, inChannels, numClasses, 'normal_0.02'));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.fc.forward(x, ctx);
  }
}

/** Recognizer3D(backbone=VisionTransformer, cls_head=TimeSformerHead). */
export class VideoMAENet extends Module {
  readonly backbone: VitMaeBackbone;
  private readonly head: TimeSformerHead;
  constructor(rng: Rng, spec: VitMaeSpec, numClasses: number) {
    super();
    this.backbone = this.child('backbone', new VitMaeBackbone(rng, spec));
    this.head = this.child('cls_head', new TimeSformerHead(rng, spec.embed, numClasses));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.head.forward(this.backbone.forward(x, ctx), ctx);
  }
  /** Logits and the captured layers' attention probabilities f32[N, H, L, L] (the caller disposes them). */
  forwardWithAttention(
    x: tf.Tensor5D,
    layers: Iterable<number>,
  ): { logits: Act; probs: Map<number, tf.Tensor4D> } {
    const capture: AttentionCapture = { layers: new Set(layers), probs: new Map() };
    const ctx = { training: false };
    const logits = this.head.forward(this.backbone.run(x, ctx, capture), ctx);
    return { logits, probs: capture.probs };
  }
}

export type VideoMAEName = 'videomae_vit_s' | 'videomae_vit_b' | 'videomae_vit_l';

// MMAction2 configs/recognition/videomae (ViT-B/L) and videomaev2 (ViT-S distilled): 16×224², patch 16, tubelet 2
const SIZES: Record<VideoMAEName, Pick<VitMaeSpec, 'embed' | 'depth' | 'heads'>> = {
  videomae_vit_s: { embed: 384, depth: 12, heads: 6 },
  videomae_vit_b: { embed: 768, depth: 12, heads: 12 },
  videomae_vit_l: { embed: 1024, depth: 24, heads: 16 },
};

/** The tiny preset: 2 blocks of width 64 (2 heads of 32, a fused-kernel width), 8×8 patches, for 4×32×32 clips. */
export const VIDEOMAE_TINY: VitMaeSpec = {
  embed: 64,
  depth: 2,
  heads: 2,
  mlpRatio: 4,
  patch: 8,
  tubelet: 2,
  frames: 4,
  size: 32,
  dropPath: 0,
};

export function videomaeSpec(name: VideoMAEName, tiny: boolean): VitMaeSpec {
  if (tiny) return VIDEOMAE_TINY;
  // VideoMAE's finetuning recipes: drop path 0.1 for ViT-S/B, 0.2 for ViT-L
  const dropPath = name === 'videomae_vit_l' ? 0.2 : 0.1;
  return { ...SIZES[name], mlpRatio: 4, patch: 16, tubelet: 2, frames: 16, size: 224, dropPath };
}

export function buildVideoMAE(
  name: VideoMAEName,
  config: ModelConfig,
  opts: { readonly impl?: AttentionImpl; readonly spec?: VitMaeSpec } = {},
): ZooModel {
  const base = opts.spec ?? videomaeSpec(name, config.preset === 'tiny');
  const spec = opts.impl ? { ...base, impl: opts.impl } : base;
  const net = new VideoMAENet(new Rng(config.seed ?? 0), spec, config.numClasses);
  return new ZooModel(name, config, 'cls_head', net);
}
