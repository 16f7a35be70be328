// MMAction2's TRN-R50 (compute worker): TSN's 2-D ResNet-50 on each of the T segments of x f32[N,T,H,W,3], then
// `TRNHead` (relation_type 'TRNMultiScale'): spatial mean, dropout, `cls_head.fc_cls` (2048 → hidden 256) per segment,
// and `cls_head.consensus.fc_fusion_scales.K` (ReLU, Linear(s·256, 256), ReLU, Linear(256, classes)) for s = T … 2.
import { Rng } from '../../shared/random.ts';
import { Dropout, F, Linear, ReLU } from '../nn/layers.ts';
import {
  isSymbolic,
  Module,
  real,
  Sequential,
  SymbolicTensor,
  type Act,
  type RunContext,
} from '../nn/module.ts';
import { tf } from '../tf.ts';
import { ResNet2d } from './resnet2d.ts';
import { scaled, ZooModel, type ModelConfig } from './zooModel.ts';

/** Every ordered s-subset of 0…t−1, in itertools.combinations order. */
export function combinations(t: number, s: number): number[][] {
  const out: number[][] = [];
  const walk = (start: number, acc: number[]): void => {
    if (acc.length === s) {
      out.push(acc);
      return;
    }
    for (let i = start; i < t; i++) walk(i + 1, [...acc, i]);
  };
  walk(0, []);
  return out;
}

/**
 * Which relations of one scale a forward sums (MMAction2: min(3, count) drawn without replacement by np.random at
 * every forward, training and test alike). Here: drawn from `rng` in training; in eval a fixed, evenly spaced pick so
 * that evaluation is deterministic.
 */
export function pickRelations(count: number, training: boolean, rng: Rng): number[] {
  const k = Math.min(3, count);
  if (!training) return Array.from({ length: k }, (_, i) => Math.floor(((i + 0.5) * count) / k));
  const pool = Array.from({ length: count }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + (rng.nextUint32() % (count - i));
    [pool[i], pool[j]] = [pool[j] ?? 0, pool[i] ?? 0];
  }
  return pool.slice(0, k);
}

/** RelationModuleMultiScale: f f32[N,T,hidden] → f32[N,classes]; scale index 0 is s = T (its one relation). */
export class RelationMultiScale extends Module {
  private readonly scales: number[];
  private readonly fusion: Sequential[] = [];
  private readonly relations: number[][][];
  private readonly rng: Rng;
  constructor(rng: Rng, hidden: number, segments: number, numClasses: number, bottleneck = 256) {
    super();
    this.rng = new Rng(rng.nextUint32());
    this.scales = Array.from({ length: segments - 1 }, (_, i) => segments - i);
    this.relations = this.scales.map((s) => combinations(segments, s));
    const list = new Sequential();
    this.child('fc_fusion_scales', list);
    for (const s of this.scales) {
      const seq = new Sequential(
        new ReLU(),
        new Linear(rng, s * hidden, bottleneck),
        new ReLU(),
        new Linear(rng, bottleneck, numClasses),
      );
      this.fusion.push(seq);
      list.push(seq);
    }
  }
  /** `chosen[k]`: the relation indices summed at scale index k ≥ 1 (default: pickRelations). */
  forward(f: Act, ctx: RunContext, chosen?: readonly (readonly number[])[]): Act {
    const [n = 0, , hidden = 0] = f.shape;
    const terms: Act[] = [];
    this.scales.forEach((s, k) => {
      const rels = this.relations[k] ?? [];
      const picks = k === 0 ? [0] : (chosen?.[k] ?? pickRelations(rels.length, ctx.training, this.rng));
      for (const p of picks) {
        const idx = rels[p] ?? [];
        const x: Act = isSymbolic(f)
          ? new SymbolicTensor([n, s * hidden])
          : tf.reshape(tf.gather(real(f, 'TRN'), idx, 1), [n, s * hidden]);
        const y = this.fusion[k]?.forward(x, ctx);
        if (!y) throw new Error('TRN: missing fusion MLP');
        terms.push(y);
      }
    });
    const [first] = terms;
    if (!first) throw new RangeError('TRN: needs at least 2 segments');
    return terms.slice(1).reduce((a, b) => F.add(a, b), first);
  }
}

/** TRNHead: features f32[N,T,h,w,C] → logits f32[N,classes]. */
export class TRNHead extends Module {
  private readonly fc: Linear;
  private readonly dropout = new Dropout(0.8);
  readonly consensus: RelationMultiScale;
  constructor(rng: Rng, inC: number, hidden: number, segments: number, numClasses: number, bottleneck = 256) {
    super();
    this.fc = this.child('fc_cls', new Linear(rng, inC, hidden, 'normal_0.001'));
    this.consensus = this.child(
      'consensus',
      new RelationMultiScale(rng, hidden, segments, numClasses, bottleneck),
    );
  }
  /** `chosen`: as RelationMultiScale.forward. */
  forward(x: Act, ctx: RunContext, chosen?: readonly (readonly number[])[]): Act {
    const [n = 0, t = 0, , , c = 0] = x.shape;
    const pooled = isSymbolic(x)
      ? new SymbolicTensor([n * t, c])
      : tf.reshape(tf.mean(x, [2, 3]), [n * t, c]);
    const h = this.fc.forward(this.dropout.forward(pooled, ctx), ctx);
    const hidden = h.shape[1] ?? 0;
    const f = isSymbolic(h) ? new SymbolicTensor([n, t, hidden]) : tf.reshape(h, [n, t, hidden]);
    return this.consensus.forward(f, ctx, chosen);
  }
}

class TRNRecognizer extends Module {
  private readonly backbone: ResNet2d;
  private readonly head: TRNHead;
  constructor(
    rng: Rng,
    m: number,
    tiny: boolean,
    private readonly segments: number,
    numClasses: number,
  ) {
    super();
    const blocks = tiny ? [1, 1, 1, 1] : [3, 4, 6, 3];
    this.backbone = this.child('backbone', new ResNet2d(rng, { blocks, widthMultiplier: m, shiftDiv: null }));
    const [hidden, bottleneck] = [scaled(256, m), scaled(256, m)];
    this.head = this.child(
      'cls_head',
      new TRNHead(rng, this.backbone.featDim, hidden, segments, numClasses, bottleneck),
    );
  }
  forward(x: Act, ctx: RunContext): Act {
    if (x.shape[1] !== this.segments) {
      throw new RangeError(`TRN: built for ${this.segments} segments, got T=${x.shape[1] ?? '?'}`);
    }
    return this.head.forward(this.backbone.forward(x, ctx), ctx);
  }
}

/** TRN-R50 (ResNet + TRNHead multi-scale, 8 segments); tiny: width × 1/8, one block per stage, 4 segments. */
export function buildTRN(config: ModelConfig): ZooModel {
  const tiny = config.preset === 'tiny';
  const m = config.widthMultiplier ?? (tiny ? 1 / 8 : 1);
  const net = new TRNRecognizer(new Rng(config.seed ?? 0), m, tiny, tiny ? 4 : 8, config.numClasses);
  return new ZooModel('trn_r50', config, 'cls_head', net);
}
