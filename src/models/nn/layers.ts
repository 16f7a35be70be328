// Leaf layers of the zoo with PyTorch semantics and state_dict names (compute worker): Conv3d (dense and grouped),
// BatchNorm3d, Linear, pooling, dropout. x: f32[N,T,H,W,C]. Each also runs on symbolic shapes and counts
// multiply-adds (conv and linear only, as fvcore's default and ptflops' "MACs" count them; BN, ReLU and pooling
// are not counted).
import { tf } from '../tf.ts';
import { groupedConv3d } from '../ops/groupedConv3d.ts';
import { batchNorm5dTrain } from '../ops/batchNorm5d.ts';
import type { Rng } from '../../shared/random.ts';
import { convInitValues, normal, torchDefaultUniform, type ConvInit } from './init.ts';
import { isSymbolic, Module, real, SymbolicTensor, type Act, type RunContext } from './module.ts';

export type Triple = readonly [number, number, number];
const triple = (v: number | Triple): Triple => (typeof v === 'number' ? [v, v, v] : v);
const prod = (v: readonly number[]): number => v.reduce((a, b) => a * b, 1);

/** Output length of a window op with PyTorch's floor rounding. */
export function windowOut(size: number, k: number, s: number, p: number): number {
  const out = Math.floor((size + 2 * p - k) / s) + 1;
  if (out < 1)
    throw new RangeError(`input extent ${size} is too small for kernel ${k} (stride ${s}, pad ${p})`);
  return out;
}

function shape5(x: Act, where: string): [number, number, number, number, number] {
  const s = x.shape;
  if (s.length !== 5) throw new RangeError(`${where}: expected f32[N,T,H,W,C], got shape [${s.join(', ')}]`);
  return s as [number, number, number, number, number];
}

/**
 * x·scale + shift per channel. f32[N,T,H,W,C] with f32[C] operands, computed on the [N·T·H·W, C] view: TF.js's
 * webgpu backend broadcasts rank-5 binary ops wrongly (measured: x[1,4,8,8,16]·v[16] differs from the cpu backend).
 */
export function channelAffine(x: tf.Tensor5D, scale: tf.Tensor | null, shift: tf.Tensor | null): tf.Tensor5D {
  let y: tf.Tensor = tf.reshape(x, [-1, x.shape[4]]);
  if (scale) y = tf.mul(y, scale);
  if (shift) y = tf.add(y, shift);
  return tf.reshape(y, x.shape);
}

export type { ConvInit } from './init.ts';

export interface Conv3dOptions {
  readonly kernel: number | Triple;
  readonly stride?: number | Triple;
  readonly padding?: number | Triple;
  readonly groups?: number;
  readonly bias?: boolean;
  readonly init?: ConvInit;
  /** a 2-D conv (kernel 1 in time) whose PyTorch weight is [out, in/groups, kH, kW] */
  readonly layout2d?: boolean;
}

/** nn.Conv3d: weight f32[kT,kH,kW,in/groups,out] (PyTorch [out,in/groups,kT,kH,kW]), optional bias f32[out]. */
export class Conv3d extends Module {
  readonly kernel: Triple;
  readonly stride: Triple;
  readonly padding: Triple;
  readonly groups: number;
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable | null;

  constructor(
    rng: Rng,
    readonly inChannels: number,
    readonly outChannels: number,
    opts: Conv3dOptions,
  ) {
    super();
    this.kernel = triple(opts.kernel);
    this.stride = triple(opts.stride ?? 1);
    this.padding = triple(opts.padding ?? 0);
    this.groups = opts.groups ?? 1;
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new RangeError(
        `Conv3d: groups=${this.groups} must divide in=${inChannels} and out=${outChannels}`,
      );
    }
    const shape = [...this.kernel, inChannels / this.groups, outChannels];
    if (opts.layout2d && this.kernel[0] !== 1) {
      throw new RangeError(`Conv3d: a 2-D layout needs temporal kernel 1, got ${this.kernel[0]}`);
    }
    // kaiming by default; the bias follows PyTorch's default only where the whole layer does
    const init = convInitValues(
      rng,
      opts.init ?? 'kaiming_fan_out',
      prod(shape),
      { in: prod(this.kernel) * (inChannels / this.groups), out: outChannels * prod(this.kernel) },
      opts.bias ? outChannels : null,
    );
    this.weight = this.param('weight', tf.tensor(init.weight, shape), {
      kind: opts.layout2d ? 'conv2d' : 'conv3d',
    });
    this.bias = init.bias ? this.param('bias', tf.tensor1d(init.bias)) : null;
  }

  forward(x: Act, ctx: RunContext): Act {
    const [n, t, h, w, c] = shape5(x, 'Conv3d');
    if (c !== this.inChannels) throw new RangeError(`Conv3d: expected ${this.inChannels} channels, got ${c}`);
    const [kt, kh, kw] = this.kernel;
    const [st, sh, sw] = this.stride;
    const [pt, ph, pw] = this.padding;
    const out = [
      n,
      windowOut(t, kt, st, pt),
      windowOut(h, kh, sh, ph),
      windowOut(w, kw, sw, pw),
      this.outChannels,
    ];
    if (isSymbolic(x)) {
      if (ctx.counter) {
        ctx.counter.macs += prod(out) * (this.inChannels / this.groups) * prod(this.kernel);
        ctx.counter.outputs = (ctx.counter.outputs ?? 0) + prod(out);
      }
      return new SymbolicTensor(out);
    }
    const xt = real(x, 'Conv3d') as tf.Tensor5D;
    const wt = this.weight as tf.Tensor as tf.Tensor5D;
    const y =
      this.groups === 1 && pt === ph && ph === pw
        ? // TF.js's conv3d takes a number as symmetric padding on every side (its type says only 'valid'|'same')
          tf.conv3d(xt, wt, [...this.stride], pt as unknown as 'valid')
        : groupedConv3d(xt, wt, {
            strides: [...this.stride] as [number, number, number],
            pad: [
              [pt, pt],
              [ph, ph],
              [pw, pw],
            ],
            groups: this.groups,
          });
    return this.bias ? channelAffine(y, null, this.bias) : y;
  }
}

export interface BatchNormOptions {
  readonly eps?: number;
  readonly momentum?: number;
  /** initial weight (γ); default 1 (0 for MMAction2's zero_init_residual) */
  readonly gamma?: number;
}

/** nn.BatchNorm3d over the channel (last) axis: weight, bias, running_mean, running_var, num_batches_tracked. */
export class BatchNorm3d extends Module {
  readonly eps: number;
  readonly momentum: number;
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;
  private readonly runningMean: tf.Variable;
  private readonly runningVar: tf.Variable;
  private readonly tracked: tf.Variable;

  constructor(
    readonly channels: number,
    opts: BatchNormOptions = {},
  ) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.weight = this.param('weight', tf.fill([channels], opts.gamma ?? 1));
    this.bias = this.param('bias', tf.zeros([channels]));
    this.runningMean = this.buffer('running_mean', tf.zeros([channels]));
    this.runningVar = this.buffer('running_var', tf.ones([channels]));
    this.tracked = this.buffer('num_batches_tracked', tf.scalar(0, 'int32'));
  }

  forward(x: Act, ctx: RunContext): Act {
    const c = shape5(x, 'BatchNorm3d')[4];
    if (c !== this.channels)
      throw new RangeError(`BatchNorm3d: expected ${this.channels} channels, got ${c}`);
    if (isSymbolic(x)) return x;
    const xt = real(x, 'BatchNorm3d') as tf.Tensor5D;
    const gamma = this.weight as tf.Tensor as tf.Tensor1D;
    const beta = this.bias as tf.Tensor as tf.Tensor1D;
    if (ctx.training) {
      const r = batchNorm5dTrain(xt, gamma, beta, {
        eps: this.eps,
        momentum: this.momentum,
        runningMean: this.runningMean as tf.Tensor as tf.Tensor1D,
        runningVar: this.runningVar as tf.Tensor as tf.Tensor1D,
      });
      this.runningMean.assign(r.newRunningMean);
      this.runningVar.assign(r.newRunningVar);
      this.tracked.assign(tf.add(this.tracked, tf.scalar(1, 'int32')));
      return r.y;
    }
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(this.runningVar, this.eps)));
    const shift = tf.sub(beta, tf.mul(this.runningMean, scale));
    return channelAffine(xt, scale, shift);
  }
}

/** N(0, σ²) weights and zero biases (MMCV normal_init), or PyTorch's default. */
export type LinearInit = 'normal_0.01' | 'normal_0.001' | 'normal_0.02' | 'torch_default';

/** nn.Linear: x f32[N,in] → f32[N,out]; weight f32[in,out] (PyTorch [out,in]), bias f32[out] unless bias=false. */
export class Linear extends Module {
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable | null;
  constructor(
    rng: Rng,
    readonly inFeatures: number,
    readonly outFeatures: number,
    init: LinearInit = 'torch_default',
    bias = true,
  ) {
    super();
    const n = inFeatures * outFeatures;
    const std = { 'normal_0.01': 0.01, 'normal_0.001': 0.001, 'normal_0.02': 0.02, torch_default: null }[
      init
    ];
    const w = std === null ? torchDefaultUniform(rng, n, inFeatures) : normal(rng, n, std);
    this.weight = this.param('weight', tf.tensor2d(w, [inFeatures, outFeatures]), { kind: 'linear' });
    this.bias = !bias
      ? null
      : this.param(
          'bias',
          std !== null
            ? tf.zeros([outFeatures])
            : tf.tensor1d(torchDefaultUniform(rng, outFeatures, inFeatures)),
        );
  }
  forward(x: Act, ctx: RunContext): Act {
    const [n = 0, f = 0] = x.shape;
    if (x.shape.length !== 2 || f !== this.inFeatures) {
      throw new RangeError(`Linear: expected f32[N,${this.inFeatures}], got [${x.shape.join(', ')}]`);
    }
    if (isSymbolic(x)) {
      if (ctx.counter) ctx.counter.macs += n * this.inFeatures * this.outFeatures;
      return new SymbolicTensor([n, this.outFeatures]);
    }
    const y = tf.matMul(real(x, 'Linear'), this.weight);
    return this.bias ? tf.add(y, this.bias) : y;
  }
}

export class ReLU extends Module {
  forward(x: Act): Act {
    return isSymbolic(x) ? x : tf.relu(x);
  }
}

/** nn.MaxPool3d (floor rounding; padding counts as −∞). Padding: the same on every axis, or spatial only. */
export class MaxPool3d extends Module {
  readonly kernel: Triple;
  readonly stride: Triple;
  readonly padding: Triple;
  constructor(kernel: number | Triple, stride: number | Triple, padding: number | Triple = 0) {
    super();
    this.kernel = triple(kernel);
    this.stride = triple(stride);
    this.padding = triple(padding);
    const [pt, ph, pw] = this.padding;
    if (!(pt === ph && ph === pw) && !(pt === 0 && ph === pw)) {
      throw new RangeError(`MaxPool3d: padding [${this.padding.join(', ')}] is not supported`);
    }
  }
  forward(x: Act): Act {
    const [n, t, h, w, c] = shape5(x, 'MaxPool3d');
    const [kt, kh, kw] = this.kernel;
    const [st, sh, sw] = this.stride;
    const [pt, ph, pw] = this.padding;
    const out = [n, windowOut(t, kt, st, pt), windowOut(h, kh, sh, ph), windowOut(w, kw, sw, pw), c];
    if (isSymbolic(x)) return new SymbolicTensor(out);
    const xt = real(x, 'MaxPool3d') as tf.Tensor5D;
    if (pt === ph && ph === pw && !(kt === 1 && st === 1)) {
      return tf.maxPool3d(xt, [...this.kernel], [...this.stride], pt === 0 ? 'valid' : pt);
    }
    // separable (max over a box = max over time of the max over space), on 4-D views: spatial padding only
    const x4 = tf.reshape<tf.Rank.R4>(xt, [n * t, h, w, c]);
    const s4 =
      kh === 1 && kw === 1 && sh === 1 && sw === 1
        ? x4
        : tf.maxPool(x4, [kh, kw], [sh, sw], ph === 0 ? 'valid' : ph);
    const [ho = 0, wo = 0] = [out[2], out[3]];
    if (kt === 1 && st === 1) return tf.reshape(s4, out);
    const y = tf.maxPool(tf.reshape<tf.Rank.R4>(s4, [n, t, ho * wo, c]), [kt, 1], [st, 1], 'valid');
    return tf.reshape(y, out);
  }
}

/** nn.AvgPool3d without padding. */
export class AvgPool3d extends Module {
  readonly kernel: Triple;
  readonly stride: Triple;
  constructor(kernel: number | Triple, stride: number | Triple) {
    super();
    this.kernel = triple(kernel);
    this.stride = triple(stride);
  }
  forward(x: Act): Act {
    const [n, t, h, w, c] = shape5(x, 'AvgPool3d');
    const out = [n, ...[t, h, w].map((d, i) => windowOut(d, this.kernel[i] ?? 1, this.stride[i] ?? 1, 0)), c];
    if (isSymbolic(x)) return new SymbolicTensor(out);
    return tf.avgPool3d(real(x, 'AvgPool3d') as tf.Tensor5D, [...this.kernel], [...this.stride], 'valid');
  }
}

/** AdaptiveAvgPool3d(1) + flatten: f32[N,T,H,W,C] → f32[N,C]. */
export class GlobalAvgPool extends Module {
  forward(x: Act): Act {
    const [n, , , , c] = shape5(x, 'GlobalAvgPool');
    return isSymbolic(x) ? new SymbolicTensor([n, c]) : tf.mean(x, [1, 2, 3]);
  }
}

/** nn.Dropout: identity in eval; in training zeroes with probability p and scales by 1/(1−p). */
export class Dropout extends Module {
  constructor(readonly p: number) {
    super();
  }
  forward(x: Act, ctx: RunContext): Act {
    if (isSymbolic(x) || !ctx.training || this.p === 0) return x;
    return tf.dropout(x, this.p, undefined, ctx.rng?.nextUint32());
  }
}

/** Elementwise helpers that also run on symbolic shapes. */
export const F = {
  add(a: Act, b: Act): Act {
    if (isSymbolic(a) || isSymbolic(b)) return new SymbolicTensor([...a.shape]);
    return tf.add(a, b);
  },
  relu(x: Act): Act {
    return isSymbolic(x) ? x : tf.relu(x);
  },
  /** Concatenates along channels (last axis). */
  concatChannels(xs: Act[]): Act {
    const first = xs[0];
    if (!first) throw new RangeError('concatChannels: nothing to concatenate');
    if (xs.some(isSymbolic)) {
      const c = xs.reduce((s, x) => s + (x.shape[x.shape.length - 1] ?? 0), 0);
      return new SymbolicTensor([...first.shape.slice(0, -1), c]);
    }
    // on the [rows, C] view: the gradient of a rank-5 concat slices rank-5 tensors, which TF.js's webgpu backend
    // gets wrong (measured on S3D's inception blocks)
    const c = xs.reduce((s, x) => s + (x.shape[x.shape.length - 1] ?? 0), 0);
    const flat = xs.map((x) => tf.reshape(x as tf.Tensor, [-1, x.shape[x.shape.length - 1] ?? 0]));
    return tf.reshape(tf.concat(flat, 1), [...first.shape.slice(0, -1), c]);
  },
  /** Mean over T, H, W: f32[N,T,H,W,C] → f32[N,C]. */
  meanThw(x: Act): Act {
    const [n, , , , c] = shape5(x, 'meanThw');
    return isSymbolic(x) ? new SymbolicTensor([n, c]) : tf.mean(x, [1, 2, 3]);
  },
};
