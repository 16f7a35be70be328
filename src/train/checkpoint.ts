// Training checkpoints as data (compute worker): the full state of a run (weights, BN buffers, optimizer slots and
// step, schedule/sampler position, RNG state, metric history, config) as one JSON header plus one f32 blob.
// Storage (atomic IndexedDB writes, retention) lives in src/data/store/checkpointStore.ts.
import { tf } from '../models/tf.ts';
import { TubeletError } from '../shared/errors.ts';
import { parseTrainConfig, type TrainConfig } from './config.ts';
import type { Trainer, TrainerSnapshot } from './loop.ts';
import type { OptimizerState } from './optimizers.ts';

export const CHECKPOINT_FORMAT = 'tubelet-train-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** One tensor in the blob: f32 elements [offset, offset + length). */
export interface TensorEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly length: number;
}

export interface CheckpointMeta {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: number;
  readonly model: string;
  readonly config: TrainConfig;
  readonly trainer: TrainerSnapshot;
  readonly optimizer: { readonly kind: OptimizerState['kind']; readonly step: number };
  /** `param/<name>`, `buffer/<name>`, `opt/<param>/<slot>`. */
  readonly tensors: readonly TensorEntry[];
}

export interface CheckpointPayload {
  readonly meta: CheckpointMeta;
  readonly data: Float32Array;
}

/** Reads every tensor of the run back from the GPU (async) into one payload. */
export async function captureCheckpoint(trainer: Trainer): Promise<CheckpointPayload> {
  const parts: { name: string; shape: number[]; data: Float32Array }[] = [];
  const read = async (name: string, v: tf.Tensor): Promise<void> => {
    parts.push({ name, shape: [...v.shape], data: (await v.data()) as Float32Array });
  };
  for (const [name, v] of trainer.model.parameters()) await read(`param/${name}`, v);
  for (const [name, v] of trainer.model.buffers()) await read(`buffer/${name}`, v);
  const opt = await trainer.optimizer.getState();
  for (const [param, slots] of Object.entries(opt.slots)) {
    for (const [slot, s] of Object.entries(slots))
      parts.push({ name: `opt/${param}/${slot}`, shape: s.shape, data: s.data });
  }
  let offset = 0;
  const tensors: TensorEntry[] = parts.map((p) => {
    const e = { name: p.name, shape: p.shape, offset, length: p.data.length };
    offset += p.data.length;
    return e;
  });
  const data = new Float32Array(offset);
  parts.forEach((p, i) => {
    data.set(p.data, tensors[i]?.offset ?? 0);
  });
  return {
    meta: {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      model: trainer.model.name,
      config: trainer.config,
      trainer: trainer.snapshot(),
      optimizer: { kind: opt.kind, step: opt.step },
      tensors,
    },
    data,
  };
}

function bad(message: string): TubeletError {
  return new TubeletError('INVALID_ARGUMENT', `checkpoint: ${message}`, {
    hint: 'Resume with the model and dataset the run was started with, or start a new run.',
  });
}

/** Parses and checks a stored header (JSON text). */
export function parseCheckpointMeta(json: string): CheckpointMeta {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (cause) {
    throw bad(`header is not JSON (${String(cause)})`);
  }
  const m = v as Partial<CheckpointMeta> | null;
  if (m?.format !== CHECKPOINT_FORMAT) throw bad(`unknown format ${JSON.stringify(m?.format)}`);
  if (m.version !== CHECKPOINT_VERSION)
    throw bad(`version ${String(m.version)} is not ${CHECKPOINT_VERSION}`);
  if (!m.trainer || !m.optimizer || !Array.isArray(m.tensors) || typeof m.model !== 'string') {
    throw bad('header lacks trainer, optimizer, tensors or model');
  }
  return { ...(m as CheckpointMeta), config: parseTrainConfig(m.config) };
}

/** Puts a payload's state into `trainer` (built with the same config, model architecture and dataset). */
export function restoreCheckpoint(trainer: Trainer, payload: CheckpointPayload): void {
  const { meta, data } = payload;
  if (meta.model !== trainer.model.name)
    throw bad(`was written by model ${meta.model}, not ${trainer.model.name}`);
  if (JSON.stringify(meta.config) !== JSON.stringify(trainer.config)) {
    throw bad(`config differs from the run's (resume with the checkpoint's own config)`);
  }
  const byName = new Map(meta.tensors.map((t) => [t.name, t]));
  const total = meta.tensors.reduce((a, t) => Math.max(a, t.offset + t.length), 0);
  if (total > data.length) throw bad(`blob has ${data.length} floats, the header needs ${total}`);
  const slice = (name: string, shape: readonly number[]): Float32Array => {
    const e = byName.get(name);
    if (!e) throw bad(`has no tensor ${name}`);
    if (e.shape.join() !== shape.join())
      throw bad(`${name} has shape [${e.shape.join(',')}], model has [${shape.join(',')}]`);
    return data.subarray(e.offset, e.offset + e.length);
  };
  const assignments: [tf.Variable, Float32Array][] = [];
  for (const [name, v] of trainer.model.parameters()) assignments.push([v, slice(`param/${name}`, v.shape)]);
  for (const [name, v] of trainer.model.buffers()) assignments.push([v, slice(`buffer/${name}`, v.shape)]);
  const slots: OptimizerState['slots'] = {};
  for (const e of meta.tensors) {
    const m = /^opt\/(.+)\/([^/]+)$/.exec(e.name);
    if (!m?.[1] || !m[2]) continue;
    const param = m[1];
    const entry = (slots[param] ??= {});
    entry[m[2]] = { shape: [...e.shape], data: data.slice(e.offset, e.offset + e.length) };
  }
  // every check passed: now change state
  for (const [v, values] of assignments) {
    tf.tidy(() => {
      // the blob is f32; integer buffers (BatchNorm num_batches_tracked) go back to their own dtype
      const t = tf.tensor(values, v.shape, 'float32');
      v.assign(v.dtype === 'float32' ? t : tf.cast(t, v.dtype));
    });
  }
  trainer.optimizer.setState({ kind: meta.optimizer.kind, step: meta.optimizer.step, slots });
  trainer.restore(meta.trainer);
}
