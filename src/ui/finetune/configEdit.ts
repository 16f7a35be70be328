// Pure edits of a TrainConfig draft for the Finetune forms (main thread): set a value at a path, switch the kind
// of the optimizer / lr decay / crop with sensible settings for the new kind, and group problems by field.
import type { ConfigProblem, TrainConfig } from '../../shared/trainConfig.ts';

export type ConfigPath = readonly (string | number)[];

/** A copy of `obj` with `value` at `path` (objects and arrays copied along the path). */
export function setIn<T>(obj: T, path: ConfigPath, value: unknown): T {
  const [head, ...rest] = path;
  if (head === undefined) return value as T;
  const base = obj as unknown;
  const container: Record<string | number, unknown> = Array.isArray(base)
    ? ([...(base as unknown[])] as unknown as Record<number, unknown>)
    : { ...(base as Record<string, unknown>) };
  container[head] = setIn(container[head], rest, value);
  return container as T;
}

export function getIn(obj: unknown, path: ConfigPath): unknown {
  let v = obj;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

/** A number input's text as a config value: empty or unparsable text becomes NaN, which validation names. */
export function numberFrom(text: string): number {
  return text.trim() === '' ? NaN : Number(text);
}

export type OptimizerKind = TrainConfig['optimizer']['kind'];
export type DecayKind = TrainConfig['schedule']['decay']['kind'];
export type CropKind = TrainConfig['augmentation']['crop']['kind'];

export function withOptimizer(c: TrainConfig, kind: OptimizerKind): TrainConfig {
  const { lr, weightDecay } = c.optimizer;
  const optimizer: TrainConfig['optimizer'] =
    kind === 'sgd'
      ? { kind, lr, momentum: 0.9, nesterov: false, weightDecay }
      : kind === 'adamw'
        ? { kind, lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay }
        : { kind, lr, momentum: 0.9, weightDecay, trustCoefficient: 0.001, eps: 1e-8 };
  return { ...c, optimizer };
}

export function withDecay(c: TrainConfig, kind: DecayKind): TrainConfig {
  const decay: TrainConfig['schedule']['decay'] =
    kind === 'cosine'
      ? { kind, minLr: 0 }
      : kind === 'multistep'
        ? {
            kind,
            milestones: [...new Set([Math.ceil(c.epochs / 2), Math.ceil((c.epochs * 3) / 4)])],
            gamma: 0.1,
          }
        : { kind };
  return { ...c, schedule: { ...c.schedule, decay } };
}

export function withCrop(c: TrainConfig, kind: CropKind): TrainConfig {
  const s = c.data.cropSize;
  const crop: TrainConfig['augmentation']['crop'] =
    kind === 'random-resized'
      ? { kind, scale: [0.08, 1], ratio: [3 / 4, 4 / 3] }
      : kind === 'multi-scale'
        ? { kind, scales: [1, 0.875, 0.75, 0.66], maxWhScaleGap: 1, randomCrop: false }
        : kind === 'jitter-scale'
          ? { kind, shortSide: [Math.round((s * 8) / 7), Math.round((s * 10) / 7)] }
          : { kind };
  return { ...c, augmentation: { ...c.augmentation, crop } };
}

/** Problems by dotted path, with the paths no form field shows listed apart. */
export function problemsByPath(
  problems: readonly ConfigProblem[],
  shown: ReadonlySet<string>,
): { byPath: ReadonlyMap<string, string>; other: readonly ConfigProblem[] } {
  const byPath = new Map<string, string>();
  const other: ConfigProblem[] = [];
  for (const p of problems) {
    const key = [...shown]
      .filter((s) => p.path === s || p.path.startsWith(`${s}.`))
      .sort((a, b) => b.length - a.length)[0];
    if (key === undefined) other.push(p);
    else if (!byPath.has(key)) byPath.set(key, p.message);
  }
  return { byPath, other };
}
