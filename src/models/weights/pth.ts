// Reads torch.save checkpoints (the zip format of PyTorch ≥ 1.6): zip → restricted unpickle of data.pkl → tensors
// from data/<key> entries, flattened to dotted names. Pure; compute worker (and Node for tests).
import type { TubeletError } from '../../shared/errors.ts';
import {
  DTYPE_SIZE,
  assertLittleEndianHost,
  toFloat32,
  typedFromBytes,
  weightsError,
  type WeightTensor,
} from './dtypes.ts';
import { isContiguous, stridedCopy } from './layout.ts';
import { PickleOpaque, PickleTuple, TensorRef, type PickleValue, type StorageRef } from './pickleValues.ts';
import { unpickle } from './unpickle.ts';
import { openZip, type ZipArchive } from './zip.ts';

export interface PthReadOptions {
  /** Skip objects of unknown classes (training metadata) instead of refusing the file; see unpickle.ts. */
  lenient?: boolean;
  /** Convert float16, bfloat16 and float64 tensors to float32. */
  toFloat32?: boolean;
  /** Check zip CRC-32s (default true). */
  verifyCrc?: boolean;
}

export interface PthCheckpoint {
  /** The unpickled object (tensors appear as lazy TensorRefs). */
  readonly root: PickleValue;
  /** Every tensor in the object, by dotted path (`state_dict.layer1.0.conv1.weight`); '' for a bare tensor. */
  readonly tensors: ReadonlyMap<string, TensorRef>;
  /** Unknown globals that lenient mode skipped (e.g. 'argparse.Namespace'). */
  readonly skipped: readonly string[];
  /** Loads one tensor: a view into the file when stored contiguous and aligned, else a copy. */
  load(ref: TensorRef): Promise<WeightTensor>;
}

const RESAVE_HINT =
  'In Python, with a file you trust: sd = torch.load(path, map_location="cpu"); ' +
  'torch.save(sd, "new.pth") (PyTorch ≥ 1.6 writes the zip format), or save a .safetensors file.';
const MAX_DEPTH = 64;

/** True when `bytes` start like a ZIP archive (PyTorch ≥ 1.6 checkpoints, TorchScript, npz). */
export function isZip(bytes: Uint8Array): boolean {
  return (
    bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && bytes[3] === bytes[2] + 1
  );
}

/** Opens a torch.save zip checkpoint: unpickles it and finds its tensors without loading them. */
export async function openPth(
  bytes: Uint8Array,
  fileName: string,
  options: PthReadOptions = {},
): Promise<PthCheckpoint> {
  assertLittleEndianHost(fileName);
  if (!isZip(bytes)) {
    const legacy = bytes[0] === 0x80 && (bytes[1] ?? 0) >= 2 && (bytes[1] ?? 0) <= 5;
    throw weightsError(
      'WEIGHTS_UNSUPPORTED',
      fileName,
      legacy
        ? 'is a legacy (pre-1.6) torch.save file or a plain pickle, which Tubelet does not read; re-save it with torch.save(model.state_dict(), path) from PyTorch ≥ 1.6'
        : 'is not a torch.save checkpoint (no ZIP signature)',
      RESAVE_HINT,
    );
  }
  const zip = openZip(
    bytes,
    fileName,
    options.verifyCrc === undefined ? {} : { verifyCrc: options.verifyCrc },
  );
  const top = findTop(zip, fileName);
  const byteorder = zip.get(`${top}/byteorder`);
  const bigEndian =
    byteorder !== undefined && new TextDecoder().decode(await zip.read(byteorder)).trim() === 'big';
  const pickle = await zip.read(`${top}/data.pkl`);
  const { value, skipped } = unpickle(pickle, fileName, options.lenient === true ? { lenient: true } : {});
  const tensors = flatten(value, fileName);

  const storages = new Map<string, Promise<Uint8Array>>();
  const storageBytes = (s: StorageRef): Promise<Uint8Array> => {
    let found = storages.get(s.key);
    if (!found) {
      found = readStorage(zip, `${top}/data/${s.key}`, s, bigEndian, fileName);
      storages.set(s.key, found);
    }
    return found;
  };
  const load = async (ref: TensorRef): Promise<WeightTensor> => {
    const { storage, offset, shape, stride } = ref;
    const raw = await storageBytes(storage);
    const size = DTYPE_SIZE[storage.dtype];
    const numel = shape.reduce((a, b) => a * b, 1);
    let data;
    if (isContiguous(shape, stride)) {
      data = typedFromBytes(storage.dtype, raw.subarray(offset * size, (offset + numel) * size), numel);
    } else {
      data = stridedCopy(typedFromBytes(storage.dtype, raw, storage.numel), shape, stride, offset);
    }
    const tensor: WeightTensor = { dtype: storage.dtype, shape: [...shape], data };
    const narrowOrWide =
      tensor.dtype === 'float16' || tensor.dtype === 'bfloat16' || tensor.dtype === 'float64';
    if (options.toFloat32 === true && narrowOrWide)
      return { dtype: 'float32', shape: tensor.shape, data: toFloat32(tensor) };
    return tensor;
  };
  return { root: value, tensors, skipped, load };
}

/** All tensors of a torch.save checkpoint by dotted name (nested dicts, lists and tuples flattened). */
export async function readPth(
  bytes: Uint8Array,
  fileName: string,
  options: PthReadOptions = {},
): Promise<Map<string, WeightTensor>> {
  const checkpoint = await openPth(bytes, fileName, options);
  const out = new Map<string, WeightTensor>();
  for (const [name, ref] of checkpoint.tensors) out.set(name, await checkpoint.load(ref));
  return out;
}

/** The archive's top folder: the one holding data.pkl (its name is the file's stem at save time, or 'archive'). */
function findTop(zip: ZipArchive, fileName: string): string {
  const tops = zip.entries
    .map((e) => /^([^/]+)\/data\.pkl$/.exec(e.name)?.[1])
    .filter((t) => t !== undefined);
  const first = tops[0];
  if (first === undefined || tops.length > 1) {
    throw weightsError(
      'WEIGHTS_MALFORMED',
      fileName,
      first === undefined
        ? 'is a ZIP archive but not a torch.save checkpoint (no <folder>/data.pkl)'
        : 'holds several checkpoints',
    );
  }
  if (zip.get(`${first}/constants.pkl`) || zip.entries.some((e) => e.name.startsWith(`${first}/code/`))) {
    throw weightsError(
      'WEIGHTS_UNSUPPORTED',
      fileName,
      'is a TorchScript archive (torch.jit.save), which Tubelet does not read',
      'Save the weights instead: torch.save(model.state_dict(), "weights.pth").',
    );
  }
  return first;
}

async function readStorage(
  zip: ZipArchive,
  name: string,
  storage: StorageRef,
  bigEndian: boolean,
  fileName: string,
): Promise<Uint8Array> {
  const entry = zip.get(name);
  if (!entry)
    throw weightsError('WEIGHTS_MALFORMED', fileName, `storage '${storage.key}' has no entry '${name}'`);
  const size = DTYPE_SIZE[storage.dtype];
  if (entry.size !== storage.numel * size) {
    throw weightsError(
      'WEIGHTS_MALFORMED',
      fileName,
      `storage '${storage.key}' holds ${entry.size} bytes, not ${storage.numel} × ${size} for ${storage.dtype}`,
    );
  }
  const raw = await zip.read(entry);
  if (!bigEndian || size === 1) return raw;
  const swapped = new Uint8Array(raw.byteLength);
  for (let i = 0; i < raw.byteLength; i += size) {
    for (let k = 0; k < size; k++) swapped[i + k] = raw[i + size - 1 - k] ?? 0;
  }
  return swapped;
}

/** Dotted paths of every TensorRef under `root`; containers reached twice (or cyclically) are walked once. */
function flatten(root: PickleValue, fileName: string): Map<string, TensorRef> {
  const out = new Map<string, TensorRef>();
  const seen = new Set<object>();
  const fail = (message: string): TubeletError => weightsError('WEIGHTS_MALFORMED', fileName, message);
  const visit = (value: PickleValue, path: string, depth: number): void => {
    if (value instanceof TensorRef) {
      if (out.has(path)) throw fail(`two tensors are both named '${path}'`);
      out.set(path, value);
      return;
    }
    const children: [string, PickleValue][] = [];
    if (value instanceof Map || value instanceof PickleOpaque) {
      for (const [k, v] of value instanceof Map ? value : value.items) {
        if (typeof k === 'string' || typeof k === 'number' || typeof k === 'bigint')
          children.push([String(k), v]);
      }
      if (value instanceof PickleOpaque) value.list.forEach((v, i) => children.push([String(i), v]));
    } else if (Array.isArray(value) || value instanceof PickleTuple) {
      const items = Array.isArray(value) ? value : value.items;
      items.forEach((v, i) => children.push([String(i), v]));
    } else {
      return; // scalars, strings, bytes, sets, globals
    }
    if (seen.has(value)) return;
    seen.add(value);
    if (depth > MAX_DEPTH) throw fail(`nests containers deeper than ${MAX_DEPTH} levels`);
    for (const [k, v] of children) visit(v, path === '' ? k : `${path}.${k}`, depth + 1);
  };
  visit(root, '', 0);
  return out;
}
