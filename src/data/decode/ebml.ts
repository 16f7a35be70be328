// EBML primitives for the Matroska/WebM demuxer (ingest or compute worker; pure): variable-length integers,
// element headers, and typed reads of small element payloads.

/** Marker for an element whose size is "unknown" (all value bits set), as live recorders write. */
export const UNKNOWN_SIZE = -1;

export interface Vint {
  readonly value: number;
  readonly length: number;
}

/**
 * A variable-length integer at `at` (RFC 8794 §4): the leading zeros of the first byte give its length.
 * `keepMarker` keeps the length bit (element IDs are written that way). Null when the bytes run out or the
 * first byte is 0 (invalid). Sizes with all value bits set read as UNKNOWN_SIZE.
 */
export function readVint(bytes: Uint8Array, at: number, keepMarker = false): Vint | null {
  const first = bytes[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (at + length > bytes.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const b = bytes[at + i] ?? 0;
    value = value * 256 + b;
    allOnes &&= b === 0xff;
  }
  if (!keepMarker && allOnes) return { value: UNKNOWN_SIZE, length };
  return { value, length };
}

export interface ElementHeader {
  readonly id: number;
  /** Payload size in bytes, or UNKNOWN_SIZE. */
  readonly size: number;
  /** Bytes taken by the ID and the size. */
  readonly headerLength: number;
}

/** The element header at `at`, or null when the bytes are incomplete or invalid. */
export function readElementHeader(bytes: Uint8Array, at: number): ElementHeader | null {
  const id = readVint(bytes, at, true);
  if (!id || id.length > 4) return null;
  const size = readVint(bytes, at + id.length);
  if (!size) return null;
  return { id: id.value, size: size.value, headerLength: id.length + size.length };
}

export function readUint(bytes: Uint8Array): number {
  let value = 0;
  for (const b of bytes) value = value * 256 + b;
  return value;
}

export function readString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end >= 0 ? bytes.subarray(0, end) : bytes);
}

/** The children of a fully read master element payload, as [id, payload] pairs (stops at damaged data). */
export function* children(payload: Uint8Array): Generator<[number, Uint8Array]> {
  let at = 0;
  while (at < payload.length) {
    const header = readElementHeader(payload, at);
    if (!header || header.size === UNKNOWN_SIZE) return;
    const start = at + header.headerLength;
    const end = start + header.size;
    if (end > payload.length) return;
    yield [header.id, payload.subarray(start, end)];
    at = end;
  }
}
