// PyTorch state_dicts in and out of zoo models (compute worker): load with a report of missing, unexpected and
// shape-mismatched keys (strict or not), and read a model out as PyTorch-layout tensors under the same names.
import { tf } from '../tf.ts';
import { TubeletError } from '../../shared/errors.ts';
import { toFloat32, type WeightTensor } from '../weights/dtypes.ts';
import {
  conv2dWeightFromTf,
  conv2dWeightToTf,
  conv3dWeightFromTf,
  conv3dWeightToTf,
  linearWeightToTf,
} from '../weights/layout.ts';
import type { NamedVariable, ParamLayout } from '../nn/module.ts';
import type { ZooModel } from './zooModel.ts';

export interface ShapeMismatch {
  readonly key: string;
  /** PyTorch-layout shapes */
  readonly expected: readonly number[];
  readonly got: readonly number[];
}

export interface LoadReport {
  readonly loaded: readonly string[];
  /** in the model, not in the file: they keep their current (initial) values */
  readonly missing: readonly string[];
  /** in the file, not in the model: ignored */
  readonly unexpected: readonly string[];
  /** in both with different shapes (e.g. a classifier for another number of classes): not loaded */
  readonly mismatched: readonly ShapeMismatch[];
}

export interface LoadOptions {
  /** refuse (nothing is loaded) unless every key matches; default true, as PyTorch */
  readonly strict?: boolean;
  /** maps a file key to the model's key (null drops it); default identity (torchvision names) */
  readonly mapKey?: (key: string) => string | null;
  /** names the source in error messages */
  readonly fileName?: string;
}

/** The PyTorch shape of a variable stored in our layout. */
export function torchShape(shape: readonly number[], layout: ParamLayout): number[] {
  if (layout.kind === 'conv3d') return [shape[4], shape[3], shape[0], shape[1], shape[2]] as number[];
  if (layout.kind === 'conv2d') return [shape[4], shape[3], shape[1], shape[2]] as number[];
  if (layout.kind === 'linear') return [shape[1], shape[0]] as number[];
  if (layout.kind === 'conv1d') return [shape[2], shape[1], shape[0]] as number[];
  return [...shape];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** A PyTorch-layout tensor in our layout for `layout`. */
export function toOurLayout(t: WeightTensor, layout: ParamLayout): WeightTensor {
  if (layout.kind === 'conv3d') return conv3dWeightToTf(t);
  if (layout.kind === 'conv2d') {
    const w = conv2dWeightToTf(t);
    return { ...w, shape: [1, ...w.shape] };
  }
  if (layout.kind === 'linear') return linearWeightToTf(t);
  if (layout.kind === 'conv1d') {
    // [out, in, k] is the conv2d [out, in, 1, k]: → [1, k, in, out] → [k, in, out]
    const [o = 0, i = 0, k = 0] = t.shape;
    const w = conv2dWeightToTf({ ...t, shape: [o, i, 1, k] });
    return { ...w, shape: w.shape.slice(1) };
  }
  return t;
}

/** A tensor in our layout for `layout`, in PyTorch's layout. */
export function toTorchLayout(ours: WeightTensor, layout: ParamLayout): WeightTensor {
  if (layout.kind === 'conv3d') return conv3dWeightFromTf(ours);
  if (layout.kind === 'conv2d') return conv2dWeightFromTf({ ...ours, shape: ours.shape.slice(1) });
  if (layout.kind === 'linear') return linearWeightToTf(ours);
  if (layout.kind === 'conv1d') {
    const w = conv2dWeightFromTf({ ...ours, shape: [1, ...ours.shape] });
    return { ...w, shape: torchShape(ours.shape, layout) };
  }
  return ours;
}

function valuesFor(t: WeightTensor, target: tf.Variable): Float32Array | Int32Array {
  if (target.dtype === 'int32') {
    const out = new Int32Array(t.data.length);
    for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i] ?? 0);
    return out;
  }
  return toFloat32(t);
}

/** Plans a load without touching the model. */
export function planLoad(
  entries: ReadonlyMap<string, NamedVariable>,
  weights: ReadonlyMap<string, WeightTensor>,
  mapKey: (key: string) => string | null = (k) => k,
): LoadReport & { readonly pairs: readonly (readonly [NamedVariable, WeightTensor, string])[] } {
  const mapped = new Map<string, WeightTensor>();
  const unexpected: string[] = [];
  for (const [key, t] of weights) {
    const ours = mapKey(key);
    if (ours !== null && entries.has(ours)) mapped.set(ours, t);
    else unexpected.push(key);
  }
  const loaded: string[] = [];
  const missing: string[] = [];
  const mismatched: ShapeMismatch[] = [];
  const pairs: [NamedVariable, WeightTensor, string][] = [];
  for (const [key, nv] of entries) {
    const t = mapped.get(key);
    if (!t) {
      missing.push(key);
      continue;
    }
    const expected = torchShape(nv.variable.shape, nv.layout);
    if (!sameShape(expected, t.shape)) {
      mismatched.push({ key, expected, got: [...t.shape] });
      continue;
    }
    loaded.push(key);
    pairs.push([nv, t, key]);
  }
  return { loaded, missing, unexpected, mismatched, pairs };
}

/** One line per problem, for the UI and the CLI. */
export function describeLoad(r: LoadReport): string {
  const lines = [`loaded ${r.loaded.length} tensors`];
  if (r.missing.length) lines.push(`missing (kept as initialised): ${r.missing.join(', ')}`);
  if (r.unexpected.length) lines.push(`unexpected (ignored): ${r.unexpected.join(', ')}`);
  for (const m of r.mismatched) {
    lines.push(
      `shape mismatch (not loaded): ${m.key} is [${m.expected.join(', ')}] here, [${m.got.join(', ')}] in the file`,
    );
  }
  return lines.join('\n');
}

/**
 * Loads PyTorch-layout tensors (torchvision names) into the model. Strict (default) loads nothing and throws
 * INVALID_ARGUMENT listing the problems unless every key matches; non-strict loads what matches and reports the rest.
 */
export function loadStateDict(
  model: ZooModel,
  weights: ReadonlyMap<string, WeightTensor>,
  opts: LoadOptions = {},
): LoadReport {
  const plan = planLoad(model.stateEntries(), weights, opts.mapKey);
  const { pairs, ...report } = plan;
  const clean = !report.missing.length && !report.unexpected.length && !report.mismatched.length;
  if ((opts.strict ?? true) && !clean) {
    throw new TubeletError(
      'INVALID_ARGUMENT',
      `${opts.fileName ?? 'the weights'} do not match ${model.name} (${report.missing.length} missing, ` +
        `${report.unexpected.length} unexpected, ${report.mismatched.length} shape-mismatched keys)`,
      {
        hint: 'load non-strictly to keep mismatched keys (e.g. a classifier for another dataset) as initialised',
        details: describeLoad(report),
      },
    );
  }
  for (const [nv, t] of pairs) {
    const ours = toOurLayout(t, nv.layout);
    tf.tidy(() => {
      nv.variable.assign(tf.tensor(valuesFor(ours, nv.variable), ours.shape, nv.variable.dtype));
    });
  }
  return report;
}

/** The model's state_dict in PyTorch layout and names: float32 tensors, num_batches_tracked as int64. */
export async function exportStateDict(model: ZooModel): Promise<Map<string, WeightTensor>> {
  const out = new Map<string, WeightTensor>();
  for (const [key, nv] of model.stateEntries()) {
    const data = await nv.variable.data();
    if (nv.variable.dtype === 'int32') {
      out.set(key, {
        dtype: 'int64',
        shape: [...nv.variable.shape],
        data: BigInt64Array.from(data, (v) => BigInt(v)),
      });
      continue;
    }
    const ours: WeightTensor = {
      dtype: 'float32',
      shape: [...nv.variable.shape],
      data,
    };
    out.set(key, toTorchLayout(ours, nv.layout));
  }
  return out;
}
