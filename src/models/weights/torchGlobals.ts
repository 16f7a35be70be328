// The allowlist of Python globals a checkpoint may name, and what each means here, written as TypeScript that only
// builds plain data (tensor rebuilds become lazy TensorRefs). Pure; compute worker (and Node for tests).
import { TubeletError } from '../../shared/errors.ts';
import { copyBytes, numelOf, type WeightDtype } from './dtypes.ts';
import {
  PickleGlobal,
  PickleTuple,
  StorageRef,
  TensorRef,
  describe,
  type PickleValue,
} from './pickleValues.ts';

export interface CallContext {
  /** A WEIGHTS_MALFORMED error naming the file. */
  fail(message: string): TubeletError;
  /** A WEIGHTS_UNSUPPORTED error naming the file. */
  unsupported(message: string): TubeletError;
  /** Calls another allowed global (for torch._tensor._rebuild_from_type_v2). */
  call(target: PickleValue, args: readonly PickleValue[]): PickleValue;
}

type Call = (args: readonly PickleValue[], ctx: CallContext) => PickleValue;

export type GlobalRole =
  /** A function or class we emulate; `construct` also allows NEWOBJ/INST/OBJ (class instantiation). */
  | { kind: 'call'; call: Call; construct: boolean }
  /** A torch storage class, only meaningful inside a persistent id. */
  | { kind: 'storage'; dtype: WeightDtype }
  /** A class only passed around as a value (torch.Tensor as _rebuild_from_type_v2's new_type). */
  | { kind: 'class' };

const STORAGES: Readonly<Record<string, WeightDtype>> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

const isIndex = (v: PickleValue | undefined): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function intTuple(value: PickleValue | undefined, what: string, ctx: CallContext): number[] {
  if (!(value instanceof PickleTuple)) throw ctx.fail(`${what} is ${describe(value ?? null)}, not a tuple`);
  const out: number[] = [];
  for (const v of value.items) {
    if (!isIndex(v)) throw ctx.fail(`${what} holds ${describe(v)}, not a non-negative integer`);
    out.push(v);
  }
  return out;
}

/** torch._utils._rebuild_tensor(_v2)(storage, storage_offset, size, stride, …), checked against the storage. */
function rebuildTensor(args: readonly PickleValue[], ctx: CallContext, fn: string): TensorRef {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef))
    throw ctx.fail(`${fn} got ${describe(storage ?? null)} for its storage`);
  if (!isIndex(offset)) throw ctx.fail(`${fn} got ${describe(offset ?? null)} for its storage offset`);
  const shape = intTuple(size, `${fn}'s size`, ctx);
  const strides = intTuple(stride, `${fn}'s stride`, ctx);
  if (shape.length !== strides.length)
    throw ctx.fail(`${fn}: size has ${shape.length} dims, stride ${strides.length}`);
  const numel = numelOf(shape);
  if (numel === null) throw ctx.fail(`${fn}: size [${shape.join(', ')}] is too large`);
  let last = offset;
  shape.forEach((d, i) => (last += d > 0 ? (d - 1) * (strides[i] ?? 0) : 0));
  if (numel > 0 && (!Number.isSafeInteger(last) || last >= storage.numel)) {
    throw ctx.fail(
      `tensor of size [${shape.join(', ')}], stride [${strides.join(', ')}], offset ${offset} ` +
        `reaches element ${last} of storage '${storage.key}' with ${storage.numel}`,
    );
  }
  return new TensorRef(storage, offset, shape, strides);
}

function rebuildTensorV2(args: readonly PickleValue[], ctx: CallContext): TensorRef {
  const fn = '_rebuild_tensor_v2';
  if (args.length !== 6 && args.length !== 7)
    throw ctx.fail(`${fn} got ${args.length} arguments, not 6 or 7`);
  if (typeof args[4] !== 'boolean')
    throw ctx.fail(`${fn} got ${describe(args[4] ?? null)} for requires_grad`);
  const hooks = args[5];
  if (!(hooks instanceof Map) || hooks.size > 0)
    throw ctx.fail(`${fn} got ${describe(hooks ?? null)} for its hooks`);
  return rebuildTensor(args, ctx, fn);
}

function rebuildParameter(args: readonly PickleValue[], ctx: CallContext): PickleValue {
  const [data, requiresGrad] = args;
  if (
    !(data instanceof TensorRef) ||
    typeof requiresGrad !== 'boolean' ||
    args.length < 3 ||
    args.length > 4
  ) {
    throw ctx.fail(`_rebuild_parameter got (${args.map(describe).join(', ')})`);
  }
  return data; // hooks (an empty OrderedDict) and Python attributes (state) do not matter for weights
}

/** torch._tensor._rebuild_from_type_v2(func, new_type, args, state): `func(*args)` when new_type is a plain tensor. */
function rebuildFromType(args: readonly PickleValue[], ctx: CallContext): PickleValue {
  const [func, newType, inner] = args;
  const plain = ['torch.Tensor', 'torch._tensor.Tensor', 'torch.nn.parameter.Parameter'];
  if (!(newType instanceof PickleGlobal) || !plain.includes(newType.qualifiedName)) {
    throw ctx.fail(`_rebuild_from_type_v2 asks for tensor type ${describe(newType ?? null)}`);
  }
  if (!(inner instanceof PickleTuple)) throw ctx.fail(`_rebuild_from_type_v2 got ${describe(inner ?? null)}`);
  const result = ctx.call(func ?? null, inner.items);
  if (!(result instanceof TensorRef)) throw ctx.fail('_rebuild_from_type_v2 did not rebuild a tensor');
  return result;
}

function orderedDict(args: readonly PickleValue[], ctx: CallContext): PickleValue {
  const out = new Map<PickleValue, PickleValue>();
  if (args.length === 0) return out;
  const [items] = args;
  const list = Array.isArray(items) ? items : items instanceof PickleTuple ? items.items : null;
  if (args.length !== 1 || list === null)
    throw ctx.fail(`OrderedDict got (${args.map(describe).join(', ')})`);
  for (const pair of list) {
    const kv = Array.isArray(pair) ? pair : pair instanceof PickleTuple ? pair.items : [];
    if (kv.length !== 2) throw ctx.fail(`OrderedDict got ${describe(pair)} for a (key, value) pair`);
    out.set(kv[0] ?? null, kv[1] ?? null);
  }
  return out;
}

function encodeString(
  text: PickleValue | undefined,
  encoding: PickleValue | undefined,
  ctx: CallContext,
): Uint8Array {
  if (typeof text !== 'string') throw ctx.fail(`cannot encode ${describe(text ?? null)} to bytes`);
  if (encoding === undefined || encoding === 'utf-8' || encoding === 'utf8')
    return new TextEncoder().encode(text);
  if (encoding !== 'latin1' && encoding !== 'latin-1')
    throw ctx.fail(`unsupported text encoding ${describe(encoding)}`);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 255) throw ctx.fail('latin-1 text holds a character beyond U+00FF');
    out[i] = c;
  }
  return out;
}

function toSet(args: readonly PickleValue[], ctx: CallContext): PickleValue {
  const [items] = args;
  if (args.length === 0) return new Set();
  const list = Array.isArray(items) ? items : items instanceof PickleTuple ? items.items : null;
  if (list === null) throw ctx.fail(`set got ${describe(items ?? null)}`);
  return new Set(list);
}

function bytearray(args: readonly PickleValue[], ctx: CallContext): PickleValue {
  const [first, second] = args;
  if (first === undefined) return new Uint8Array(0);
  if (first instanceof Uint8Array) return copyBytes(first);
  return encodeString(first, second, ctx);
}

const call = (fn: Call, construct = false): GlobalRole => ({ kind: 'call', call: fn, construct });

const ROLES: ReadonlyMap<string, GlobalRole> = new Map<string, GlobalRole>([
  ['collections.OrderedDict', call(orderedDict, true)],
  ['torch._utils._rebuild_tensor_v2', call(rebuildTensorV2)],
  ['torch._utils._rebuild_tensor', call((args, ctx) => rebuildTensor(args, ctx, '_rebuild_tensor'))],
  ['torch._utils._rebuild_parameter', call(rebuildParameter)],
  ['torch._utils._rebuild_parameter_with_state', call(rebuildParameter)],
  ['torch._tensor._rebuild_from_type_v2', call(rebuildFromType)],
  ['torch.Size', call((args, ctx) => new PickleTuple(intTuple(args[0], 'torch.Size', ctx)), true)],
  ['_codecs.encode', call((args, ctx) => encodeString(args[0], args[1], ctx))],
  ['builtins.bytearray', call(bytearray, true)],
  ['__builtin__.bytearray', call(bytearray, true)],
  ['builtins.set', call(toSet, true)],
  ['builtins.frozenset', call(toSet, true)],
  ['__builtin__.set', call(toSet, true)],
  ['__builtin__.frozenset', call(toSet, true)],
  ['torch.Tensor', { kind: 'class' }],
  ['torch._tensor.Tensor', { kind: 'class' }],
  ['torch.nn.parameter.Parameter', { kind: 'class' }],
  ...Object.entries(STORAGES).map(([name, dtype]): [string, GlobalRole] => [
    `torch.${name}`,
    { kind: 'storage', dtype },
  ]),
]);

/** What an allowed global means, or undefined when it is not on the allowlist. */
export function roleOf(qualifiedName: string): GlobalRole | undefined {
  return ROLES.get(qualifiedName);
}

/** Every allowed global, for documentation and tests. */
export const ALLOWED_GLOBALS: readonly string[] = [...ROLES.keys()];

// prettier-ignore
const DANGEROUS_MODULES = new Set([
  'os', 'posix', 'nt', 'posixpath', 'ntpath', 'subprocess', 'sys', 'builtins', '__builtin__', 'shutil', 'socket',
  'pickle', '_pickle', 'cPickle', 'dill', 'importlib', 'runpy', 'pty', 'webbrowser', 'code', 'codeop', 'ctypes',
  'marshal', 'types', 'operator', 'functools', 'io', '_io', 'pathlib', 'tempfile', 'multiprocessing', 'threading',
  'asyncio', 'signal', 'http', 'urllib', 'urllib2', 'requests', 'pip', 'setuptools', 'timeit', 'pdb', 'bdb',
]);
const DANGEROUS_NAMES = new Set([
  'eval',
  'exec',
  'execfile',
  'compile',
  '__import__',
  'system',
  'popen',
  'spawn',
]);

/**
 * True for globals that can run code or touch the system (os.system, builtins.eval, subprocess.*, …): refused even
 * in lenient mode, so a hostile file is reported as such instead of being skipped quietly.
 */
export function isDangerous(module: string, name: string): boolean {
  const top = module.split('.')[0] ?? module;
  const leaf = name.split('.').pop() ?? name;
  return DANGEROUS_MODULES.has(top) || DANGEROUS_NAMES.has(leaf) || module.startsWith('torch.hub');
}

export const RESAVE = 're-save the state_dict with torch.save(model.state_dict())';

/** The WEIGHTS_UNSAFE error for a global we will not run. */
export function refusal(fileName: string, qualified: string, dangerous: boolean): TubeletError {
  return new TubeletError(
    'WEIGHTS_UNSAFE',
    `${fileName} refers to '${qualified}', which Tubelet will not execute; ${RESAVE}`,
    {
      hint: dangerous
        ? `'${qualified}' can run code or touch files: treat this file as hostile and never torch.load it without weights_only=True.`
        : `Tubelet reads only tensors, dicts, lists, tuples, strings and numbers. Reading with the lenient option skips objects such as '${qualified}' and keeps the tensors.`,
    },
  );
}

/** persistent_load: ('storage', torch.<Type>Storage, key, location, numel) → a StorageRef, one per key. */
export function storageFromPid(
  pid: PickleValue,
  storages: Map<string, StorageRef>,
  ctx: CallContext,
): StorageRef {
  const items = pid instanceof PickleTuple ? pid.items : [];
  const [tag, type, key, location, numel] = items;
  const role = type instanceof PickleGlobal ? roleOf(type.qualifiedName) : undefined;
  if (items.length !== 5 || tag !== 'storage' || typeof key !== 'string' || typeof location !== 'string') {
    throw ctx.fail(`persistent id ${describe(pid)} is not ('storage', type, key, location, numel)`);
  }
  if (role?.kind !== 'storage')
    throw ctx.unsupported(`storage type ${describe(type ?? null)} is not supported`);
  if (!isIndex(numel)) throw ctx.fail(`storage '${key}' has element count ${describe(numel ?? null)}`);
  if (!/^[\w.-]{1,64}$/.test(key)) throw ctx.fail(`storage key '${key.slice(0, 40)}' is not a plain name`);
  const known = storages.get(key);
  if (known) {
    if (known.dtype !== role.dtype || known.numel !== numel)
      throw ctx.fail(`storage '${key}' is named twice`);
    return known;
  }
  const ref = new StorageRef(key, role.dtype, numel, location);
  storages.set(key, ref);
  return ref;
}
