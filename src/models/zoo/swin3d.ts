// Video Swin Transformer (Liu et al. 2022) as MMAction2's Recognizer3D(SwinTransformer3D, I3DHead) names it (compute
// worker): 3-D (shifted) window attention with relative position bias, PatchMerging, Swin-T and a tiny preset.
// Roll, window partition and merging are slices/concats/reshapes/transposes (rank ≤ 6) that TF.js differentiates.
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { normal } from '../nn/init.ts';
import { Dropout, Linear } from '../nn/layers.ts';
import {
  isSymbolic,
  Module,
  real,
  Sequential,
  SymbolicTensor,
  type Act,
  type RunContext,
} from '../nn/module.ts';
import { Mlp, tokenLinear } from '../nn/transformer/block.ts';
import { dropPath } from '../nn/transformer/dropPath.ts';
import { LayerNorm } from '../nn/transformer/norms.ts';
import { TubeletEmbed } from '../nn/transformer/tubeletEmbed.ts';
import type { Thw } from './mvitRelPos.ts';
import { ZooModel, type ModelConfig } from './zooModel.ts';

const prod = (v: readonly number[]): number => v.reduce((a, b) => a * b, 1);

export interface Swin3dSpec {
  readonly dim: number;
  readonly depths: readonly number[];
  readonly heads: readonly number[];
  readonly window: Thw;
  readonly patch: Thw;
  readonly dropPath: number;
  readonly dropout: number;
}

/** MMAction2 swin-tiny (arch 'tiny', patch 2×4×4, window 8×7×7, drop_path_rate 0.1, I3DHead dropout 0.5). */
export const SWIN_T: Swin3dSpec = {
  dim: 96,
  depths: [2, 2, 6, 2],
  heads: [3, 6, 12, 24],
  window: [8, 7, 7],
  patch: [2, 4, 4],
  dropPath: 0.1,
  dropout: 0.5,
};

/** MMAction2 swin-small (arch 'small': depths 2, 2, 18, 2; drop_path_rate 0.2). */
export const SWIN_S: Swin3dSpec = { ...SWIN_T, depths: [2, 2, 18, 2], dropPath: 0.2 };

/** MMAction2 swin-base (arch 'base': width 128, heads 4-8-16-32, depths 2, 2, 18, 2; drop_path_rate 0.3). */
export const SWIN_B: Swin3dSpec = {
  ...SWIN_T,
  dim: 128,
  depths: [2, 2, 18, 2],
  heads: [4, 8, 16, 32],
  dropPath: 0.3,
};

/** Ours: two stages (32 and 64 channels, 2 blocks each, the second shifted), windows 2×4×4. */
export const SWIN_TINY: Swin3dSpec = {
  dim: 32,
  depths: [2, 2],
  heads: [1, 2],
  window: [2, 4, 4],
  patch: [2, 4, 4],
  dropPath: 0,
  dropout: 0.5,
};

/** MMAction2 get_window_size: a window no larger than the input, and no shift along an axis it covers. */
export function clipWindow(size: Thw, window: Thw, shift: Thw): [Thw, Thw] {
  const ws = [0, 1, 2].map((i) => ((size[i] ?? 0) <= (window[i] ?? 0) ? (size[i] ?? 0) : (window[i] ?? 0)));
  const ss = [0, 1, 2].map((i) => ((size[i] ?? 0) <= (window[i] ?? 0) ? 0 : (shift[i] ?? 0)));
  return [ws as unknown as Thw, ss as unknown as Thw];
}

/** relative_position_index f32[N, N] (N = wd·wh·ww) as MMAction2 builds it. */
export function relativePositionIndex(window: Thw): Int32Array {
  const [wd, wh, ww] = window;
  const n = wd * wh * ww;
  const out = new Int32Array(n * n);
  const at = (i: number): [number, number, number] => [
    Math.floor(i / (wh * ww)),
    Math.floor(i / ww) % wh,
    i % ww,
  ];
  for (let i = 0; i < n; i++) {
    const [d1, h1, w1] = at(i);
    for (let j = 0; j < n; j++) {
      const [d2, h2, w2] = at(j);
      out[i * n + j] =
        (d1 - d2 + wd - 1) * (2 * wh - 1) * (2 * ww - 1) +
        (h1 - h2 + wh - 1) * (2 * ww - 1) +
        (w1 - w2 + ww - 1);
    }
  }
  return out;
}

/** x f32[B, D, H, W, C] → windows f32[B·nW, wd·wh·ww, C] (D, H, W multiples of the window). */
function partition(x: tf.Tensor5D, ws: Thw): tf.Tensor3D {
  const [b, d, h, w, c] = x.shape;
  const [wd, wh, ww] = ws;
  const y = tf.reshape(x, [b * (d / wd), wd, h / wh, wh, w / ww, ww * c]);
  return tf.reshape(tf.transpose(y, [0, 2, 4, 1, 3, 5]), [-1, wd * wh * ww, c]);
}

function reverse(win: tf.Tensor3D, ws: Thw, shape: readonly number[]): tf.Tensor5D {
  const [b = 0, d = 0, h = 0, w = 0, c = 0] = shape;
  const [wd, wh, ww] = ws;
  const y = tf.reshape(win, [b * (d / wd), h / wh, w / ww, wd, wh, ww * c]);
  return tf.reshape(tf.transpose(y, [0, 3, 1, 4, 2, 5]), [b, d, h, w, c]);
}

/** x viewed as f32[before, n, after] around `axis` (slices and pads stay rank 3: TF.js 4.22's webgpu backend
 *  computes wrong gradients for rank-5 slices). */
function around(x: tf.Tensor, axis: number): [number, number, number] {
  const s = x.shape;
  return [prod(s.slice(0, axis)), s[axis] ?? 1, prod(s.slice(axis + 1))];
}

/** x[..., begin:begin+size, ...] along `axis`. */
function sliceAxis<T extends tf.Tensor>(x: T, axis: number, begin: number, size: number): T {
  const [a, , c] = around(x, axis);
  const shape = x.shape.map((v, i) => (i === axis ? size : v));
  return tf.reshape(tf.slice(tf.reshape(x, around(x, axis)), [0, begin, 0], [a, size, c]), shape) as T;
}

/** Zeros appended after the end of `axis`. */
function padAxis<T extends tf.Tensor>(x: T, axis: number, after: number): T {
  if (after === 0) return x;
  const shape = x.shape.map((v, i) => (i === axis ? v + after : v));
  return tf.reshape(
    tf.pad(tf.reshape(x, around(x, axis)), [
      [0, 0],
      [0, after],
      [0, 0],
    ]),
    shape,
  ) as T;
}

/** torch.roll along axes 1..3 of f32[B, D, H, W, C] by `shifts` (positive moves elements to higher indices). */
function roll(x: tf.Tensor5D, shifts: readonly number[]): tf.Tensor5D {
  let y = x;
  shifts.forEach((s, i) => {
    const axis = i + 1;
    const n = y.shape[axis] ?? 0;
    const k = ((s % n) + n) % n;
    if (k === 0) return;
    y = tf.concat([sliceAxis(y, axis, n - k, k), sliceAxis(y, axis, 0, n - k)], axis);
  });
  return y;
}

/** MMAction2 compute_mask: f32[nW, N, N] with −100 between tokens from different regions of the shifted grid. */
export function shiftMask(padded: Thw, ws: Thw, ss: Thw): Float32Array {
  const [d, h, w] = padded;
  const region = (v: number, n: number, win: number, sh: number): number =>
    v < n - win ? 0 : v < n - sh ? 1 : 2;
  const label = (z: number, y: number, x: number): number =>
    region(z, d, ws[0], ss[0]) * 9 + region(y, h, ws[1], ss[1]) * 3 + region(x, w, ws[2], ss[2]);
  const n = prod(ws);
  const windows: number[][] = [];
  for (let a = 0; a < d; a += ws[0])
    for (let b = 0; b < h; b += ws[1])
      for (let c = 0; c < w; c += ws[2]) {
        const labels: number[] = [];
        for (let i = 0; i < ws[0]; i++)
          for (let j = 0; j < ws[1]; j++)
            for (let k = 0; k < ws[2]; k++) labels.push(label(a + i, b + j, c + k));
        windows.push(labels);
      }
  const out = new Float32Array(windows.length * n * n);
  windows.forEach((l, wi) => {
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) out[(wi * n + i) * n + j] = l[i] === l[j] ? 0 : -100;
  });
  return out;
}

/** MMAction2 `WindowAttention3D`: qkv, relative_position_bias_table, relative_position_index (buffer), proj. */
class WindowAttention3D extends Module {
  private readonly table: tf.Variable;
  private readonly index: tf.Variable;
  private readonly qkv: Linear;
  private readonly proj: Linear;
  private readonly headDim: number;
  constructor(
    rng: Rng,
    readonly dim: number,
    readonly window: Thw,
    readonly heads: number,
  ) {
    super();
    this.headDim = dim / heads;
    const rows = (2 * window[0] - 1) * (2 * window[1] - 1) * (2 * window[2] - 1);
    this.table = this.param(
      'relative_position_bias_table',
      tf.tensor2d(normal(rng, rows * heads, 0.02), [rows, heads]),
    );
    const n = prod(window);
    this.index = this.buffer(
      'relative_position_index',
      tf.tensor2d(relativePositionIndex(window), [n, n], 'int32'),
    );
    this.qkv = this.child('qkv', new Linear(rng, dim, 3 * dim, 'normal_0.02'));
    this.proj = this.child('proj', new Linear(rng, dim, dim, 'normal_0.02'));
  }
  forward(): Act {
    throw new Error('WindowAttention3D: call run(windows, mask)');
  }
  /** windows f32[B·nW, N, C], mask f32[nW, N, N] or null → f32[B·nW, N, C]. */
  run(x: Act, mask: tf.Tensor3D | null, windows: number, ctx: RunContext): Act {
    const [bw = 0, n = 0, c = 0] = x.shape;
    const h = this.heads;
    const d = this.headDim;
    if (isSymbolic(x)) {
      tokenLinear(this.qkv, x, ctx);
      if (ctx.counter) ctx.counter.macs += 2 * bw * h * n * n * d;
      return tokenLinear(this.proj, x, ctx);
    }
    const qkv = real(tokenLinear(this.qkv, x, ctx), 'WindowAttention3D');
    const split = tf.transpose(tf.reshape(qkv, [bw, n, 3, h, d]), [2, 0, 3, 1, 4]);
    const [q, k, v] = tf.unstack(split) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const full = prod(this.window);
    const idx = n === full ? this.index : tf.slice(this.index, [0, 0], [n, n]);
    const bias = tf.transpose(tf.reshape(tf.gather(this.table, tf.reshape(idx, [-1])), [n, n, h]), [2, 0, 1]);
    let scores = tf.add(tf.matMul(tf.mul(q, 1 / Math.sqrt(d)), k, false, true), tf.expandDims(bias, 0));
    if (mask) {
      const s5 = tf.reshape(scores, [bw / windows, windows, h, n, n]);
      scores = tf.reshape(tf.add(s5, tf.reshape(mask, [1, windows, 1, n, n])), [bw, h, n, n]);
    }
    const o = tf.matMul(tf.softmax(scores), v); // [B·nW, H, N, d]
    return tokenLinear(this.proj, tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [bw, n, c]), ctx);
  }
}

/** MMAction2 `SwinTransformerBlock3D`. */
class SwinBlock3D extends Module {
  private readonly norm1: LayerNorm;
  private readonly attn: WindowAttention3D;
  private readonly norm2: LayerNorm;
  private readonly mlp: Mlp;
  constructor(
    rng: Rng,
    dim: number,
    heads: number,
    private readonly window: Thw,
    private readonly shift: Thw,
    private readonly pDrop: number,
  ) {
    super();
    this.norm1 = this.child('norm1', new LayerNorm(dim, 1e-5));
    this.attn = this.child('attn', new WindowAttention3D(rng, dim, window, heads));
    this.norm2 = this.child('norm2', new LayerNorm(dim, 1e-5));
    this.mlp = this.child('mlp', new Mlp(rng, dim, 4 * dim, 'normal_0.02'));
  }
  forward(): Act {
    throw new Error('SwinBlock3D: call run(x, mask, ctx)');
  }
  /** x f32[B, D, H, W, C] → same; `mask` is the layer's shift mask (used when this block shifts). */
  run(x: Act, mask: tf.Tensor3D | null, ctx: RunContext): Act {
    const [b = 0, d = 0, h = 0, w = 0, c = 0] = x.shape;
    const [ws, ss] = clipWindow([d, h, w], this.window, this.shift);
    const padded = [d, h, w].map((v, i) => Math.ceil(v / (ws[i] ?? 1)) * (ws[i] ?? 1));
    const windows = prod(padded) / prod(ws);
    if (isSymbolic(x)) {
      this.attn.run(new SymbolicTensor([b * windows, prod(ws), c]), null, windows, ctx);
      const flat = new SymbolicTensor([b, d * h * w, c]);
      this.mlp.forward(flat, ctx);
      return x;
    }
    const xt = real(x, 'SwinBlock3D') as tf.Tensor5D;
    let y = real(this.norm1.forward(xt), 'SwinBlock3D') as tf.Tensor5D;
    const pads = [d, h, w].map((v, i) => (padded[i] ?? v) - v);
    pads.forEach((p, i) => {
      y = padAxis(y, i + 1, p);
    });
    const shifted = ss.some((s) => s > 0);
    if (shifted)
      y = roll(
        y,
        ss.map((s) => -s),
      );
    const win = this.attn.run(partition(y, ws), shifted ? mask : null, windows, ctx);
    y = reverse(real(win, 'SwinBlock3D') as tf.Tensor3D, ws, y.shape);
    if (shifted) y = roll(y, ss);
    [d, h, w].forEach((v, i) => {
      if (pads[i]) y = sliceAxis(y, i + 1, 0, v);
    });
    const mid = tf.add(xt, dropPath(y, this.pDrop, ctx));
    const flat = tf.reshape(mid, [b, d * h * w, c]);
    const m = tf.reshape(real(this.mlp.forward(this.norm2.forward(flat), ctx), 'SwinBlock3D'), [
      b,
      d,
      h,
      w,
      c,
    ]);
    return tf.add(mid, dropPath(m, this.pDrop, ctx));
  }
}

/** MMAction2 `PatchMerging`: 2×2 neighbours concatenated (x0, x1, x2, x3 order), norm, reduction (no bias). */
class PatchMerging extends Module {
  private readonly reduction: Linear;
  private readonly norm: LayerNorm;
  constructor(rng: Rng, dim: number) {
    super();
    this.reduction = this.child('reduction', new Linear(rng, 4 * dim, 2 * dim, 'normal_0.02', false));
    this.norm = this.child('norm', new LayerNorm(4 * dim, 1e-5));
  }
  forward(x: Act, ctx: RunContext): Act {
    const [b = 0, d = 0, h = 0, w = 0, c = 0] = x.shape;
    const [h2, w2] = [Math.ceil(h / 2), Math.ceil(w / 2)];
    if (isSymbolic(x)) {
      tokenLinear(this.reduction, new SymbolicTensor([b, d * h2 * w2, 4 * c]), ctx);
      return new SymbolicTensor([b, d, h2, w2, 2 * c]);
    }
    let y = real(x, 'PatchMerging') as tf.Tensor5D;
    y = padAxis(padAxis(y, 2, h % 2), 3, w % 2);
    // [B·D, H/2, 2 (h), W/2, 2 (w), C] → [B·D, H/2, W/2, w, h, C]: channel blocks (w0h0, w0h1, w1h0, w1h1)
    const six = tf.reshape(y, [b * d, h2, 2, w2, 2, c]);
    const cat = tf.reshape(tf.transpose(six, [0, 1, 3, 4, 2, 5]), [b, d * h2 * w2, 4 * c]);
    const out = tokenLinear(this.reduction, this.norm.forward(cat), ctx);
    return tf.reshape(real(out, 'PatchMerging'), [b, d, h2, w2, 2 * c]);
  }
}

/** MMAction2 `BasicLayer`: blocks (odd ones shifted by half a window) and an optional downsample. */
class BasicLayer extends Module {
  readonly blocks: SwinBlock3D[] = [];
  readonly downsample: PatchMerging | null;
  private readonly shift: Thw;
  constructor(
    rng: Rng,
    dim: number,
    depth: number,
    heads: number,
    private readonly window: Thw,
    drops: number[],
    last: boolean,
  ) {
    super();
    this.shift = window.map((v) => Math.floor(v / 2)) as unknown as Thw;
    const seq = this.child('blocks', new Sequential());
    for (let i = 0; i < depth; i++) {
      const block = new SwinBlock3D(
        rng,
        dim,
        heads,
        window,
        i % 2 === 0 ? [0, 0, 0] : this.shift,
        drops[i] ?? 0,
      );
      seq.push(block);
      this.blocks.push(block);
    }
    this.downsample = last ? null : this.child('downsample', new PatchMerging(rng, dim));
  }
  forward(x: Act, ctx: RunContext): Act {
    const [, d = 0, h = 0, w = 0] = x.shape;
    const [ws, ss] = clipWindow([d, h, w], this.window, this.shift);
    const padded = [d, h, w].map((v, i) => Math.ceil(v / (ws[i] ?? 1)) * (ws[i] ?? 1)) as unknown as Thw;
    const windows = prod(padded) / prod(ws);
    const mask =
      isSymbolic(x) || !ss.some((s) => s > 0)
        ? null
        : tf.tensor3d(shiftMask(padded, ws, ss), [windows, prod(ws), prod(ws)]);
    return this.blocks.reduce<Act>((y, blk) => blk.run(y, mask, ctx), x);
  }
}

/** MMAction2 `PatchEmbed3D`: pad to patch multiples, Conv3d(3, C, patch, stride patch), LayerNorm (patch_norm). */
class PatchEmbed3D extends TubeletEmbed {
  private readonly norm: LayerNorm;
  private readonly patchThw: Thw;
  constructor(rng: Rng, dim: number, patch: Thw) {
    if (patch[1] !== patch[2]) throw new RangeError(`Video Swin: patch ${patch.join('×')} is not square`);
    super(rng, { dim, tubelet: patch[0], patch: patch[1], projName: 'proj' });
    this.patchThw = patch;
    this.norm = this.child('norm', new LayerNorm(dim, 1e-5));
  }
  override forward(x: Act, ctx: RunContext): Act {
    const [n = 0, t = 0, h = 0, w = 0] = x.shape;
    const pads = [t, h, w].map(
      (v, i) => ((this.patchThw[i] ?? 1) - (v % (this.patchThw[i] ?? 1))) % (this.patchThw[i] ?? 1),
    );
    let y: Act = x;
    if (pads.some((v) => v > 0)) {
      y = isSymbolic(x)
        ? new SymbolicTensor([n, t + (pads[0] ?? 0), h + (pads[1] ?? 0), w + (pads[2] ?? 0), 3])
        : pads.reduce<tf.Tensor>((z, p, i) => padAxis(z, i + 1, p), x);
    }
    return this.norm.forward(this.embed5d(y, ctx));
  }
}

/** MMAction2 `SwinTransformer3D` (patch_norm, out_indices = the last stage, out_after_downsample False). */
class SwinTransformer3D extends Module {
  private readonly patchEmbed: PatchEmbed3D;
  private readonly layers: BasicLayer[] = [];
  private readonly norm: LayerNorm;
  readonly outDim: number;
  constructor(rng: Rng, spec: Swin3dSpec) {
    super();
    this.patchEmbed = this.child('patch_embed', new PatchEmbed3D(rng, spec.dim, spec.patch));
    const total = spec.depths.reduce((a, b) => a + b, 0);
    const dpr = Array.from({ length: total }, (_, i) => (total > 1 ? (spec.dropPath * i) / (total - 1) : 0));
    const layers = this.child('layers', new Sequential());
    let dim = spec.dim;
    spec.depths.forEach((depth, i) => {
      const last = i === spec.depths.length - 1;
      const layer = new BasicLayer(
        rng,
        dim,
        depth,
        spec.heads[i] ?? 1,
        spec.window,
        dpr.splice(0, depth),
        last,
      );
      layers.push(layer);
      this.layers.push(layer);
      if (!last) dim *= 2;
    });
    this.outDim = dim;
    this.norm = this.child(`norm${spec.depths.length - 1}`, new LayerNorm(dim, 1e-5));
  }
  /** x f32[B, T, H, W, 3] → f32[B, D, H', W', C_last]. */
  forward(x: Act, ctx: RunContext): Act {
    let y = this.patchEmbed.forward(x, ctx);
    this.layers.forEach((layer, i) => {
      y = layer.forward(y, ctx);
      if (i === this.layers.length - 1) y = this.norm.forward(y);
      if (layer.downsample) y = layer.downsample.forward(y, ctx);
    });
    return y;
  }
}

/** MMAction2 `I3DHead`: average over D, H, W, dropout, fc_cls (normal std 0.01). */
class I3DHead extends Module {
  private readonly dropout: Dropout;
  private readonly fc: Linear;
  constructor(rng: Rng, dim: number, classes: number, p: number) {
    super();
    this.dropout = new Dropout(p);
    this.fc = this.child('fc_cls', new Linear(rng, dim, classes, 'normal_0.01'));
  }
  forward(x: Act, ctx: RunContext): Act {
    const [b = 0, , , , c = 0] = x.shape;
    const pooled = isSymbolic(x) ? new SymbolicTensor([b, c]) : tf.mean(x, [1, 2, 3]);
    return this.fc.forward(this.dropout.forward(pooled, ctx), ctx);
  }
}

class Recognizer3D extends Module {
  private readonly backbone: SwinTransformer3D;
  private readonly head: I3DHead;
  constructor(rng: Rng, spec: Swin3dSpec, classes: number) {
    super();
    this.backbone = this.child('backbone', new SwinTransformer3D(rng, spec));
    this.head = this.child('cls_head', new I3DHead(rng, this.backbone.outDim, classes, spec.dropout));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.head.forward(this.backbone.forward(x, ctx), ctx);
  }
}

export type Swin3dName = 'swin3d_t' | 'swin3d_s' | 'swin3d_b';
const SWIN_SIZES: Record<Swin3dName, Swin3dSpec> = { swin3d_t: SWIN_T, swin3d_s: SWIN_S, swin3d_b: SWIN_B };

/** Video Swin-T (or `name`'s size); every size shares the tiny preset. */
export function buildSwin3d(
  config: ModelConfig,
  overrides: Partial<Swin3dSpec> = {},
  name: Swin3dName = 'swin3d_t',
): ZooModel {
  const spec = { ...(config.preset === 'tiny' ? SWIN_TINY : SWIN_SIZES[name]), ...overrides };
  return new ZooModel(
    name,
    config,
    'cls_head.fc_cls',
    new Recognizer3D(new Rng(config.seed ?? 0), spec, config.numClasses),
  );
}
