// Reads and writes the safetensors format (u64 LE header length, JSON header, raw little-endian data), validating
// every field against the bytes. Pure; runs in the compute worker (and in Node for tests).
import { TubeletError } from '../../shared/errors.ts';
import {
  DTYPE_SIZE,
  WEIGHT_DTYPES,
  assertLittleEndianHost,
  bytesOf,
  numelOf,
  toFloat32,
  typedFromBytes,
  weightsError,
  type WeightDtype,
  type WeightTensor,
} from './dtypes.ts';

const TO_DTYPE: Readonly<Record<string, WeightDtype>> = {
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  F64: 'float64',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};
const FROM_DTYPE = Object.fromEntries(Object.entries(TO_DTYPE).map(([k, v]) => [v, k])) as Record<
  WeightDtype,
  string
>;

/** The reference implementation refuses headers over 100 MB; so do we. */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

export interface SafetensorsReadOptions {
  /** Convert float16, bfloat16 and float64 tensors to float32 (integer and bool tensors are kept). */
  toFloat32?: boolean;
}

export interface SafetensorsFile {
  /** Tensors in header order; views into `bytes` where aligned, copies otherwise. */
  tensors: Map<string, WeightTensor>;
  /** The optional `__metadata__` string map. */
  metadata: Record<string, string>;
}

interface Entry {
  name: string;
  dtype: WeightDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** Parses a whole .safetensors file. Throws WEIGHTS_MALFORMED / WEIGHTS_UNSUPPORTED naming the file and field. */
export function parseSafetensors(
  bytes: Uint8Array,
  fileName: string,
  options: SafetensorsReadOptions = {},
): SafetensorsFile {
  const bad = (message: string): TubeletError => weightsError('WEIGHTS_MALFORMED', fileName, message);
  assertLittleEndianHost(fileName);
  if (bytes.byteLength < 8) throw bad(`is ${bytes.byteLength} bytes, too short for a safetensors header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  if (hi !== 0 || lo > bytes.byteLength - 8 || lo > MAX_HEADER_BYTES) {
    const len = hi * 2 ** 32 + lo;
    throw bad(
      `header length ${len} does not fit in the file (${bytes.byteLength - 8} bytes after the length)`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + lo));
  } catch {
    throw bad('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw bad(`header is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw bad('header is not a JSON object');
  }
  const seen = new Set<string>();
  for (const key of topLevelKeys(text)) {
    if (seen.has(key)) throw bad(`header names '${key}' twice`);
    seen.add(key);
  }

  const dataStart = 8 + lo;
  const dataLength = bytes.byteLength - dataStart;
  const metadata = Object.create(null) as Record<string, string>; // a '__proto__' key stays a key
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw bad(`'${METADATA_KEY}' is not an object`);
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') throw bad(`'${METADATA_KEY}.${k}' is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    entries.push(parseEntry(name, value, dataLength, fileName));
  }

  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of byOffset) {
    if (e.begin < covered)
      throw bad(`tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] overlap another tensor`);
    if (e.begin > covered)
      throw bad(`data bytes [${covered}, ${e.begin}) belong to no tensor ('${e.name}' next)`);
    covered = e.end;
  }
  if (covered !== dataLength) {
    throw bad(`tensors cover ${covered} data bytes but the file holds ${dataLength} after the header`);
  }

  const tensors = new Map<string, WeightTensor>();
  for (const e of entries) {
    const numel = (e.end - e.begin) / DTYPE_SIZE[e.dtype];
    const raw = bytes.subarray(dataStart + e.begin, dataStart + e.end);
    let tensor: WeightTensor = { dtype: e.dtype, shape: e.shape, data: typedFromBytes(e.dtype, raw, numel) };
    const isWideOrNarrowFloat = e.dtype === 'float16' || e.dtype === 'bfloat16' || e.dtype === 'float64';
    if (options.toFloat32 === true && isWideOrNarrowFloat) {
      tensor = { dtype: 'float32', shape: e.shape, data: toFloat32(tensor) };
    }
    tensors.set(e.name, tensor);
  }
  return { tensors, metadata };
}

/** The tensors of a .safetensors file by name (see parseSafetensors). */
export function readSafetensors(
  bytes: Uint8Array,
  fileName: string,
  options: SafetensorsReadOptions = {},
): Map<string, WeightTensor> {
  return parseSafetensors(bytes, fileName, options).tensors;
}

function parseEntry(name: string, value: unknown, dataLength: number, fileName: string): Entry {
  const bad = (field: string, message: string): TubeletError =>
    weightsError('WEIGHTS_MALFORMED', fileName, `tensor '${name}' field '${field}' ${message}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw weightsError('WEIGHTS_MALFORMED', fileName, `tensor '${name}' is not an object in the header`);
  }
  const v = value as Record<string, unknown>;
  const code = v['dtype'];
  if (typeof code !== 'string') throw bad('dtype', 'is missing or not a string');
  const dtype = TO_DTYPE[code];
  if (dtype === undefined) {
    throw weightsError(
      'WEIGHTS_UNSUPPORTED',
      fileName,
      `tensor '${name}' has dtype '${code}'; Tubelet reads ${Object.keys(TO_DTYPE).join(', ')}`,
    );
  }
  const shape = v['shape'];
  if (!Array.isArray(shape)) throw bad('shape', 'is missing or not an array');
  const numel = numelOf(shape);
  if (numel === null) throw bad('shape', `[${shape.join(', ')}] is not a list of non-negative integers`);
  const offsets = v['data_offsets'];
  if (!Array.isArray(offsets) || offsets.length !== 2)
    throw bad('data_offsets', 'is not a [begin, end] pair');
  const [begin, end] = offsets as unknown[];
  if (typeof begin !== 'number' || typeof end !== 'number' || !Number.isSafeInteger(begin)) {
    throw bad('data_offsets', 'holds non-integers');
  }
  if (!Number.isSafeInteger(end) || begin < 0 || end < begin || end > dataLength) {
    throw bad('data_offsets', `[${begin}, ${end}] is outside the ${dataLength} data bytes`);
  }
  const expected = numel * DTYPE_SIZE[dtype];
  if (end - begin !== expected) {
    throw bad(
      'data_offsets',
      `span ${end - begin} bytes but shape [${shape.join(', ')}] × ${code} needs ${expected}`,
    );
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/** The keys of the outermost object of a VALID JSON text, duplicates included (JSON.parse keeps only the last). */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x22) {
      const start = i;
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      if (depth !== 1) continue;
      let j = i + 1;
      while (j < text.length && /\s/.test(text.charAt(j))) j++;
      if (text.charAt(j) === ':') keys.push(JSON.parse(text.slice(start, i + 1)) as string);
    }
  }
  return keys;
}

export interface SafetensorsWriteOptions {
  metadata?: Record<string, string>;
}

/**
 * Serialises tensors to safetensors bytes. Data is laid out by element size (largest first) then name, and the
 * header is space-padded so that data starts 8-byte aligned, as the reference writer does.
 */
export function writeSafetensors(
  tensors: Iterable<readonly [string, WeightTensor]>,
  options: SafetensorsWriteOptions = {},
): Uint8Array {
  const list = [...tensors];
  const names = new Set<string>();
  for (const [name, t] of list) {
    const invalid = (message: string): TubeletError =>
      new TubeletError('INVALID_ARGUMENT', `safetensors writer: tensor '${name}' ${message}`);
    if (name === METADATA_KEY) throw invalid('uses the reserved name');
    if (names.has(name)) throw invalid('is given twice');
    names.add(name);
    if (!(WEIGHT_DTYPES as readonly string[]).includes(t.dtype))
      throw invalid(`has unknown dtype ${t.dtype}`);
    const numel = numelOf(t.shape);
    if (numel === null || numel !== t.data.length) {
      throw invalid(`has ${t.data.length} elements but shape [${t.shape.join(', ')}]`);
    }
    if (t.data.BYTES_PER_ELEMENT !== DTYPE_SIZE[t.dtype]) {
      throw invalid(`is ${t.dtype} but its data has ${t.data.BYTES_PER_ELEMENT}-byte elements`);
    }
  }
  list.sort(
    ([na, a], [nb, b]) => DTYPE_SIZE[b.dtype] - DTYPE_SIZE[a.dtype] || (na < nb ? -1 : na > nb ? 1 : 0),
  );
  const header = Object.create(null) as Record<string, unknown>;
  if (options.metadata !== undefined) header[METADATA_KEY] = options.metadata;
  let offset = 0;
  for (const [name, t] of list) {
    const size = t.data.byteLength;
    header[name] = { dtype: FROM_DTYPE[t.dtype], shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil((8 + json.byteLength) / 8) * 8 - 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + headerLength);
  let at = 8 + headerLength;
  for (const [, t] of list) {
    out.set(bytesOf(t.data), at);
    at += t.data.byteLength;
  }
  return out;
}
