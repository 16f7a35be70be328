// Minimal ZIP reader for PyTorch checkpoints: end record (and ZIP64) → central directory → local headers; stored
// entries are zero-copy views, deflated ones go through DecompressionStream. Pure; compute worker (and Node).
import { TubeletError } from '../../shared/errors.ts';
import { weightsError } from './dtypes.ts';

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflate; anything else is refused on read. */
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Where the entry's (possibly compressed) bytes start in the archive. */
  readonly dataOffset: number;
}

export interface ZipReadOptions {
  /** Check each entry's CRC-32 when it is read (default true). */
  verifyCrc?: boolean;
}

export interface ZipArchive {
  readonly fileName: string;
  readonly entries: readonly ZipEntry[];
  get(name: string): ZipEntry | undefined;
  /** The uncompressed bytes of an entry; a view into the archive for stored entries. */
  read(entry: ZipEntry | string): Promise<Uint8Array>;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_END64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
const METHOD_NAMES: Readonly<Record<number, string>> = {
  1: 'shrink',
  6: 'implode',
  9: 'deflate64',
  12: 'bzip2',
  14: 'LZMA',
  93: 'zstd',
  95: 'xz',
  98: 'PPMd',
  99: 'AES encryption',
};

class Reader {
  private readonly dv: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly fail: (message: string) => TubeletError,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private check(at: number, size: number, what: string): void {
    if (!Number.isSafeInteger(at) || at < 0 || at + size > this.bytes.byteLength) {
      throw this.fail(`${what} at byte ${at} lies outside the ${this.bytes.byteLength}-byte file`);
    }
  }
  u16(at: number, what: string): number {
    this.check(at, 2, what);
    return this.dv.getUint16(at, true);
  }
  u32(at: number, what: string): number {
    this.check(at, 4, what);
    return this.dv.getUint32(at, true);
  }
  u64(at: number, what: string): number {
    this.check(at, 8, what);
    const value = this.dv.getUint32(at + 4, true) * 2 ** 32 + this.dv.getUint32(at, true);
    if (!Number.isSafeInteger(value)) throw this.fail(`${what} ${value} is too large`);
    return value;
  }
  slice(at: number, length: number, what: string): Uint8Array {
    this.check(at, length, what);
    return this.bytes.subarray(at, at + length);
  }
}

interface Directory {
  count: number;
  size: number;
  offset: number;
  /** Where the directory must end: the first end record. */
  limit: number;
}

function findDirectory(r: Reader): Directory {
  const length = r.bytes.byteLength;
  let end = -1;
  for (let at = length - 22; at >= Math.max(0, length - 22 - U16_MAX); at--) {
    if (r.u32(at, 'end record') === SIG_END && at + 22 + r.u16(at + 20, 'comment length') === length) {
      end = at;
      break;
    }
  }
  if (end < 0) throw r.fail('has no ZIP end record (not a zip archive, or truncated)');
  const disk = r.u16(end + 4, 'disk number');
  const cdDisk = r.u16(end + 6, 'directory disk');
  let count = r.u16(end + 10, 'entry count');
  let size = r.u32(end + 12, 'directory size');
  let offset = r.u32(end + 16, 'directory offset');
  let limit = end;
  const locator = end - 20;
  if (locator >= 0 && r.u32(locator, 'ZIP64 locator') === SIG_LOCATOR64) {
    const end64 = r.u64(locator + 8, 'ZIP64 end record offset');
    if (end64 + 56 > locator || r.u32(end64, 'ZIP64 end record') !== SIG_END64) {
      throw r.fail('ZIP64 locator points at no ZIP64 end record');
    }
    if (r.u32(end64 + 16, 'ZIP64 disk') !== 0 || r.u32(locator + 16, 'ZIP64 disk count') > 1) {
      throw r.fail('is a multi-part ZIP archive');
    }
    count = r.u64(end64 + 32, 'ZIP64 entry count');
    size = r.u64(end64 + 40, 'ZIP64 directory size');
    offset = r.u64(end64 + 48, 'ZIP64 directory offset');
    limit = end64;
  } else if (count === U16_MAX || size === U32_MAX || offset === U32_MAX) {
    throw r.fail('needs a ZIP64 end record but has none');
  }
  if (disk !== 0 || cdDisk !== 0) throw r.fail('is a multi-part ZIP archive');
  if (offset + size > limit) throw r.fail(`central directory [${offset}, ${offset + size}) overruns its end`);
  if (count * 46 > size) throw r.fail(`claims ${count} entries in a ${size}-byte central directory`);
  return { count, size, offset, limit };
}

/** Values that the ZIP64 extra field (id 1) replaces, in its order, when the 32-bit field is all ones. */
function applyZip64(
  r: Reader,
  at: number,
  length: number,
  fields: { size: number; csize: number; offset: number },
) {
  const end = at + length;
  while (at + 4 <= end) {
    const id = r.u16(at, 'extra field id');
    const fieldLength = r.u16(at + 2, 'extra field length');
    const body = at + 4;
    if (body + fieldLength > end) throw r.fail('extra field overruns its entry');
    if (id === 0x0001) {
      let p = body;
      const take = (what: string): number => {
        if (p + 8 > body + fieldLength) throw r.fail(`ZIP64 extra field lacks the ${what}`);
        const v = r.u64(p, what);
        p += 8;
        return v;
      };
      if (fields.size === U32_MAX) fields.size = take('size');
      if (fields.csize === U32_MAX) fields.csize = take('compressed size');
      if (fields.offset === U32_MAX) fields.offset = take('local header offset');
    }
    at = body + fieldLength;
  }
}

/** Parses the directory of a ZIP archive. Throws WEIGHTS_MALFORMED naming the file and the bad field. */
export function openZip(bytes: Uint8Array, fileName: string, options: ZipReadOptions = {}): ZipArchive {
  const fail = (message: string): TubeletError => weightsError('WEIGHTS_MALFORMED', fileName, message);
  const r = new Reader(bytes, fail);
  const dir = findDirectory(r);
  const decoder = new TextDecoder('utf-8');
  const entries: ZipEntry[] = [];
  const byName = new Map<string, ZipEntry>();
  const spans: [number, number, string][] = [];
  let at = dir.offset;
  for (let i = 0; i < dir.count; i++) {
    if (r.u32(at, 'central header') !== SIG_CENTRAL) throw fail(`central header ${i} has a bad signature`);
    const flags = r.u16(at + 8, 'flags');
    const method = r.u16(at + 10, 'method');
    const crc32 = r.u32(at + 16, 'CRC-32');
    const fields = {
      csize: r.u32(at + 20, 'size'),
      size: r.u32(at + 24, 'size'),
      offset: r.u32(at + 42, 'offset'),
    };
    const nameLength = r.u16(at + 28, 'name length');
    const extraLength = r.u16(at + 30, 'extra length');
    const commentLength = r.u16(at + 32, 'comment length');
    const name = decoder.decode(r.slice(at + 46, nameLength, 'entry name'));
    applyZip64(r, at + 46 + nameLength, extraLength, fields);
    at += 46 + nameLength + extraLength + commentLength;
    if (at > dir.offset + dir.size) throw fail(`central header of '${name}' overruns the directory`);
    if (byName.has(name)) throw fail(`names entry '${name}' twice`);

    const local = fields.offset;
    if (r.u32(local, `local header of '${name}'`) !== SIG_LOCAL) {
      throw fail(`local header of '${name}' has a bad signature`);
    }
    const localNameLength = r.u16(local + 26, 'local name length');
    const localName = decoder.decode(r.slice(local + 30, localNameLength, 'local name'));
    if (localName !== name)
      throw fail(`local header names '${localName}' where the directory says '${name}'`);
    const dataOffset = local + 30 + localNameLength + r.u16(local + 28, 'local extra length');
    const dataEnd = dataOffset + fields.csize;
    if (dataEnd > dir.offset)
      throw fail(`data of '${name}' [${dataOffset}, ${dataEnd}) overruns the directory`);
    if (method === 0 && fields.csize !== fields.size) {
      throw fail(`stored entry '${name}' has compressed size ${fields.csize} ≠ size ${fields.size}`);
    }
    spans.push([local, dataEnd, name]);
    const entry: ZipEntry = {
      name,
      method,
      flags,
      crc32,
      compressedSize: fields.csize,
      size: fields.size,
      dataOffset,
    };
    entries.push(entry);
    byName.set(name, entry);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    const [prev, cur] = [spans[i - 1], spans[i]];
    if (prev && cur && cur[0] < prev[1]) throw fail(`entries '${prev[2]}' and '${cur[2]}' overlap`);
  }

  const verify = options.verifyCrc ?? true;
  return {
    fileName,
    entries,
    get: (name) => byName.get(name),
    read: async (which) => {
      const entry = typeof which === 'string' ? byName.get(which) : which;
      if (entry === undefined) throw fail(`has no entry '${typeof which === 'string' ? which : which.name}'`);
      const data = await inflateEntry(bytes, entry, fileName);
      if (verify && crc32(data) !== entry.crc32) throw fail(`entry '${entry.name}' fails its CRC-32 check`);
      return data;
    },
  };
}

async function inflateEntry(bytes: Uint8Array, entry: ZipEntry, fileName: string): Promise<Uint8Array> {
  if (entry.flags & 0x41) {
    throw weightsError('WEIGHTS_UNSUPPORTED', fileName, `entry '${entry.name}' is encrypted`);
  }
  const raw = bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  if (entry.method === 0) return raw;
  if (entry.method !== 8) {
    const method = METHOD_NAMES[entry.method] ?? `method ${entry.method}`;
    throw weightsError('WEIGHTS_UNSUPPORTED', fileName, `entry '${entry.name}' is compressed with ${method}`);
  }
  return inflateRaw(raw, entry.size, `entry '${entry.name}'`, fileName);
}

/** Inflates raw deflate data (`label`, e.g. "entry 'x'", names it in errors) that must come to `size` bytes. */
export async function inflateRaw(
  raw: Uint8Array,
  size: number,
  label: string,
  fileName: string,
): Promise<Uint8Array> {
  const stream = new DecompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  writer
    .write(raw as Uint8Array<ArrayBuffer>)
    .then(() => writer.close())
    .catch(() => undefined); // the reader below sees the same error
  const reader = stream.readable.getReader();
  const out = new Uint8Array(size);
  let filled = 0;
  const bad = (message: string): TubeletError => weightsError('WEIGHTS_MALFORMED', fileName, message);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (filled + value.byteLength > size) {
        reader.cancel().catch(() => undefined);
        throw bad(`${label} inflates to more than its declared ${size} bytes`);
      }
      out.set(value, filled);
      filled += value.byteLength;
    }
  } catch (error) {
    if (error instanceof TubeletError) throw error;
    throw bad(`${label} is not valid deflate data`);
  }
  if (filled !== size) throw bad(`${label} inflates to ${filled} bytes, not ${size}`);
  return out;
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, as in ZIP). */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const table = crcTable;
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = (table[(c ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
