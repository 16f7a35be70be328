// Optimizers with PyTorch's exact update rules (compute worker): SGD (momentum, dampening, Nesterov), AdamW and
// LARS (PySlowFast's form), per-parameter groups that exclude norms and biases from weight decay, and a
// serialisable state for checkpoints. Parameters are TF.js Variables updated in place.
import { tf } from '../models/tf.ts';

export type OptimizerConfig =
  | {
      readonly kind: 'sgd';
      readonly momentum: number;
      readonly dampening?: number;
      readonly nesterov?: boolean;
      readonly weightDecay: number;
    }
  | {
      readonly kind: 'adamw';
      readonly beta1: number;
      readonly beta2: number;
      readonly eps: number;
      readonly weightDecay: number;
    }
  | {
      readonly kind: 'lars';
      readonly momentum: number;
      readonly weightDecay: number;
      readonly trustCoefficient: number;
      readonly eps: number;
    };

export interface Param {
  readonly name: string;
  readonly variable: tf.Variable;
  /** Multiplies the learning rate of this parameter (e.g. 0.1 for a finetuned backbone). */
  readonly lrScale?: number;
}

/** Norm layers and biases get no weight decay (and no LARS adaptation), as in MMAction2/PySlowFast configs. */
export function isNoDecay(name: string, shape: readonly number[]): boolean {
  return (
    shape.length <= 1 || /(^|[._])(bias|bn\d*|norm\d*|ln|gn|running_mean|running_var)([._]|$)/i.test(name)
  );
}

export interface OptimizerState {
  readonly kind: OptimizerConfig['kind'];
  readonly step: number;
  /** Per-parameter slots (momentum buffer, Adam moments), as plain arrays for checkpoints. */
  readonly slots: Record<string, Record<string, { shape: number[]; data: Float32Array }>>;
}

export class Optimizer {
  private step = 0;
  private readonly slots = new Map<string, Map<string, tf.Variable>>();

  constructor(
    readonly config: OptimizerConfig,
    private readonly params: readonly Param[],
  ) {
    const names = new Set<string>();
    for (const p of params) {
      if (names.has(p.name)) throw new Error(`optimizer: parameter '${p.name}' is listed twice`);
      names.add(p.name);
    }
  }

  get iterations(): number {
    return this.step;
  }

  private slot(param: Param, key: string): tf.Variable {
    let map = this.slots.get(param.name);
    if (!map) {
      map = new Map();
      this.slots.set(param.name, map);
    }
    let v = map.get(key);
    if (!v) {
      v = tf.variable(tf.zerosLike(param.variable), false);
      map.set(key, v);
    }
    return v;
  }

  /** One update with gradients by parameter name (missing gradients leave the parameter unchanged). */
  apply(grads: Readonly<Record<string, tf.Tensor>>, lr: number): void {
    this.step += 1;
    const t = this.step;
    for (const param of this.params) {
      const grad = grads[param.name];
      if (!grad) continue;
      const decay = isNoDecay(param.name, param.variable.shape) ? 0 : this.config.weightDecay;
      const plr = lr * (param.lrScale ?? 1);
      tf.tidy(() => {
        this.update(param, grad, plr, decay, t);
      });
    }
  }

  private update(param: Param, grad: tf.Tensor, lr: number, decay: number, t: number): void {
    const p = param.variable;
    const c = this.config;
    if (c.kind === 'adamw') {
      const m = this.slot(param, 'm');
      const v = this.slot(param, 'v');
      if (decay) p.assign(tf.mul(p, 1 - lr * decay));
      m.assign(tf.add(tf.mul(m, c.beta1), tf.mul(grad, 1 - c.beta1)));
      v.assign(tf.add(tf.mul(v, c.beta2), tf.mul(tf.square(grad), 1 - c.beta2)));
      const mHat = tf.div(m, 1 - c.beta1 ** t);
      const vHat = tf.div(v, 1 - c.beta2 ** t);
      p.assign(tf.sub(p, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), c.eps)), lr)));
      return;
    }
    let d: tf.Tensor = grad;
    if (c.kind === 'lars') {
      if (decay) {
        // PySlowFast LARS: the trust ratio scales decayed gradients of weights; norms/biases are excluded.
        // On the GPU, without a read-back: ratio = η‖p‖ / (‖g‖ + wd‖p‖ + ε) where both norms are > 0, else 1.
        const pNorm = tf.norm(p);
        const gNorm = tf.norm(grad);
        const ratio = tf.div(
          tf.mul(pNorm, c.trustCoefficient),
          tf.add(tf.add(gNorm, tf.mul(pNorm, decay)), c.eps),
        );
        const both = tf.logicalAnd(tf.greater(pNorm, 0), tf.greater(gNorm, 0));
        d = tf.mul(tf.add(grad, tf.mul(p, decay)), tf.where(both, ratio, tf.onesLike(ratio)));
      }
    } else if (decay) {
      d = tf.add(grad, tf.mul(p, decay));
    }
    if (c.momentum) {
      const buf = this.slot(param, 'momentum');
      const dampening = c.kind === 'sgd' ? (c.dampening ?? 0) : 0;
      // PyTorch initialises the buffer with the first gradient (no dampening on step 1).
      buf.assign(t === 1 ? d : tf.add(tf.mul(buf, c.momentum), tf.mul(d, 1 - dampening)));
      d = c.kind === 'sgd' && c.nesterov ? tf.add(d, tf.mul(buf, c.momentum)) : buf;
    }
    p.assign(tf.sub(p, tf.mul(d, lr)));
  }

  /**
   * The slots read back from the GPU. Asynchronous on purpose: TF.js's webgpu `dataSync` reads through
   * OffscreenCanvas contexts, which exhausts the GPU process's memory when done for every slot of a model.
   */
  async getState(): Promise<OptimizerState> {
    const slots: OptimizerState['slots'] = {};
    for (const [name, map] of this.slots) {
      const entries: Record<string, { shape: number[]; data: Float32Array }> = {};
      for (const [key, v] of map)
        entries[key] = { shape: [...v.shape], data: (await v.data()) as Float32Array };
      slots[name] = entries;
    }
    return { kind: this.config.kind, step: this.step, slots };
  }

  setState(state: OptimizerState): void {
    if (state.kind !== this.config.kind) {
      throw new Error(`optimizer: checkpoint has ${state.kind} state but the run uses ${this.config.kind}`);
    }
    this.dispose();
    this.step = state.step;
    for (const param of this.params) {
      for (const [key, slot] of Object.entries(state.slots[param.name] ?? {})) {
        if (slot.shape.join() !== param.variable.shape.join()) {
          throw new Error(
            `optimizer: slot ${param.name}/${key} has shape [${slot.shape.join(',')}] ≠ [${param.variable.shape.join(',')}]`,
          );
        }
        this.slot(param, key).assign(tf.tensor(slot.data, slot.shape));
      }
    }
  }

  dispose(): void {
    for (const map of this.slots.values()) for (const v of map.values()) v.dispose();
    this.slots.clear();
  }
}
