// Masked-video pretraining networks (compute worker): the ViT encoder both MaskFeat and VideoMAE pretraining use
// (our TubeletEmbed + the VideoMAE PreNormBlocks + final LN) and VideoMAE's `PretrainVisionTransformer` decoder,
// named as MCG-NJU/VideoMAE's modeling_pretrain.py (encoder.*, encoder_to_decoder, mask_token, pos_embed, decoder.*).
import { tf } from '../../models/tf.ts';
import { Linear } from '../../models/nn/layers.ts';
import { Module, real, Sequential, type Act, type RunContext } from '../../models/nn/module.ts';
import { PreNormBlock, runBlocks, tokenLinear } from '../../models/nn/transformer/block.ts';
import { LayerNorm } from '../../models/nn/transformer/norms.ts';
import { sinusoidTable, type Grid } from '../../models/nn/transformer/posTables.ts';
import { TubeletEmbed } from '../../models/nn/transformer/tubeletEmbed.ts';
import { TubeletError } from '../../shared/errors.ts';
import type { Rng } from '../../shared/random.ts';

export interface MaskedVitSpec {
  readonly embed: number;
  readonly depth: number;
  readonly heads: number;
  readonly mlpRatio: number;
  readonly patch: number;
  readonly tubelet: number;
  readonly frames: number;
  readonly size: number;
}

export interface VideoMAEDecoderSpec {
  readonly embed: number;
  readonly depth: number;
  readonly heads: number;
}

function blocks(rng: Rng, owner: Sequential, dim: number, depth: number, heads: number, mlpRatio: number) {
  const list: PreNormBlock[] = [];
  for (let i = 0; i < depth; i++) {
    // VideoMAE pretraining: qkv_bias True as separate q_bias / v_bias, LN ε 1e-6, timm MLP names, no drop path
    const b = new PreNormBlock(rng, { dim, numHeads: heads, mlpRatio, qkvBias: 'qv', eps: 1e-6 });
    owner.push(b);
    list.push(b);
  }
  return list;
}

/** Patch embedding + fixed sinusoidal positions + pre-norm blocks + LN, on all tokens or a gathered subset. */
export class MaskedVitEncoder extends Module {
  readonly grid: Grid;
  readonly tokens: number;
  private readonly patchEmbed: TubeletEmbed;
  private readonly posEmbed: tf.Variable;
  private readonly blockList: PreNormBlock[];
  private readonly norm: LayerNorm;

  constructor(
    rng: Rng,
    readonly spec: MaskedVitSpec,
  ) {
    super();
    const { embed, patch, tubelet } = spec;
    if (spec.frames % tubelet !== 0 || spec.size % patch !== 0)
      throw new TubeletError(
        'INVALID_ARGUMENT',
        `masked ViT: ${spec.frames}×${spec.size}² clips must tile into ${tubelet}×${patch}² tubelets`,
      );
    this.patchEmbed = this.child('patch_embed', new TubeletEmbed(rng, { dim: embed, tubelet, patch }));
    this.grid = [spec.frames / tubelet, spec.size / patch, spec.size / patch];
    this.tokens = this.grid[0] * this.grid[1] * this.grid[2];
    this.posEmbed = this.buffer(
      'pos_embed',
      tf.tensor2d(sinusoidTable(this.tokens, embed), [this.tokens, embed]),
    );
    this.blockList = blocks(
      rng,
      this.child('blocks', new Sequential()),
      embed,
      spec.depth,
      spec.heads,
      spec.mlpRatio,
    );
    this.norm = this.child('norm', new LayerNorm(embed, 1e-6));
  }

  forward(x: Act, ctx: RunContext): Act {
    return this.encode(tf.add(this.embed(x, ctx), this.posEmbed), ctx);
  }

  /** x f32[N,T,H,W,3] (the spec's clip size) → patch tokens f32[N, L, C] without positions. */
  embed(x: Act, ctx: RunContext): tf.Tensor3D {
    const { tokens, grid } = this.patchEmbed.run(x, ctx);
    if (!grid.every((g, i) => g === this.grid[i]))
      throw new TubeletError(
        'INVALID_ARGUMENT',
        `masked ViT: clip grid ${grid.join('×')} ≠ ${this.grid.join('×')}`,
      );
    return real(tokens, 'MaskedVitEncoder') as tf.Tensor3D;
  }

  /** The position table f32[L, C]. */
  positions(): tf.Tensor2D {
    return this.posEmbed as tf.Tensor as tf.Tensor2D;
  }

  /** Blocks and the final LN over tokens that already carry positions: f32[N, L', C] → f32[N, L', C]. */
  encode(z: tf.Tensor3D, ctx: RunContext): tf.Tensor3D {
    return real(this.norm.forward(runBlocks(this.blockList, z, ctx)), 'MaskedVitEncoder') as tf.Tensor3D;
  }
}

/** Per-sample token indices of a [N, L] mask batch, flattened into the [N·L] token axis (raster order). */
export interface MaskIndex {
  readonly batch: number;
  readonly tokens: number;
  /** masked / visible tokens per sample (equal across the batch) */
  readonly nMasked: number;
  readonly nVisible: number;
  /** n·L + i, sample-major, raster order within a sample */
  readonly masked: Int32Array;
  readonly visible: Int32Array;
}

export function maskIndex(masks: readonly Uint8Array[], tokens: number): MaskIndex {
  const nMasked = masks[0]?.reduce((a, b) => a + b, 0) ?? 0;
  const masked: number[] = [];
  const visible: number[] = [];
  masks.forEach((m, n) => {
    if (m.length !== tokens)
      throw new TubeletError('INVALID_ARGUMENT', `mask ${n} has ${m.length} cells, the token grid ${tokens}`);
    for (let i = 0; i < tokens; i++) (m[i] ? masked : visible).push(n * tokens + i);
    if (masked.length !== (n + 1) * nMasked)
      throw new TubeletError('INVALID_ARGUMENT', 'masks of one batch must mask the same number of tokens');
  });
  return {
    batch: masks.length,
    tokens,
    nMasked,
    nVisible: tokens - nMasked,
    masked: Int32Array.from(masked),
    visible: Int32Array.from(visible),
  };
}

/** Rows `idx` of f32[N, L, C] as f32[N, k, C] (k = idx.length / N): a differentiable gather. */
export function gatherTokens(z: tf.Tensor3D, idx: Int32Array, batch: number): tf.Tensor3D {
  const [n, l, c] = z.shape;
  return tf.tidy(() =>
    tf.reshape(tf.gather(tf.reshape(z, [n * l, c]), tf.tensor1d(idx, 'int32')), [
      batch,
      idx.length / batch,
      c,
    ]),
  );
}

/** VideoMAE's decoder: encoder_to_decoder, mask_token, pos_embed, decoder.blocks / decoder.norm / decoder.head. */
export class VideoMAEPretrainNet extends Module {
  readonly encoder: MaskedVitEncoder;
  readonly patchDim: number;
  private readonly toDecoder: Linear;
  private readonly maskToken: tf.Variable;
  private readonly decPos: tf.Variable;
  private readonly decBlocks: PreNormBlock[];
  private readonly decNorm: LayerNorm;
  private readonly decHead: Linear;

  constructor(rng: Rng, spec: MaskedVitSpec, dec: VideoMAEDecoderSpec) {
    super();
    this.encoder = this.child('encoder', new MaskedVitEncoder(rng, spec));
    this.patchDim = 3 * spec.tubelet * spec.patch * spec.patch;
    this.toDecoder = this.child(
      'encoder_to_decoder',
      new Linear(rng, spec.embed, dec.embed, 'torch_default', false),
    );
    // VideoMAE: mask_token trunc_normal_(std .02)
    const tok = Array.from({ length: dec.embed }, () => Math.max(-2, Math.min(2, rng.normal())) * 0.02);
    this.maskToken = this.param('mask_token', tf.tensor3d(tok, [1, 1, dec.embed]));
    const l = this.encoder.tokens;
    this.decPos = this.buffer('pos_embed', tf.tensor2d(sinusoidTable(l, dec.embed), [l, dec.embed]));
    const decoder = this.child('decoder', new DecoderNames());
    this.decBlocks = blocks(rng, decoder.blocks, dec.embed, dec.depth, dec.heads, spec.mlpRatio);
    this.decNorm = decoder.add('norm', new LayerNorm(dec.embed, 1e-6));
    this.decHead = decoder.add('head', new Linear(rng, dec.embed, this.patchDim));
  }

  forward(): Act {
    throw new TubeletError('INVALID_ARGUMENT', 'VideoMAEPretrainNet: call reconstruct(x, maskIndex)');
  }

  /** x f32[N,T,H,W,3] normalised → predicted patches of the masked tokens f32[N, nMasked, 3·t·p²] (raster order). */
  reconstruct(x: tf.Tensor5D, idx: MaskIndex, ctx: RunContext): tf.Tensor3D {
    return tf.tidy(() => {
      const n = idx.batch;
      const pos = this.encoder.positions();
      const z = tf.add<tf.Tensor3D>(this.encoder.embed(x, ctx), pos);
      const vis = this.encoder.encode(gatherTokens(z, idx.visible, n), ctx);
      const y = real(tokenLinear(this.toDecoder, vis, ctx), 'VideoMAE') as tf.Tensor3D;
      const posAll = tf.tile<tf.Tensor3D>(tf.expandDims(this.decPos, 0), [n, 1, 1]);
      const posVis = gatherTokens(posAll, idx.visible, n);
      const posMask = gatherTokens(posAll, idx.masked, n);
      const tokens = tf.add(tf.broadcastTo(this.maskToken, [n, idx.nMasked, posMask.shape[2]]), posMask);
      // [visible…, masked…] as VideoMAE concatenates them; the head reads the last nMasked tokens
      let d: Act = tf.concat([tf.add(y, posVis), tokens], 1);
      d = this.decNorm.forward(runBlocks(this.decBlocks, d, ctx));
      const out = tf.slice(real(d, 'VideoMAE') as tf.Tensor3D, [0, idx.nVisible, 0], [-1, idx.nMasked, -1]);
      return real(tokenLinear(this.decHead, out, ctx), 'VideoMAE') as tf.Tensor3D;
    });
  }
}

/** `decoder`: a name holder for blocks, norm and head. */
class DecoderNames extends Module {
  readonly blocks = this.child('blocks', new Sequential());
  add<M extends Module>(name: string, m: M): M {
    return this.child(name, m);
  }
  forward(x: Act): Act {
    return x;
  }
}
