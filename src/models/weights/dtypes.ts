// Weight tensors as plain typed arrays: dtypes, element sizes, views, float16/bfloat16 conversion and the coded
// errors of the weights/ readers and writers. Pure; runs in the compute worker (and in Node for tests).
import { TubeletError, type ErrorCode } from '../../shared/errors.ts';

export const WEIGHT_DTYPES = [
  'float32',
  'float16',
  'bfloat16',
  'float64',
  'int64',
  'int32',
  'int16',
  'int8',
  'uint8',
  'bool',
] as const;
export type WeightDtype = (typeof WEIGHT_DTYPES)[number];

/**
 * Storage per dtype: float32 Float32Array, float64 Float64Array, float16 and bfloat16 Uint16Array (raw bits),
 * int64 BigInt64Array, int32 Int32Array, int16 Int16Array, int8 Int8Array, uint8 and bool Uint8Array (0/1).
 */
export type TypedArray =
  | Float32Array
  | Float64Array
  | Uint16Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

/** A dense row-major (C-contiguous) tensor; `data.length === product(shape)`; little-endian. */
export interface WeightTensor {
  dtype: WeightDtype;
  shape: number[];
  data: TypedArray;
}

export const DTYPE_SIZE: Readonly<Record<WeightDtype, number>> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

type WeightsCode = Extract<ErrorCode, `WEIGHTS_${string}`>;

/** A coded error whose message starts with the file name: `ckpt.pth: tensor 'x' …`. */
export function weightsError(
  code: WeightsCode,
  fileName: string,
  message: string,
  hint?: string,
): TubeletError {
  return new TubeletError(code, `${fileName}: ${message}`, hint === undefined ? {} : { hint });
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Throws on a big-endian host: every reader here returns little-endian typed-array views. */
export function assertLittleEndianHost(fileName: string): void {
  if (!littleEndianHost) {
    throw weightsError(
      'WEIGHTS_UNSUPPORTED',
      fileName,
      'weights can only be read on a little-endian machine',
    );
  }
}

/** Number of elements of `shape`, or null when a dimension is not a non-negative safe integer or it overflows. */
export function numelOf(shape: readonly unknown[]): number | null {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return null;
    n *= d;
    if (!Number.isSafeInteger(n)) return null;
  }
  return n;
}

/** A typed array of `dtype` over `length` elements at `byteOffset` (which must be aligned to the element size). */
export function viewOf(
  dtype: WeightDtype,
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number,
): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, length);
    case 'float64':
      return new Float64Array(buffer, byteOffset, length);
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(buffer, byteOffset, length);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, length);
    case 'int32':
      return new Int32Array(buffer, byteOffset, length);
    case 'int16':
      return new Int16Array(buffer, byteOffset, length);
    case 'int8':
      return new Int8Array(buffer, byteOffset, length);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, byteOffset, length);
  }
}

/** `length` elements of `dtype` from `bytes`: a zero-copy view when aligned, else a copy. */
export function typedFromBytes(dtype: WeightDtype, bytes: Uint8Array, length: number): TypedArray {
  const size = DTYPE_SIZE[dtype];
  if (bytes.byteLength < length * size) throw new RangeError('typedFromBytes: not enough bytes');
  if (bytes.byteOffset % size === 0) return viewOf(dtype, bytes.buffer, bytes.byteOffset, length);
  const copy = copyBytes(bytes.subarray(0, length * size));
  return viewOf(dtype, copy.buffer, 0, length);
}

/** A fresh copy (`slice` would give a view for Node's Buffer, a Uint8Array subclass). */
export function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/** The bytes of a typed array (a view, no copy). */
export function bytesOf(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The elements of `data` as unsigned words (8-byte elements are two 32-bit words): for dtype-blind copies. */
export function wordsOf(data: TypedArray): {
  words: Uint8Array | Uint16Array | Uint32Array;
  perElement: number;
} {
  const size = data.BYTES_PER_ELEMENT;
  if (size === 1) return { words: new Uint8Array(data.buffer, data.byteOffset, data.length), perElement: 1 };
  if (size === 2) return { words: new Uint16Array(data.buffer, data.byteOffset, data.length), perElement: 1 };
  const words = new Uint32Array(data.buffer, data.byteOffset, (data.length * size) / 4);
  return { words, perElement: size / 4 };
}

let halfTable: Float32Array | null = null;

/** float16 bits → float32 for all 65,536 patterns (built once, 256 KiB). */
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) table[h] = sign * mant * 2 ** -24;
    else if (exp === 0x1f) table[h] = mant ? NaN : sign * Infinity;
    else table[h] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  halfTable = table;
  return table;
}

/** Any tensor's values as a new (or, for float32, the same) Float32Array; int64 beyond 2^53 loses precision. */
export function toFloat32(tensor: WeightTensor): Float32Array {
  const { dtype, data } = tensor;
  if (dtype === 'float32' && data instanceof Float32Array) return data;
  const out = new Float32Array(data.length);
  if (dtype === 'float16' && data instanceof Uint16Array) {
    const table = halfToFloatTable();
    for (let i = 0; i < data.length; i++) out[i] = table[data[i] ?? 0] ?? 0;
  } else if (dtype === 'bfloat16' && data instanceof Uint16Array) {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < data.length; i++) bits[i] = (data[i] ?? 0) << 16;
  } else if (data instanceof BigInt64Array) {
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  } else {
    out.set(data);
  }
  return out;
}

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** float32 → float16 bits, round to nearest even; overflow → ±Infinity, NaN stays NaN. */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    scratchF32[0] = values[i] ?? 0;
    const x = scratchU32[0] ?? 0;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
      continue;
    }
    const e = exp - 112; // rebias 127 → 15
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
    } else if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      const half = mant >>> shift;
      const rest = mant & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      out[i] = sign | (half + (rest > halfway || (rest === halfway && half & 1) ? 1 : 0));
    } else {
      const r = (e << 10) | (mant >>> 13);
      const rest = mant & 0x1fff;
      out[i] = sign | (r + (rest > 0x1000 || (rest === 0x1000 && r & 1) ? 1 : 0)); // a carry rounds up to Inf
    }
  }
  return out;
}

/** float32 → bfloat16 bits, round to nearest even; NaN stays NaN. */
export function float32ToBfloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    scratchF32[0] = values[i] ?? 0;
    const x = scratchU32[0] ?? 0;
    if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) out[i] = (x >>> 16) | 0x40;
    else out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return out;
}
