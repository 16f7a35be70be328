// torchvision's MViT (compute worker): `mvit_v2_s` (rel-pos, residual pooling, projection after attention) and
// `mvit_v1_b` (absolute space-time position tables), with torchvision's state_dict names and init; tiny presets.
// x f32[N,T,H,W,3] → conv_proj (3×7×7, stride 2×4×4) → cls + tokens f32[N, 1 + T'·H'·W', C] → blocks → norm → head.
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { dropPath } from '../nn/transformer/dropPath.ts';
import { TubeletError } from '../../shared/errors.ts';
import { Conv3d, Dropout, MaxPool3d, type Linear } from '../nn/layers.ts';
import {
  isSymbolic,
  Module,
  real,
  Sequential,
  SymbolicTensor,
  type Act,
  type RunContext,
} from '../nn/module.ts';
import {
  Gelu,
  LayerNorm,
  linear02,
  MultiscaleAttention,
  Pool,
  tableParam,
  tokenLinear,
  type AttentionImpl,
  type Thw,
} from './mvitAttention.ts';
import { ZooModel, type ModelConfig } from './zooModel.ts';

const prod = (v: readonly number[]): number => v.reduce((a, b) => a * b, 1);

/** One block of torchvision's MSBlockConfig (Table 1 of the MViT papers). */
export interface MSBlockConfig {
  readonly numHeads: number;
  readonly inputChannels: number;
  readonly outputChannels: number;
  readonly kernelQ: readonly number[];
  readonly kernelKv: readonly number[];
  readonly strideQ: readonly number[];
  readonly strideKv: readonly number[];
}

export interface MViTSpec {
  readonly blocks: readonly MSBlockConfig[];
  /** v2: residual pooling, rel-pos, projection after attention */
  readonly v2: boolean;
  /** [T, H, W] of the clips the model is built for (position tables are sized from it) */
  readonly input: Thw;
  readonly stochasticDepth: number;
  readonly dropout: number;
  readonly impl?: AttentionImpl;
}

function addAct(a: Act, b: Act): Act {
  return isSymbolic(a) || isSymbolic(b) ? new SymbolicTensor([...a.shape]) : tf.add(a, b);
}

/** torchvision `MultiscaleBlock`. */
export class MultiscaleBlock extends Module {
  private readonly poolSkip: Pool | null = null;
  private readonly norm1: LayerNorm;
  private readonly norm2: LayerNorm;
  private readonly attn: MultiscaleAttention;
  private readonly mlp: Sequential;
  private readonly project: Linear | null = null;

  constructor(
    rng: Rng,
    inputSize: Thw,
    cnf: MSBlockConfig,
    private readonly v2: boolean,
    private readonly sdProb: number,
    impl: AttentionImpl,
  ) {
    super();
    if (prod(cnf.strideQ) > 1) {
      const kernel = cnf.strideQ.map((s) => (s > 1 ? s + 1 : s));
      const t = (v: readonly number[]): [number, number, number] => [v[0] ?? 1, v[1] ?? 1, v[2] ?? 1];
      const pad = t(kernel.map((k) => Math.floor(k / 2)));
      this.poolSkip = this.child('pool_skip', new Pool(new MaxPool3d(t(kernel), t(cnf.strideQ), pad), null));
    }
    const attnDim = v2 ? cnf.outputChannels : cnf.inputChannels;
    this.norm1 = this.child('norm1', new LayerNorm(cnf.inputChannels, 1e-6));
    this.norm2 = this.child('norm2', new LayerNorm(attnDim, 1e-6));
    this.attn = this.child(
      'attn',
      new MultiscaleAttention(rng, {
        inputSize,
        embedDim: cnf.inputChannels,
        outputDim: attnDim,
        numHeads: cnf.numHeads,
        kernelQ: cnf.kernelQ,
        kernelKv: cnf.kernelKv,
        strideQ: cnf.strideQ,
        strideKv: cnf.strideKv,
        residualPool: v2,
        relPos: v2,
        impl,
      }),
    );
    // torchvision's MLP: Linear, GELU, Dropout(0), Linear, Dropout(0) → indices 0 and 3 hold weights
    this.mlp = this.child(
      'mlp',
      new Sequential(
        linear02(rng, attnDim, 4 * attnDim),
        new Gelu(),
        new Dropout(0),
        linear02(rng, 4 * attnDim, cnf.outputChannels),
        new Dropout(0),
      ),
    );
    if (cnf.inputChannels !== cnf.outputChannels)
      this.project = this.child('project', linear02(rng, cnf.inputChannels, cnf.outputChannels));
  }

  forward(): Act {
    throw new Error('MultiscaleBlock: call run(x, thw)');
  }

  /** x f32[B, 1 + T·H·W, in] → f32[B, 1 + T'·H'·W', out]. */
  run(x: Act, thw: Thw, ctx: RunContext): [Act, Thw] {
    const xNorm1 = this.norm1.forward(x);
    const [xAttn, thwNew] = this.attn.run(xNorm1, thw, ctx);
    const base = this.project && this.v2 ? tokenLinear(this.project, xNorm1, ctx) : x;
    let skip = base;
    if (this.poolSkip) {
      const [b = 0, n = 0, c = 0] = base.shape;
      const four = isSymbolic(base) ? new SymbolicTensor([b, 1, n, c]) : tf.reshape(base, [b, 1, n, c]);
      const [pooled] = this.poolSkip.run(four, thw, ctx);
      const m = pooled.shape[2] ?? 0;
      skip = isSymbolic(pooled) ? new SymbolicTensor([b, m, c]) : tf.reshape(pooled, [b, m, c]);
    }
    const mid = isSymbolic(xAttn) ? addAct(skip, xAttn) : addAct(skip, dropPath(xAttn, this.sdProb, ctx));
    const xNorm2 = this.norm2.forward(mid);
    const proj = this.project && !this.v2 ? tokenLinear(this.project, xNorm2, ctx) : mid;
    const mlp = tokenLinear(this.mlp, xNorm2, ctx);
    return [isSymbolic(mlp) ? addAct(proj, mlp) : addAct(proj, dropPath(mlp, this.sdProb, ctx)), thwNew];
  }
}

/** torchvision `PositionalEncoding`: the cls token, and (v1) class/temporal/spatial position tables. */
class PositionalEncoding extends Module {
  private readonly classToken: tf.Variable;
  private readonly tables: { spatial: tf.Variable; temporal: tf.Variable; cls: tf.Variable } | null = null;
  constructor(
    rng: Rng,
    readonly embed: number,
    readonly size: Thw,
    absolute: boolean,
  ) {
    super();
    this.classToken = this.param('class_token', tableParam(rng, embed, 1));
    if (absolute) {
      this.tables = {
        spatial: this.param('spatial_pos', tableParam(rng, size[1] * size[2], embed)),
        temporal: this.param('temporal_pos', tableParam(rng, size[0], embed)),
        cls: this.param('class_pos', tableParam(rng, embed, 1)),
      };
    }
  }
  forward(x: Act): Act {
    const [b = 0, n = 0, c = 0] = x.shape;
    if (isSymbolic(x)) return new SymbolicTensor([b, n + 1, c]);
    const cls = tf.broadcastTo(tf.reshape(this.classToken, [1, 1, c]), [b, 1, c]);
    const y = tf.concat([cls, real(x, 'PositionalEncoding')], 1);
    if (!this.tables) return y;
    const [t, h, w] = this.size;
    if (n !== t * h * w) {
      throw new TubeletError(
        'INVALID_ARGUMENT',
        `mvit_v1_b: position tables are for ${t}×${h}×${w} patches`,
        {
          hint: `feed clips of ${t * 2}×${h * 4}×${w * 4} frames (its absolute position tables do not resize)`,
        },
      );
    }
    const grid = tf.add(
      tf.reshape(this.tables.temporal, [t, 1, c]),
      tf.reshape(this.tables.spatial, [1, h * w, c]),
    );
    const pos = tf.concat([tf.reshape(this.tables.cls, [1, c]), tf.reshape(grid, [t * h * w, c])], 0);
    return tf.add(y, pos);
  }
}

const PATCH = { kernel: [3, 7, 7] as const, stride: [2, 4, 4] as const, padding: [1, 3, 3] as const };

/** torchvision `MViT`. */
export class MViTNet extends Module {
  private readonly convProj: Conv3d;
  private readonly posEncoding: PositionalEncoding;
  private readonly blockList: MultiscaleBlock[] = [];
  private readonly norm: LayerNorm;
  private readonly head: Sequential;

  constructor(rng: Rng, spec: MViTSpec, numClasses: number) {
    super();
    const first = spec.blocks[0];
    const last = spec.blocks[spec.blocks.length - 1];
    if (!first || !last) throw new RangeError('MViT: no blocks');
    this.convProj = this.child(
      'conv_proj',
      new Conv3d(rng, 3, first.inputChannels, { ...PATCH, bias: true, init: 'torch_default' }),
    );
    let size: Thw = [
      Math.floor(spec.input[0] / PATCH.stride[0]),
      Math.floor(spec.input[1] / PATCH.stride[1]),
      Math.floor(spec.input[2] / PATCH.stride[2]),
    ];
    this.posEncoding = this.child(
      'pos_encoding',
      new PositionalEncoding(rng, first.inputChannels, size, !spec.v2),
    );
    const blocks = new Sequential();
    this.child('blocks', blocks);
    const impl = spec.impl ?? 'auto';
    spec.blocks.forEach((cnf, i) => {
      const sd = (spec.stochasticDepth * i) / (spec.blocks.length - 1);
      const block = new MultiscaleBlock(rng, size, cnf, spec.v2, sd, impl);
      blocks.push(block);
      this.blockList.push(block);
      if (cnf.strideQ.length > 0)
        size = [
          Math.floor(size[0] / (cnf.strideQ[0] ?? 1)),
          Math.floor(size[1] / (cnf.strideQ[1] ?? 1)),
          Math.floor(size[2] / (cnf.strideQ[2] ?? 1)),
        ];
    });
    this.norm = this.child('norm', new LayerNorm(last.outputChannels, 1e-6));
    this.head = this.child(
      'head',
      new Sequential(new Dropout(spec.dropout), linear02(rng, last.outputChannels, numClasses)),
    );
  }

  forward(x: Act, ctx: RunContext): Act {
    const y = this.convProj.forward(x, ctx);
    const [b = 0, t = 0, h = 0, w = 0, c = 0] = y.shape;
    const tokens = isSymbolic(y) ? new SymbolicTensor([b, t * h * w, c]) : tf.reshape(y, [b, t * h * w, c]);
    let z = this.posEncoding.forward(tokens);
    let thw: Thw = [t, h, w];
    for (const block of this.blockList) [z, thw] = block.run(z, thw, ctx);
    z = this.norm.forward(z);
    const [, n = 0, cOut = 0] = z.shape;
    const cls = isSymbolic(z)
      ? new SymbolicTensor([b, cOut])
      : tf.reshape(tf.slice(z, [0, 0, 0], [b, 1, cOut]), [b, cOut]);
    if (n < 1) throw new RangeError('MViT: no tokens');
    return this.head.forward(cls, ctx);
  }
}

// ── configurations (torchvision 0.14 mvit_v2_s / mvit_v1_b) ──
const K3 = [3, 3, 3];
const S1 = [1, 1, 1];
const S2 = [1, 2, 2];
const KV_STRIDES = [[1, 8, 8], [1, 4, 4], [1, 4, 4], ...Array<number[]>(11).fill(S2), S1, S1];
const HEADS = [1, 2, 2, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 8, 8];

function settings(
  inputs: number[],
  outputs: number[],
  kernelQ: number[][],
  strideQ: number[][],
): MSBlockConfig[] {
  return HEADS.map((numHeads, i) => ({
    numHeads,
    inputChannels: inputs[i] ?? 0,
    outputChannels: outputs[i] ?? 0,
    kernelQ: kernelQ[i] ?? [],
    kernelKv: K3,
    strideQ: strideQ[i] ?? [],
    strideKv: KV_STRIDES[i] ?? S1,
  }));
}

const c = (spec: [number, number][]): number[] => spec.flatMap(([v, n]) => Array<number>(n).fill(v));

export const MVIT_V2_S_BLOCKS = settings(
  c([
    [96, 2],
    [192, 2],
    [384, 11],
    [768, 1],
  ]),
  c([
    [96, 1],
    [192, 2],
    [384, 11],
    [768, 2],
  ]),
  Array<number[]>(16).fill(K3),
  [S1, S2, S1, S2, ...Array<number[]>(10).fill(S1), S2, S1],
);

export const MVIT_V1_B_BLOCKS = settings(
  c([
    [96, 1],
    [192, 2],
    [384, 11],
    [768, 2],
  ]),
  c([
    [192, 2],
    [384, 11],
    [768, 3],
  ]),
  [[], K3, [], K3, ...Array<number[]>(10).fill([]), K3, []],
  [[], S2, [], S2, ...Array<number[]>(10).fill([]), S2, []],
);

/** Tiny presets: 4 blocks, widths 32/64 (head dim 32, a fused-kernel width), for 4×32×32 clips. */
function tinyBlocks(v2: boolean): MSBlockConfig[] {
  const b = (heads: number, i: number, o: number, sq: number[], skv: number[]): MSBlockConfig => ({
    numHeads: heads,
    inputChannels: i,
    outputChannels: o,
    kernelQ: v2 || sq.length > 0 ? K3 : [],
    kernelKv: K3,
    strideQ: sq,
    strideKv: skv,
  });
  return v2
    ? [b(1, 32, 32, S1, [1, 4, 4]), b(2, 32, 64, S2, S2), b(2, 64, 64, S1, S2), b(2, 64, 64, S1, S1)]
    : [b(1, 32, 64, [], [1, 4, 4]), b(2, 64, 64, S2, S2), b(2, 64, 64, [], S2), b(2, 64, 64, [], S1)];
}

export type MViTName = 'mvit_v2_s' | 'mvit_v1_b';

/** The spec of a registry model; `input` overrides the clip size the position tables are built for. */
export function mvitSpec(name: MViTName, tiny: boolean, input?: Thw): MViTSpec {
  const v2 = name === 'mvit_v2_s';
  return {
    blocks: tiny ? tinyBlocks(v2) : v2 ? MVIT_V2_S_BLOCKS : MVIT_V1_B_BLOCKS,
    v2,
    input: input ?? (tiny ? [4, 32, 32] : [16, 224, 224]),
    stochasticDepth: tiny ? 0 : 0.2,
    dropout: 0.5,
  };
}

export function buildMViT(
  name: MViTName,
  config: ModelConfig,
  opts: { readonly input?: Thw; readonly impl?: AttentionImpl } = {},
): ZooModel {
  const spec = { ...mvitSpec(name, config.preset === 'tiny', opts.input), impl: opts.impl ?? 'auto' };
  return new ZooModel(
    name,
    config,
    'head.1',
    new MViTNet(new Rng(config.seed ?? 0), spec, config.numClasses),
  );
}
