// Finds the model state dict inside a flattened checkpoint (training wrappers, DataParallel, torch.compile, a user
// prefix such as 'backbone.') and reports what it unwrapped. Pure; compute worker (and Node for tests).
import { TubeletError } from '../../shared/errors.ts';

/**
 * Containers tried in this order (the first present wins): names that are never module names are taken outright;
 * 'model', 'module', 'net' and 'network' only when every other top-level group is training state (TRAINING_STATE),
 * so a plain state dict of a model with a submodule called `model` is left alone. EMA containers come first when
 * `preferEma` is set, last otherwise.
 */
export const STATE_DICT_CONTAINERS = [
  'state_dict',
  'model_state',
  'model_state_dict',
  'model',
  'module',
  'net',
  'network',
] as const;
export const EMA_CONTAINERS = ['state_dict_ema', 'model_ema', 'ema_state_dict', 'ema'] as const;
const WEAK = new Set(['model', 'module', 'net', 'network', 'ema']);
// prettier-ignore
const TRAINING_STATE = new Set([
  'optimizer', 'optimizer_state', 'optimizer_state_dict', 'optim', 'lr_scheduler', 'scheduler', 'scaler',
  'grad_scaler', 'amp', 'meta', 'message_hub', 'args', 'config', 'cfg', 'epoch', 'iter', 'step', 'best_acc',
  ...STATE_DICT_CONTAINERS, ...EMA_CONTAINERS,
]);
/** Prefixes stripped while every key has them: DataParallel/DistributedDataParallel and torch.compile wrappers. */
const WRAPPER_PREFIXES = ['module.', '_orig_mod.'];

export interface UnwrapOptions {
  /** Take EMA weights ('state_dict_ema', 'model_ema', …) when the checkpoint holds them. */
  preferEma?: boolean;
  /** Keep only names under this prefix and strip it (e.g. 'backbone.' to load an MMAction2 backbone). */
  prefix?: string;
}

export interface UnwrapReport {
  /** The container taken ('state_dict', …), or null when the names already were a state dict. */
  container: string | null;
  /** Prefixes removed from every kept name, in the order removed. */
  stripped: string[];
  /** Groups left out (first name segment where they were dropped) and how many tensors each held. */
  dropped: { group: string; tensors: number }[];
  /** How many tensors were kept. */
  kept: number;
}

export interface Unwrapped<T> {
  tensors: Map<string, T>;
  report: UnwrapReport;
}

const groupOf = (name: string): string => name.split('.', 1)[0] ?? name;

function countGroups(names: Iterable<string>): { group: string; tensors: number }[] {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(groupOf(n), (counts.get(groupOf(n)) ?? 0) + 1);
  return [...counts].map(([group, tensors]) => ({ group, tensors }));
}

/** Keeps the names under `prefix` (stripped); the rest are returned as dropped. */
function underPrefix<T>(
  map: ReadonlyMap<string, T>,
  prefix: string,
): { kept: Map<string, T>; rest: string[] } {
  const kept = new Map<string, T>();
  const rest: string[] = [];
  for (const [name, value] of map) {
    if (name.startsWith(prefix) && name.length > prefix.length) kept.set(name.slice(prefix.length), value);
    else rest.push(name);
  }
  return { kept, rest };
}

/**
 * Picks the model state dict out of a flattened checkpoint (see readPth), then strips wrapper prefixes and
 * `options.prefix`. Works on any value type (tensors, or lazy refs before loading).
 */
export function unwrapStateDict<T>(flat: ReadonlyMap<string, T>, options: UnwrapOptions = {}): Unwrapped<T> {
  let current = new Map(flat);
  const report: UnwrapReport = { container: null, stripped: [], dropped: [], kept: 0 };
  const groups = new Set([...current.keys()].map(groupOf));
  const order =
    options.preferEma === true
      ? [...EMA_CONTAINERS, ...STATE_DICT_CONTAINERS]
      : [...STATE_DICT_CONTAINERS, ...EMA_CONTAINERS];
  const othersAreTrainingState = (c: string): boolean =>
    [...groups].every((g) => g === c || TRAINING_STATE.has(g));
  const container = order.find((c) => groups.has(c) && (!WEAK.has(c) || othersAreTrainingState(c)));
  if (container !== undefined) {
    const { kept, rest } = underPrefix(current, `${container}.`);
    report.container = container;
    report.dropped.push(...countGroups(rest));
    current = kept;
  }

  for (let again = true; again;) {
    again = false;
    for (const wrapper of WRAPPER_PREFIXES) {
      const names = [...current.keys()];
      if (names.length > 0 && names.every((n) => n.startsWith(wrapper) && n.length > wrapper.length)) {
        current = underPrefix(current, wrapper).kept;
        report.stripped.push(wrapper);
        again = true;
      }
    }
  }

  if (options.prefix !== undefined && options.prefix !== '') {
    const { kept, rest } = underPrefix(current, options.prefix);
    if (kept.size === 0) {
      const found = [...new Set([...current.keys()].map(groupOf))].slice(0, 8).join(', ');
      throw new TubeletError(
        'INVALID_ARGUMENT',
        `no weight name starts with '${options.prefix}' (found: ${found})`,
      );
    }
    report.stripped.push(options.prefix);
    report.dropped.push(...countGroups(rest));
    current = kept;
  }
  report.kept = current.size;
  return { tensors: current, report };
}

/** One line for the UI: `took 'state_dict', stripped 'module.', dropped optimizer (120), kept 62 tensors`. */
export function describeUnwrap(report: UnwrapReport): string {
  const parts: string[] = [];
  if (report.container !== null) parts.push(`took '${report.container}'`);
  if (report.stripped.length > 0) parts.push(`stripped ${report.stripped.map((p) => `'${p}'`).join(', ')}`);
  if (report.dropped.length > 0) {
    parts.push(`dropped ${report.dropped.map((d) => `${d.group} (${d.tensors})`).join(', ')}`);
  }
  parts.push(`kept ${report.kept} tensors`);
  return parts.join(', ');
}
