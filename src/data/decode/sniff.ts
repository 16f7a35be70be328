// Container sniffing from a file's first bytes (ingest or compute worker; pure apart from reading the Blob).
// Decides which demux path a dropped file takes; it never trusts the file extension.
import { TubeletError } from '../../shared/errors.ts';

/** Containers (and still-image formats for frame folders) the ingest pipeline knows how to route. */
export type ContainerKind = 'mp4' | 'mov' | 'webm' | 'matroska' | 'avi' | 'jpeg' | 'png';

/** How many leading bytes `sniffContainer` looks at. */
export const SNIFF_BYTES = 64;

const ascii = (bytes: Uint8Array, start: number, length: number): string =>
  String.fromCharCode(...bytes.subarray(start, start + length));

const startsWith = (bytes: Uint8Array, magic: readonly number[], at = 0): boolean =>
  bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);

const QUICKTIME_FIRST_BOXES = new Set(['moov', 'mdat', 'free', 'skip', 'wide', 'pnot']);

/** Recognised formats we do not ingest; named in the error so the user knows what the file is. */
const KNOWN_OTHERS: readonly { name: string; test: (b: Uint8Array) => boolean }[] = [
  { name: 'an MPEG transport stream', test: (b) => b[0] === 0x47 && b.length > 188 && b[188] === 0x47 },
  { name: 'an MPEG program stream', test: (b) => startsWith(b, [0x00, 0x00, 0x01, 0xba]) },
  { name: 'a Flash video (FLV)', test: (b) => ascii(b, 0, 3) === 'FLV' },
  {
    name: 'an ASF/WMV file',
    test: (b) => startsWith(b, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11]),
  },
  { name: 'a GIF image', test: (b) => ascii(b, 0, 4) === 'GIF8' },
  { name: 'a WAVE audio file', test: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WAVE' },
];

/**
 * The container of a file from its first bytes (`head`, at least 12 bytes; `SNIFF_BYTES` gives the best
 * answer), or null when the bytes match nothing we ingest.
 */
export function sniffContainer(head: Uint8Array): ContainerKind | null {
  if (head.length < 4) return null;
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) {
    // The EBML header carries the DocType string ("webm" or "matroska") within its first few dozen bytes.
    return ascii(head, 0, head.length).includes('webm') ? 'webm' : 'matroska';
  }
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'AVI ') return 'avi';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (head.length >= 12 && ascii(head, 4, 4) === 'ftyp') {
    return ascii(head, 8, 4) === 'qt  ' ? 'mov' : 'mp4';
  }
  if (head.length >= 8 && QUICKTIME_FIRST_BOXES.has(ascii(head, 4, 4))) return 'mov';
  return null;
}

/** A short description of a format we recognise but do not ingest, for error messages. */
export function describeUnknown(head: Uint8Array): string | null {
  return KNOWN_OTHERS.find((k) => k.test(head))?.name ?? null;
}

/** Reads the first bytes of `file` and sniffs them; throws UNSUPPORTED_CONTAINER naming `name` otherwise. */
export async function sniffFile(file: Blob, name: string): Promise<ContainerKind> {
  if (file.size === 0) {
    throw new TubeletError('UNSUPPORTED_CONTAINER', `${name} is empty (0 bytes).`, {
      hint: 'Copy the file again; the download or copy may have been interrupted.',
    });
  }
  // 200 bytes also lets the MPEG-TS test see its second sync byte.
  const head = new Uint8Array(await file.slice(0, 200).arrayBuffer());
  const kind = sniffContainer(head.subarray(0, SNIFF_BYTES));
  if (kind) return kind;
  const known = describeUnknown(head);
  const hex = [...head.subarray(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new TubeletError(
    'UNSUPPORTED_CONTAINER',
    known
      ? `${name} is ${known}, which the studio cannot read.`
      : `${name} is not a video container the studio recognises.`,
    {
      hint: 'Supported: MP4/MOV, WebM/Matroska, AVI, and folders of JPEG/PNG frames. Convert others with ffmpeg.',
      details: `first bytes: ${hex}`,
    },
  );
}
