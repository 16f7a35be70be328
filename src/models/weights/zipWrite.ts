// Minimal ZIP writer (stored entries only, optional 64-byte data alignment as torch.save does, ZIP64 when large or
// asked): the container of .pth export. Pure; compute worker (and Node for tests).
import { crc32 } from './zip.ts';

export interface ZipWriteEntry {
  readonly name: string;
  readonly data: Uint8Array;
}

export interface ZipWriteOptions {
  /** Pad local headers so every entry's data starts at a multiple of this (torch.save uses 64). */
  align?: number;
  /** Write ZIP64 fields even when the archive is small (they are written anyway past 4 GiB). */
  zip64?: boolean;
}

const U32_MAX = 0xffffffff;

/** Builds a ZIP archive of stored (uncompressed) entries, in the given order. */
export function writeZip(entries: Iterable<ZipWriteEntry>, options: ZipWriteOptions = {}): Uint8Array {
  const encoder = new TextEncoder();
  const align = options.align ?? 1;
  const items = [...entries].map((e) => ({ ...e, nameBytes: encoder.encode(e.name), crc: crc32(e.data) }));
  const total = items.reduce(
    (n, e) => n + e.data.byteLength + 30 + e.nameBytes.byteLength + 20 + align + 4,
    0,
  );
  const zip64 = options.zip64 === true || total >= U32_MAX || items.length >= 0xffff;

  const locals: { offset: number; padded: number }[] = [];
  let offset = 0;
  for (const e of items) {
    const fixed = 30 + e.nameBytes.byteLength + (zip64 ? 20 : 0);
    let pad = (align - ((offset + fixed) % align)) % align;
    if (pad > 0 && pad < 4) pad += align; // the padding field needs 4 bytes of its own header
    locals.push({ offset, padded: pad });
    offset += fixed + pad + e.data.byteLength;
  }
  const cdOffset = offset;
  const cdSize = items.reduce((n, e) => n + 46 + e.nameBytes.byteLength + (zip64 ? 28 : 0), 0);
  const size = cdOffset + cdSize + (zip64 ? 56 + 20 : 0) + 22;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  const u16 = (at: number, v: number): void => {
    dv.setUint16(at, v, true);
  };
  const u32 = (at: number, v: number): void => {
    dv.setUint32(at, v, true);
  };
  const u64 = (at: number, v: number): void => {
    dv.setBigUint64(at, BigInt(v), true);
  };
  const small = (v: number): number => (zip64 ? U32_MAX : v);
  const version = zip64 ? 45 : 20;

  items.forEach((e, i) => {
    const { offset: at, padded } = locals[i] ?? { offset: 0, padded: 0 };
    const n = e.nameBytes.byteLength;
    u32(at, 0x04034b50);
    u16(at + 4, version);
    u16(at + 6, 0x0800); // UTF-8 names
    u32(at + 14, e.crc);
    u32(at + 18, small(e.data.byteLength));
    u32(at + 22, small(e.data.byteLength));
    u16(at + 26, n);
    u16(at + 28, (zip64 ? 20 : 0) + padded);
    out.set(e.nameBytes, at + 30);
    let extra = at + 30 + n;
    if (zip64) {
      u16(extra, 0x0001);
      u16(extra + 2, 16);
      u64(extra + 4, e.data.byteLength);
      u64(extra + 12, e.data.byteLength);
      extra += 20;
    }
    if (padded > 0) {
      u16(extra, 0x4246); // 'FB', the id torch.save uses for its padding field
      u16(extra + 2, padded - 4);
      out.fill(0x5a, extra + 4, extra + padded);
    }
    out.set(e.data, extra + padded);
  });

  let at = cdOffset;
  items.forEach((e, i) => {
    const local = locals[i]?.offset ?? 0;
    const n = e.nameBytes.byteLength;
    u32(at, 0x02014b50);
    u16(at + 4, version);
    u16(at + 6, version);
    u16(at + 8, 0x0800);
    u32(at + 16, e.crc);
    u32(at + 20, small(e.data.byteLength));
    u32(at + 24, small(e.data.byteLength));
    u16(at + 28, n);
    u16(at + 30, zip64 ? 28 : 0);
    u32(at + 42, small(local));
    out.set(e.nameBytes, at + 46);
    if (zip64) {
      u16(at + 46 + n, 0x0001);
      u16(at + 48 + n, 24);
      u64(at + 50 + n, e.data.byteLength);
      u64(at + 58 + n, e.data.byteLength);
      u64(at + 66 + n, local);
    }
    at += 46 + n + (zip64 ? 28 : 0);
  });

  if (zip64) {
    u32(at, 0x06064b50);
    u64(at + 4, 44);
    u16(at + 12, 45);
    u16(at + 14, 45);
    u64(at + 24, items.length);
    u64(at + 32, items.length);
    u64(at + 40, cdSize);
    u64(at + 48, cdOffset);
    u32(at + 56, 0x07064b50);
    u64(at + 64, at);
    u32(at + 72, 1);
    at += 76;
  }
  u32(at, 0x06054b50);
  u16(at + 8, zip64 ? 0xffff : items.length);
  u16(at + 10, zip64 ? 0xffff : items.length);
  u32(at + 12, small(cdSize));
  u32(at + 16, small(cdOffset));
  return out;
}
