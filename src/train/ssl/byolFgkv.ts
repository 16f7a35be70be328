// BYOL + FGKV memory-predictor pretraining step (compute worker): online zoo backbone (features before its head) +
// BN-MLP projector + MemoryRecon predictor, momentum target (backbone + projector, EMA over parameters), the
// symmetric per-clip loss of FGKVMemPred's sequential `contrastive_forward`, the shared Optimizer, seeded init.
import { tf } from '../../models/tf.ts';
import type { Act, RunContext } from '../../models/nn/module.ts';
import type { ZooModel } from '../../models/zoo/zooModel.ts';
import { TubeletError } from '../../shared/errors.ts';
import { Rng } from '../../shared/random.ts';
import { Optimizer, type OptimizerConfig, type OptimizerState, type Param } from '../optimizers.ts';
import { byolMomentum, emaUpdate } from './byol.ts';
import {
  bnMlp,
  detach,
  memoryRecon,
  type BnMlpParams,
  type MemoryReconOptions,
  type MemoryReconParams,
} from './memoryRecon.ts';

export interface ByolFgkvDims {
  /** projector hidden width (MLP_DIM 4096) and output (DIM 256) */
  readonly projHidden: number;
  readonly dim: number;
  /** cross-memory slots (N_MEMORY) and concept dictionary size (N_CONCEPT) */
  readonly nMemory: number;
  readonly nConcept: number;
}

/** f32[N,T,H,W,C] → the pooled features before the head, f32[N,F]: the head module runs as identity. */
export function backboneFeatures(model: ZooModel, x: tf.Tensor5D, training: boolean): tf.Tensor2D {
  const head = model.namedModules().find(([n]) => n === model.headPrefix)?.[1];
  if (!head)
    throw new TubeletError('INVALID_ARGUMENT', `${model.name}: no head module '${model.headPrefix}'`);
  Object.defineProperty(head, 'forward', {
    value: (a: Act, _ctx: RunContext): Act => a,
    configurable: true,
    writable: true,
  });
  try {
    return model.forward(x, { training });
  } finally {
    delete (head as { forward?: unknown }).forward;
  }
}

type Named = Map<string, tf.Variable>;

function linearInit(rng: Rng, fanIn: number, shape: number[]): tf.Tensor {
  const b = 1 / Math.sqrt(fanIn);
  return tf.tensor(
    rng.float32(
      shape.reduce((a, c) => a * c, 1),
      -b,
      b,
    ),
    shape,
  );
}

function mlpVars(vars: Named, prefix: string, rng: Rng, i: number, m: number, o: number): BnMlpParams {
  const v = (k: string, t: tf.Tensor): tf.Variable => {
    const x = tf.variable(t, true);
    t.dispose();
    vars.set(`${prefix}.${k}`, x);
    return x;
  };
  return {
    w1: v('w1', linearInit(rng, i, [i, m])) as tf.Variable<tf.Rank.R2>,
    gamma: v('gamma', tf.ones([m])) as tf.Variable<tf.Rank.R1>,
    beta: v('beta', tf.zeros([m])) as tf.Variable<tf.Rank.R1>,
    w2: v('w2', linearInit(rng, m, [m, o])) as tf.Variable<tf.Rank.R2>,
    b2: v('b2', linearInit(rng, m, [o])) as tf.Variable<tf.Rank.R1>,
  };
}

export interface ByolFgkvState {
  readonly step: number;
  readonly tensors: Readonly<Record<string, { shape: number[]; data: Float32Array }>>;
  readonly optimizer: OptimizerState;
}

export interface ByolFgkvStepRecord {
  readonly step: number;
  readonly momentum: number;
  readonly lr: number;
  readonly loss: number;
  readonly byol: number;
  readonly sourceRecon: number;
  readonly targetRecon: number;
  readonly kl: number;
  /** mean entropy (nats) of the cross-memory address and the fraction of slots that are some row's argmax */
  readonly addressEntropy: number;
  readonly slotUsage: number;
}

/**
 * The online and target networks plus memory and the DINO center. `online` and `target` must be the same zoo
 * architecture (build both from one config; the target is overwritten with the online weights here).
 */
export class ByolFgkv {
  readonly optimizer: Optimizer;
  /** projector + memory variables by name ('projector.w1', 'memory.crossKey', …) */
  readonly headVars: Named = new Map();
  readonly targetProjVars: Named = new Map();
  readonly center: tf.Variable;
  private readonly projector: BnMlpParams;
  private readonly targetProjector: BnMlpParams;
  private readonly memory: MemoryReconParams;
  private step = 0;

  constructor(
    readonly online: ZooModel,
    readonly target: ZooModel,
    featureDim: number,
    readonly dims: ByolFgkvDims,
    readonly opts: MemoryReconOptions,
    optimizer: OptimizerConfig,
    seed: number,
  ) {
    const rng = new Rng(seed);
    const d = dims;
    this.projector = mlpVars(this.headVars, 'projector', rng, featureDim, d.projHidden, d.dim);
    const inProj = mlpVars(this.headVars, 'memory.inProj', rng, d.dim, d.dim, opts.nHead * d.dim);
    const v = (k: string, t: tf.Tensor): tf.Variable<tf.Rank.R2> => {
      const x = tf.variable(t, true) as tf.Variable<tf.Rank.R2>;
      t.dispose();
      this.headVars.set(`memory.${k}`, x);
      return x;
    };
    // trunc-normal std 0.02 (clamped at ±2σ)
    const mem = Array.from(
      { length: d.nMemory * d.dim },
      () => Math.max(-2, Math.min(2, rng.normal())) * 0.02,
    );
    this.memory = {
      inProj,
      crossKey: v('crossKey', linearInit(rng, d.dim, [d.nMemory, d.dim])),
      crossMem: v('crossMem', tf.tensor2d(mem, [d.nMemory, d.dim])),
      sourceKey: v('sourceKey', linearInit(rng, d.dim, [d.dim, d.nConcept])),
      targetKey: v('targetKey', linearInit(rng, d.dim, [d.dim, d.nConcept])),
      sourceRecon: mlpVars(this.headVars, 'memory.sourceRecon', rng, d.nConcept, featureDim, featureDim),
      targetRecon: mlpVars(this.headVars, 'memory.targetRecon', rng, d.nConcept, featureDim, featureDim),
    };
    this.targetProjector = mlpVars(
      this.targetProjVars,
      'projector',
      new Rng(seed),
      featureDim,
      d.projHidden,
      d.dim,
    );
    this.center = tf.variable(tf.zeros([1, d.nConcept]), false);
    // the target starts as a copy of the online network
    emaUpdate(this.targetVars(), this.onlineEmaSources(), 0);
    const params: Param[] = [
      ...[...online.parameters()].map(([name, variable]) => ({ name: `backbone.${name}`, variable })),
      ...[...this.headVars].map(([name, variable]) => ({ name, variable })),
    ];
    this.optimizer = new Optimizer(optimizer, params);
  }

  private targetVars(): tf.Variable[] {
    return [...this.target.parameters().values(), ...this.targetProjVars.values()];
  }

  private onlineEmaSources(): tf.Variable[] {
    return [
      ...this.online.parameters().values(),
      ...[...this.targetProjVars.keys()].map((k) => {
        const o = this.headVars.get(k);
        if (!o) throw new TubeletError('INTERNAL', `byolFgkv: no online ${k}`);
        return o;
      }),
    ];
  }

  get globalStep(): number {
    return this.step;
  }

  set globalStep(s: number) {
    this.step = s;
  }

  /**
   * One optimizer step on two normalised views v1, v2: f32[N,T,S,S,3] of the same N videos. `epoch` is the
   * fractional epoch (momentum schedule), `maxEpoch` the run's length.
   */
  async trainStep(
    v1: tf.Tensor5D,
    v2: tf.Tensor5D,
    epoch: number,
    maxEpoch: number,
    lr: number,
  ): Promise<ByolFgkvStepRecord> {
    const m = byolMomentum(epoch, maxEpoch);
    emaUpdate(this.targetVars(), this.onlineEmaSources(), m);
    // target keys of both clips, once (train-mode BN, no gradients)
    const [zt, ft] = tf.tidy(() => {
      const f = [v1, v2].map((v) => backboneFeatures(this.target, v, true));
      const z = f.map((x) => bnMlp(x, this.targetProjector));
      return [z, f];
    });
    const varList = [...this.online.parameters().values(), ...this.headVars.values()];
    const names = [
      ...[...this.online.parameters().keys()].map((k) => `backbone.${k}`),
      ...this.headVars.keys(),
    ];
    const stats: tf.Tensor[] = [];
    let centerNext: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      let center: tf.Tensor2D = this.center as tf.Tensor2D;
      const totals: tf.Scalar[] = [];
      [v1, v2].forEach((v, k) => {
        const other = 1 - k;
        const feat = backboneFeatures(this.online, v, true);
        const x = bnMlp(feat, this.projector);
        const zo = zt[other] as tf.Tensor2D;
        const fo = ft[other] as tf.Tensor2D;
        const t = memoryRecon(x, zo, detach(feat), fo, center, this.memory, this.opts);
        totals.push(t.total);
        stats.push(tf.keep(tf.stack([t.byol, t.sourceRecon, t.targetRecon, t.kl])));
        stats.push(tf.keep(detach(t.address)));
        // DINOLoss updates its center after each clip's call: the second clip sees the updated one
        center = tf.add(tf.mul(center, 0.9), tf.mul(tf.mean(detach(t.targetSim), 0, true), 0.1));
      });
      centerNext = tf.keep(center);
      return tf.addN(totals);
    }, varList);
    const named: Record<string, tf.Tensor> = {};
    names.forEach((n, i) => {
      const g = grads[varList[i]?.name ?? ''];
      if (g) named[n] = g;
    });
    this.optimizer.apply(named, lr);
    if (centerNext) this.center.assign(centerNext);
    const [s1, a1, s2, a2] = stats;
    const terms = await tf.add(s1 as tf.Tensor, s2 as tf.Tensor).data();
    const usage = await addressStats([a1 as tf.Tensor3D, a2 as tf.Tensor3D]);
    const loss = (await value.data())[0] ?? NaN;
    tf.dispose([value, ...Object.values(grads), ...stats, ...zt, ...ft, centerNext]);
    this.step++;
    return {
      step: this.step,
      momentum: m,
      lr,
      loss,
      byol: terms[0] ?? NaN,
      sourceRecon: terms[1] ?? NaN,
      targetRecon: terms[2] ?? NaN,
      kl: terms[3] ?? NaN,
      ...usage,
    };
  }

  /** Every variable of the pretraining state by a stable name (online/target backbone params and buffers, heads,
   *  center): with the optimizer state and step this is what a checkpoint needs to continue exactly. */
  stateVariables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    const add = (prefix: string, m: ReadonlyMap<string, tf.Variable>): void => {
      for (const [k, v] of m) out.set(`${prefix}${k}`, v);
    };
    add('backbone.', this.online.parameters());
    add('backbone.', this.online.buffers());
    add('target.backbone.', this.target.parameters());
    add('target.backbone.', this.target.buffers());
    add('', this.headVars);
    add('target.', this.targetProjVars);
    out.set('memory.center', this.center);
    return out;
  }

  async captureState(): Promise<ByolFgkvState> {
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [k, v] of this.stateVariables())
      tensors[k] = { shape: [...v.shape], data: (await v.data()) as Float32Array };
    return { step: this.step, tensors, optimizer: await this.optimizer.getState() };
  }

  restoreState(state: ByolFgkvState): void {
    for (const [k, v] of this.stateVariables()) {
      const t = state.tensors[k];
      if (!t || t.data.length !== v.size)
        throw new TubeletError('WEIGHTS_MALFORMED', `pretraining checkpoint lacks or mis-sizes '${k}'`);
      v.assign(tf.tensor(t.data, v.shape));
    }
    this.optimizer.setState(state.optimizer);
    this.step = state.step;
  }

  dispose(): void {
    tf.dispose([...this.headVars.values(), ...this.targetProjVars.values(), this.center]);
    this.optimizer.dispose();
  }
}

/** Mean address entropy and the fraction of slots that win some row, over address f32[B,heads,slots] tensors. */
async function addressStats(
  addresses: readonly tf.Tensor3D[],
): Promise<{ addressEntropy: number; slotUsage: number }> {
  let entropy = 0;
  let rows = 0;
  const used = new Set<number>();
  let slots = 1;
  for (const a of addresses) {
    const [b, h, s] = a.shape;
    slots = h * s;
    const d = await a.data();
    for (let r = 0; r < b * h; r++) {
      let best = 0;
      let e = 0;
      for (let j = 0; j < s; j++) {
        const p = d[r * s + j] ?? 0;
        if (p > 0) e -= p * Math.log(p);
        if (p > (d[r * s + best] ?? 0)) best = j;
      }
      entropy += e;
      rows++;
      used.add((r % h) * s + best);
    }
  }
  return { addressEntropy: entropy / Math.max(1, rows), slotUsage: used.size / slots };
}
