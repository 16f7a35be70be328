// Zero-shot recognition protocols (BIKE / CLIP; compute worker and Node, pure): prompt-ensembled class embeddings,
// BIKE's frame-averaged softmax scoring, full-class metrics and the half-class protocol (10 splits of n/2 classes
// drawn as numpy's np.random.seed(s); np.random.permutation(n)[:n // 2], so BIKE's splits are reproduced exactly).
import { singleLabelMetrics, topKAccuracy, meanClassAccuracy, type SingleLabelMetrics } from './metrics.ts';
import { softmax } from './average.ts';

/** BIKE's prompt; ActionCLIP-style ensembles pass several templates ("{}" is replaced by the class name). */
export const BIKE_TEMPLATES = ['This is a video about {}'] as const;

export const fillTemplate = (template: string, name: string): string =>
  template.includes('{}') ? template.split('{}').join(name) : `${template} ${name}`;

function normalise(v: readonly number[]): number[] {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / n);
}

/**
 * Class embeddings with prompt ensembling (CLIP's recipe): every template filled with the class name is embedded,
 * each embedding L2-normalised, averaged over templates and normalised again. `embed` maps prompts → embeddings.
 */
export async function classEmbeddings(
  classNames: readonly string[],
  templates: readonly string[],
  embed: (prompts: string[]) => Promise<number[][]>,
): Promise<number[][]> {
  if (templates.length === 0) throw new RangeError('classEmbeddings: at least one template');
  const prompts = classNames.flatMap((c) => templates.map((t) => fillTemplate(t, c)));
  const all = await embed(prompts);
  return classNames.map((_, c) => {
    const rows = all.slice(c * templates.length, (c + 1) * templates.length).map(normalise);
    const mean = (rows[0] ?? []).map((_, j) => rows.reduce((s, r) => s + (r[j] ?? 0), 0) / rows.length);
    return normalise(mean);
  });
}

/**
 * BIKE's multi_split_test scores: per frame, scale · (frame · class embedding) (frames as given, classes
 * normalised), softmax over classes, mean over frames. frames: per video f32[T][D]; returns [videos][classes].
 */
export function zeroShotScores(
  frames: readonly (readonly (readonly number[])[])[],
  classEmb: readonly (readonly number[])[],
  opts: { scale?: number; normaliseFrames?: boolean } = {},
): number[][] {
  const scale = opts.scale ?? 100;
  const classes = classEmb.map(normalise);
  return frames.map((video) => {
    const acc = new Array<number>(classes.length).fill(0);
    for (const raw of video) {
      const f = opts.normaliseFrames ? normalise(raw) : raw;
      const p = softmax(classes.map((c) => scale * c.reduce((s, x, j) => s + x * (f[j] ?? 0), 0)));
      p.forEach((x, i) => (acc[i] = (acc[i] ?? 0) + x / video.length));
    }
    return acc;
  });
}

/** numpy's legacy MT19937 (RandomState): seed(int) = init_genrand, 32-bit draws. */
class Mt19937 {
  private readonly mt = new Uint32Array(624);
  private i = 624;
  constructor(seed: number) {
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const p = (this.mt[i - 1] ?? 0) ^ ((this.mt[i - 1] ?? 0) >>> 30);
      this.mt[i] = (Math.imul(1812433253, p) + i) >>> 0;
    }
  }
  next(): number {
    const mt = this.mt;
    if (this.i >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = ((mt[k] ?? 0) & 0x80000000) | ((mt[(k + 1) % 624] ?? 0) & 0x7fffffff);
        mt[k] = (mt[(k + 397) % 624] ?? 0) ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.i = 0;
    }
    let y = mt[this.i++] ?? 0;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
  /** numpy random_interval: uniform in [0, max] by masked rejection. */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    for (const s of [1, 2, 4, 8, 16]) mask |= mask >>> s;
    mask >>>= 0;
    let v: number;
    do v = (this.next() & mask) >>> 0;
    while (v > max);
    return v;
  }
}

/** np.random.seed(seed); np.random.permutation(n). */
export function numpyPermutation(n: number, seed: number): number[] {
  const rng = new Mt19937(seed);
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i >= 1; i--) {
    const j = rng.interval(i);
    [a[i], a[j]] = [a[j] ?? 0, a[i] ?? 0];
  }
  return a;
}

/** BIKE's half-class subsets: for s = 0…splits−1, the first ⌊n/2⌋ of permutation(n) under seed s, sorted. */
export function halfClassSplits(numClasses: number, splits = 10): number[][] {
  return Array.from({ length: splits }, (_, s) =>
    numpyPermutation(numClasses, s)
      .slice(0, Math.floor(numClasses / 2))
      .sort((a, b) => a - b),
  );
}

export interface HalfClassSplit {
  readonly seed: number;
  readonly classes: number[];
  readonly videos: number;
  readonly top1: number;
  readonly top5: number;
  readonly meanClassAccuracy: number;
}

export interface HalfClassResult {
  readonly splits: HalfClassSplit[];
  /** mean and population std (np.std, ddof 0) of top-1 over the splits */
  readonly mean: number;
  readonly std: number;
}

export const fullClass = (
  scores: readonly (readonly number[])[],
  labels: readonly number[],
  n: number,
): SingleLabelMetrics => singleLabelMetrics(scores, labels, n);

/** Half-class protocol: keep the videos of each subset's classes, restrict the scores to them, relabel, score. */
export function halfClass(
  scores: readonly (readonly number[])[],
  labels: readonly number[],
  numClasses: number,
  splits = 10,
): HalfClassResult {
  const result = halfClassSplits(numClasses, splits).map((classes, seed): HalfClassSplit => {
    const index = new Map(classes.map((c, i) => [c, i]));
    const keep = labels.map((l, i) => [l, i] as const).filter(([l]) => index.has(l));
    const s = keep.map(([, i]) => classes.map((c) => scores[i]?.[c] ?? 0));
    const y = keep.map(([l]) => index.get(l) ?? -1);
    return {
      seed,
      classes,
      videos: keep.length,
      top1: topKAccuracy(s, y, 1),
      top5: topKAccuracy(s, y, Math.min(5, classes.length)),
      meanClassAccuracy: meanClassAccuracy(s, y),
    };
  });
  const tops = result.map((r) => r.top1);
  const mean = tops.reduce((a, b) => a + b, 0) / tops.length;
  const std = Math.sqrt(tops.reduce((a, b) => a + (b - mean) ** 2, 0) / tops.length);
  return { splits: result, mean, std };
}
