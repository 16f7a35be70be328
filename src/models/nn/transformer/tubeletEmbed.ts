// Patch / tubelet embedding of the video ViTs (compute worker): MMCV's PatchEmbed (conv_type Conv3d) as VideoMAE and
// ViViT use it, a Conv3d child `projection` with kernel = stride = (t, p, p), then tokens in T-major order.
import { tf } from '../../tf.ts';
import type { Rng } from '../../../shared/random.ts';
import { Conv3d } from '../layers.ts';
import { isSymbolic, Module, real, SymbolicTensor, type Act, type RunContext } from '../module.ts';
import type { Grid } from './posTables.ts';

export interface TubeletEmbedOptions {
  readonly inChannels?: number;
  readonly dim: number;
  /** frames per tubelet (1: per-frame patches) */
  readonly tubelet: number;
  readonly patch: number;
  /** the Conv3d child's name: MMCV's 'projection' (default) or timm/Swin's 'proj' */
  readonly projName?: string;
  /** a per-frame Conv2d (tubelet 1) whose PyTorch weight is [out, in, p, p] (TimeSformer's PatchEmbed) */
  readonly layout2d?: boolean;
}

export class TubeletEmbed extends Module {
  readonly dim: number;
  readonly tubelet: number;
  readonly patch: number;
  protected readonly projection: Conv3d;

  constructor(rng: Rng, opts: TubeletEmbedOptions) {
    super();
    this.dim = opts.dim;
    this.tubelet = opts.tubelet;
    this.patch = opts.patch;
    const k = [opts.tubelet, opts.patch, opts.patch] as const;
    this.projection = this.child(
      opts.projName ?? 'projection',
      new Conv3d(rng, opts.inChannels ?? 3, opts.dim, {
        kernel: k,
        stride: k,
        bias: true,
        init: 'torch_default',
        ...(opts.layout2d ? { layout2d: true } : {}),
      }),
    );
  }

  forward(x: Act, ctx: RunContext): Act {
    return this.run(x, ctx).tokens;
  }

  /** x f32[N, T, H, W, C] → the embedding grid f32[N, T', H', W', dim] (the Conv3d alone). */
  embed5d(x: Act, ctx: RunContext): Act {
    return this.projection.forward(x, ctx);
  }

  /** x f32[N, T, H, W, C] → tokens f32[N, T'·H'·W', dim] (T' = ⌊T/t⌋, H' = ⌊H/p⌋, …) and the grid [T', H', W']. */
  run(x: Act, ctx: RunContext): { tokens: Act; grid: Grid } {
    const y = this.embed5d(x, ctx);
    const [n = 0, t = 0, h = 0, w = 0, c = 0] = y.shape;
    if (t < 1 || h < 1 || w < 1) {
      throw new RangeError(
        `TubeletEmbed: clip [${x.shape.join(', ')}] is smaller than one ${this.tubelet}×${this.patch}×${this.patch} tubelet`,
      );
    }
    const tokens = isSymbolic(y)
      ? new SymbolicTensor([n, t * h * w, c])
      : tf.reshape(real(y, 'TubeletEmbed'), [n, t * h * w, c]);
    return { tokens, grid: [t, h, w] };
  }
}
