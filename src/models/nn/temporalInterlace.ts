// TIN's temporal interlace (compute worker), as MMAction2's TemporalInterlace (backbones/resnet_tin.py): of C
// channels the first C/shift_div are split into 4 groups, shifted in time by learned per-video offsets (o₀, o₁, −o₀,
// −o₁) with linear interpolation between the two nearest integer shifts (mmcv's tin_shift: out[t] = in[t − s], zeros
// beyond the clip) and scaled by learned per-frame weights (w₀, w₁, w₀, w₁); the rest pass. x f32[N,T,H,W,C].
import { tf } from '../tf.ts';
import type { Rng } from '../../shared/random.ts';
import { Conv1d } from './conv1d.ts';
import { Linear } from './layers.ts';
import { isSymbolic, Module, real, SymbolicTensor, type Act, type RunContext } from './module.ts';

/**
 * The interlaced shift alone: desc f32[N,T,F] rows of F = 4·G channels per (video, frame) flattened with space
 * (desc viewed as [N, T, HW, 4, G] → here [N·T·HW, 4·G]), offsets f32[N,4], weights f32[N,T,2]. Group g's output
 * frame t is w[t, g mod 2] · Σ_s max(0, 1 − |s − (t − o_g)|) · in[s]: the hat weights are mmcv's linear_sampler
 * (1 − frac on ⌊o⌋, frac on ⌊o⌋ + 1) and give the same gradients in o (and none through ⌊o⌋). Runs on rank ≤ 3 views.
 */
export function interlacedShift(
  rows: tf.Tensor2D,
  n: number,
  t: number,
  offsets: tf.Tensor2D,
  weights: tf.Tensor3D,
): tf.Tensor2D {
  const folds = rows.shape[1];
  const g = folds / 4;
  const hw = rows.shape[0] / (n * t);
  // (s − t) for output row t and input column s: [1, T, T]
  const sMinusT = tf.tensor3d(
    Array.from({ length: t * t }, (_, i) => (i % t) - Math.floor(i / t)),
    [1, t, t],
  );
  const parts: tf.Tensor2D[] = [];
  for (let k = 0; k < 4; k++) {
    const o = tf.reshape(tf.slice(offsets, [0, k], [n, 1]), [n, 1, 1]);
    const hat = tf.relu(tf.sub(1, tf.abs(tf.add(sMinusT, o)))); // [n, T, T]
    const group = tf.reshape(tf.slice(rows, [0, k * g], [-1, g]), [n, t, hw * g]);
    const shifted = tf.matMul(hat, group);
    const w = tf.slice(weights, [0, 0, k % 2], [n, t, 1]);
    parts.push(tf.reshape(tf.mul(shifted, w), [n * t * hw, g]));
  }
  return tf.concat(parts, 1);
}

/** Sets a parameter of `m` to a constant (MMAction2's hand-set biases). */
function setConstant(m: Module, name: string, value: number): void {
  const v = m.namedParameters().get(name)?.variable;
  if (!v) throw new Error(`TemporalInterlace: no parameter ${name}`);
  const t = tf.fill(v.shape, value);
  v.assign(t);
  t.dispose();
}

/** OffsetNet: pooled f32[N,T,F] → offsets f32[N,2] in (−2, 2): Conv1d F→1 k3, fc1 T→T, ReLU, fc2 T→2, 4(σ − ½). */
class OffsetNet extends Module {
  private readonly conv: Conv1d;
  private readonly fc1: Linear;
  private readonly fc2: Linear;
  constructor(rng: Rng, folds: number, segments: number) {
    super();
    this.conv = this.child('conv', new Conv1d(rng, folds, 1, { kernel: 3, padding: 1, bias: true }));
    this.fc1 = this.child('fc1', new Linear(rng, segments, segments));
    this.fc2 = this.child('fc2', new Linear(rng, segments, 2));
    // MMAction2: fc2's bias starts at 0.5108, so 2σ(…) starts near 1.25
    setConstant(this.fc2, 'bias', 0.5108);
  }
  forward(x: Act, ctx: RunContext): Act {
    const [n = 0, t = 0] = x.shape;
    const c = this.conv.forward(x, ctx);
    const flat = isSymbolic(c) ? new SymbolicTensor([n, t]) : tf.reshape(c, [n, t]);
    const y = this.fc2.forward(tf.relu(real(this.fc1.forward(flat, ctx), 'OffsetNet')), ctx);
    return tf.mul(4, tf.sub(tf.sigmoid(real(y, 'OffsetNet')), 0.5));
  }
}

/** WeightNet: pooled f32[N,T,F] → weights f32[N,T,2] in (0, 2): Conv1d F→2 k3 (bias 0), 2σ. */
class WeightNet extends Module {
  private readonly conv: Conv1d;
  constructor(rng: Rng, folds: number) {
    super();
    this.conv = this.child('conv', new Conv1d(rng, folds, 2, { kernel: 3, padding: 1, bias: true }));
    setConstant(this.conv, 'bias', 0);
  }
  forward(x: Act, ctx: RunContext): Act {
    return tf.mul(2, tf.sigmoid(real(this.conv.forward(x, ctx), 'WeightNet')));
  }
}

/** TemporalInterlace (deform groups 2): x f32[N,T,H,W,C] → same shape. `identity` bypasses it (parity tests). */
export class TemporalInterlace extends Module {
  identity = false;
  readonly folds: number;
  private readonly offsetNet: OffsetNet;
  private readonly weightNet: WeightNet;
  constructor(
    rng: Rng,
    readonly channels: number,
    readonly segments: number,
    shiftDiv = 4,
  ) {
    super();
    this.folds = Math.floor(channels / shiftDiv);
    if (this.folds === 0 || this.folds % 4 !== 0) {
      throw new RangeError(`TemporalInterlace: C/shift_div = ${this.folds} must be a positive multiple of 4`);
    }
    this.offsetNet = this.child('offset_net', new OffsetNet(rng, this.folds, segments));
    this.weightNet = this.child('weight_net', new WeightNet(rng, this.folds));
  }
  forward(x: Act, ctx: RunContext): Act {
    if (this.identity) return x;
    const [n = 0, t = 0, h = 0, w = 0, c = 0] = x.shape;
    if (x.shape.length !== 5 || t !== this.segments || c !== this.channels) {
      throw new RangeError(
        `TemporalInterlace: expected f32[N,${this.segments},H,W,${this.channels}], got [${x.shape.join(', ')}]`,
      );
    }
    if (isSymbolic(x)) {
      // offset_net.conv (F→1, k3) + weight_net.conv (F→2, k3), fc1 (T→T), fc2 (T→2)
      if (ctx.counter) ctx.counter.macs += n * t * this.folds * 3 * 3 + n * (t * t + 2 * t);
      return x;
    }
    const rows = tf.reshape(real(x, 'TemporalInterlace'), [n * t * h * w, c]);
    const desc = tf.slice(rows, [0, 0], [-1, this.folds]) as tf.Tensor2D;
    const pooled = tf.mean(tf.reshape(desc, [n, t, h * w, this.folds]), 2);
    const o = real(this.offsetNet.forward(pooled, ctx), 'TemporalInterlace') as tf.Tensor2D;
    const weights = real(this.weightNet.forward(pooled, ctx), 'TemporalInterlace') as tf.Tensor3D;
    const shifted = interlacedShift(desc, n, t, tf.concat([o, tf.neg(o)], 1), weights);
    const rest = tf.slice(rows, [0, this.folds], [-1, c - this.folds]);
    return tf.reshape(tf.concat([shifted, rest], 1), [n, t, h, w, c]);
  }
}
