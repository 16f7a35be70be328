// TimeSformer (divided space-time ViT, Bertasius et al. 2021) with facebookresearch/TimeSformer vit.py state_dict
// names under `model.` (compute worker): ViT-B/16 8×224 and a tiny preset, position/time tables resized when the
// clip's grid differs, and per-layer spatial and temporal attention capture (timesformerAttention).
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { normal } from '../nn/init.ts';
import { Linear } from '../nn/layers.ts';
import {
  isSymbolic,
  Module,
  real,
  Sequential,
  SymbolicTensor,
  type Act,
  type RunContext,
} from '../nn/module.ts';
import { LayerNorm } from '../nn/transformer/norms.ts';
import { resizePositionTable } from '../nn/transformer/posTables.ts';
import { TubeletEmbed } from '../nn/transformer/tubeletEmbed.ts';
import { DividedBlock, type AttentionImpl, type BlockAttention } from './timesformerBlock.ts';
import { ZooModel, type ModelConfig } from './zooModel.ts';

/** 'smooth': bicubic space, linear time (align_corners=False, posTables); 'nearest': vit.py's own forward. */
export type PosResize = 'smooth' | 'nearest';

export interface TimeSformerSpec {
  readonly dim: number;
  readonly depth: number;
  readonly heads: number;
  readonly patch: number;
  /** the crop size and frame count the position tables are built for */
  readonly img: number;
  readonly frames: number;
  /** stochastic depth rate of the last block (linear from 0) */
  readonly dropPath: number;
  /** vit.py zero-initialises temporal_fc of every block but the first */
  readonly zeroTemporalFc: boolean;
  readonly posResize: PosResize;
  readonly impl: AttentionImpl;
}

/** TimeSformer-B/16, 8×224 (vit.py `TimeSformer` defaults: depth 12, 12 heads, drop_path_rate 0.1). */
export const TIMESFORMER_B16: TimeSformerSpec = {
  dim: 768,
  depth: 12,
  heads: 12,
  patch: 16,
  img: 224,
  frames: 8,
  dropPath: 0.1,
  zeroTemporalFc: true,
  posResize: 'smooth',
  impl: 'auto',
};

/** Ours: 2 blocks of width 64 (2 heads of 32, a fused-kernel width), 4×4 patches, tables for Toy Actions' 8×28²;
 *  temporal_fc drawn like the other linears so every parameter gets a gradient from the first step. */
export const TIMESFORMER_TINY: TimeSformerSpec = {
  ...TIMESFORMER_B16,
  dim: 64,
  depth: 2,
  heads: 2,
  patch: 4,
  img: 28,
  frames: 8,
  dropPath: 0,
  zeroTemporalFc: false,
};

/** vit.py `PatchEmbed`: a Conv2d(3, C, p, stride p) on every frame (the toolkit's tubelet embedding, tubelet 1). */
function patchEmbed(rng: Rng, dim: number, patch: number): TubeletEmbed {
  return new TubeletEmbed(rng, { dim, tubelet: 1, patch, projName: 'proj', layout2d: true });
}

/** Row indices of F.interpolate(mode='nearest') from `from` to `to` (PyTorch: ⌊i·from/to⌋). */
function nearestIndices(from: number, to: number): number[] {
  const scale = from / to;
  return Array.from({ length: to }, (_, i) => Math.min(Math.floor(i * scale), from - 1));
}

/** Block index → attention probabilities, for the layers asked for. */
export interface TimeSformerCapture {
  readonly layers: ReadonlySet<number>;
  readonly attention: Map<number, BlockAttention>;
}

/** vit.py `VisionTransformer` with attention_type 'divided_space_time'. */
export class TimeSformerVit extends Module {
  private readonly patchEmbed: TubeletEmbed;
  private readonly clsToken: tf.Variable;
  private readonly posEmbed: tf.Variable;
  private readonly timeEmbed: tf.Variable;
  private readonly blockList: DividedBlock[] = [];
  private readonly norm: LayerNorm;
  private readonly head: Linear;
  private readonly grid: number;

  constructor(
    rng: Rng,
    readonly spec: TimeSformerSpec,
    numClasses: number,
  ) {
    super();
    const { dim } = spec;
    this.grid = Math.floor(spec.img / spec.patch);
    this.patchEmbed = this.child('patch_embed', patchEmbed(rng, dim, spec.patch));
    this.clsToken = this.param('cls_token', tf.tensor(normal(rng, dim, 0.02), [1, 1, dim]));
    const rows = this.grid * this.grid + 1;
    this.posEmbed = this.param('pos_embed', tf.tensor(normal(rng, rows * dim, 0.02), [1, rows, dim]));
    this.timeEmbed = this.param('time_embed', tf.zeros([1, spec.frames, dim]));
    const blocks = this.child('blocks', new Sequential());
    for (let i = 0; i < spec.depth; i++) {
      const dropPath = spec.depth > 1 ? (spec.dropPath * i) / (spec.depth - 1) : 0;
      const block = new DividedBlock(rng, { dim, numHeads: spec.heads, dropPath, impl: spec.impl });
      if (spec.zeroTemporalFc && i > 0) block.zeroTemporalFc();
      blocks.push(block);
      this.blockList.push(block);
    }
    this.norm = this.child('norm', new LayerNorm(dim, 1e-6));
    this.head = this.child('head', new Linear(rng, dim, numClasses, 'normal_0.02'));
  }

  /** The spatial table f32[h·w, C] (without the class row) and the time table f32[T, C] for a clip's grid. */
  private tables(t: number, h: number, w: number): [tf.Tensor2D, tf.Tensor2D] {
    const { dim, frames } = this.spec;
    const g = this.grid;
    const spatial = tf.reshape<tf.Rank.R2>(tf.slice(this.posEmbed, [0, 1, 0], [1, g * g, dim]), [g * g, dim]);
    const time = tf.reshape<tf.Rank.R2>(this.timeEmbed, [frames, dim]);
    if (this.spec.posResize === 'nearest') {
      const hi = nearestIndices(g, h);
      const wi = nearestIndices(g, w);
      const rows = hi.flatMap((r) => wi.map((c) => r * g + c));
      return [
        h === g && w === g ? spatial : tf.gather(spatial, rows),
        t === frames ? time : tf.gather(time, nearestIndices(frames, t)),
      ];
    }
    return [
      resizePositionTable(spatial, [1, g, g], [1, h, w]),
      resizePositionTable(time, [frames, 1, 1], [t, 1, 1]),
    ];
  }

  forward(x: Act, ctx: RunContext): Act {
    return this.run(x, ctx);
  }

  /** x f32[B, T, H, W, 3] → logits f32[B, classes]; `capture` collects the chosen blocks' probabilities. */
  run(x: Act, ctx: RunContext, capture?: TimeSformerCapture): Act {
    const y = this.patchEmbed.embed5d(x, ctx);
    const [b = 0, t = 0, h = 0, w = 0, c = 0] = y.shape;
    const grid = { frames: t, patches: h * w };
    let z: Act;
    if (isSymbolic(y)) {
      z = new SymbolicTensor([b, 1 + t * h * w, c]);
    } else {
      const [spatial, time] = this.tables(t, h, w);
      const pos = tf.reshape(tf.add(tf.reshape(time, [t, 1, c]), tf.reshape(spatial, [1, h * w, c])), [
        1,
        t * h * w,
        c,
      ]);
      const tokens = tf.add(tf.reshape(real(y, 'TimeSformer'), [b, t * h * w, c]), pos);
      const cls = tf.add(this.clsToken, tf.slice(this.posEmbed, [0, 0, 0], [1, 1, c]));
      z = tf.concat([tf.add(cls, tf.zeros([b, 1, c])), tokens], 1);
    }
    this.blockList.forEach((block, i) => {
      const r = block.run(z, grid, ctx, capture?.layers.has(i) ?? false);
      if (r.attention && capture) capture.attention.set(i, r.attention);
      z = r.y;
    });
    z = this.norm.forward(z);
    const clsOut = isSymbolic(z)
      ? new SymbolicTensor([b, c])
      : tf.reshape(tf.slice(z, [0, 0, 0], [b, 1, c]), [b, c]);
    return this.head.forward(clsOut, ctx);
  }
}

/** The registry model: the ViT sits under `model.` as in vit.py's `TimeSformer` wrapper. */
class TimeSformerNet extends Module {
  readonly model: TimeSformerVit;
  constructor(rng: Rng, spec: TimeSformerSpec, numClasses: number) {
    super();
    this.model = this.child('model', new TimeSformerVit(rng, spec, numClasses));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.model.forward(x, ctx);
  }
}

export function buildTimeSformer(config: ModelConfig, overrides: Partial<TimeSformerSpec> = {}): ZooModel {
  const base = config.preset === 'tiny' ? TIMESFORMER_TINY : TIMESFORMER_B16;
  const spec = { ...base, ...overrides };
  const net = new TimeSformerNet(new Rng(config.seed ?? 0), spec, config.numClasses);
  return new ZooModel('timesformer_b16', config, 'model.head', net);
}

/**
 * Logits f32[B, classes] and the attention probabilities of blocks `layers` (eval mode): spatial
 * f32[B·T, H, 1 + S, 1 + S] with the class token first, temporal f32[B·S, H, T, T]. The caller disposes them.
 */
export function timesformerAttention(
  model: ZooModel,
  x: tf.Tensor5D,
  layers: Iterable<number>,
): { logits: tf.Tensor2D; attention: Map<number, BlockAttention> } {
  const vit = model.namedModules().find(([name]) => name === 'model')?.[1];
  if (!(vit instanceof TimeSformerVit)) throw new RangeError(`${model.name} is not a TimeSformer`);
  const capture: TimeSformerCapture = { layers: new Set(layers), attention: new Map() };
  const logits = tf.tidy(() => real(vit.run(x, { training: false }, capture), model.name) as tf.Tensor2D);
  return { logits, attention: capture.attention };
}
