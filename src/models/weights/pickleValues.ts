// The values our restricted unpickler can produce: plain data, lazy torch storage/tensor references and inert
// placeholders. Nothing here executes anything. Pure; compute worker (and Node for tests).
import type { WeightDtype } from './dtypes.ts';

/** A Python tuple (lists are plain arrays, dicts and OrderedDicts are Maps in insertion order, sets are Sets). */
export class PickleTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

/** A reference to an allowed global that is not itself a value (a storage class, `torch.Tensor`), or, in lenient
 * mode, to an unknown class or function; never called. */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/**
 * Lenient mode's stand-in for an object whose construction was skipped (`argparse.Namespace(...)`, …). Items that
 * the pickle adds to it (dict and list subclasses such as MMEngine's ConfigDict) are kept, so tensors inside stay
 * reachable; its BUILD state is dropped.
 */
export class PickleOpaque {
  readonly items = new Map<PickleValue, PickleValue>();
  readonly list: PickleValue[] = [];
  constructor(readonly global: string) {}
}

/** A storage named by a persistent id ('storage', <type>, key, location, numel): zip entry `<top>/data/<key>`. */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: WeightDtype,
    readonly numel: number,
    readonly location: string,
  ) {}
}

/** A tensor as torch._utils._rebuild_tensor_v2 describes it: a strided window onto a storage (in elements). */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleTuple
  | Map<PickleValue, PickleValue>
  | Set<PickleValue>
  | PickleGlobal
  | PickleOpaque
  | StorageRef
  | TensorRef;

/** A short description of a value for error messages. */
export function describe(value: PickleValue): string {
  if (value === null) return 'None';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof PickleTuple) return `a ${value.items.length}-tuple`;
  if (value instanceof Map) return 'a dict';
  if (value instanceof Set) return 'a set';
  if (value instanceof PickleGlobal) return `'${value.qualifiedName}'`;
  if (value instanceof PickleOpaque) return `a skipped '${value.global}' object`;
  if (value instanceof StorageRef) return 'a storage';
  if (value instanceof TensorRef) return 'a tensor';
  return `${typeof value} ${String(value)}`;
}
