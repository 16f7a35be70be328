// AVI header parsing (any thread; pure): the RIFF `hdrl` list → video stream size, rate, frame count and
// FourCC, so an AVI's stored-frame layout is known before ffmpeg.wasm is even loaded.
import { TubeletError } from '../../../shared/errors.ts';

export interface AviVideoInfo {
  /** FourCC of the video codec (BITMAPINFOHEADER biCompression, else strh fccHandler), e.g. `XVID`. */
  readonly fourcc: string;
  readonly width: number;
  readonly height: number;
  /** Frames of the video stream (strh dwLength; OpenDML dmlh dwTotalFrames when larger). */
  readonly frameCount: number;
  /** dwRate / dwScale of the video stream (avih dwMicroSecPerFrame when those are zero). */
  readonly fps: number;
  readonly streams: number;
}

/** Bytes of the file start to read; `hdrl` nearly always ends within the first few KiB. */
export const AVI_HEADER_BYTES = 1 << 16;

/** FourCCs of MPEG-4 part 2 (ASP) in AVI, the family WebCodecs has no codec string for. */
const MPEG4_PART2 = new Set(['XVID', 'DIVX', 'DX50', 'FMP4', 'MP4V', 'DIV3', 'DIV4', 'MP43', 'M4S2', '3IV2']);

const fourccAt = (view: DataView, at: number): string =>
  String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));

/** A printable FourCC (spaces and NULs trimmed), or `?` when the bytes are not printable. */
function cleanFourcc(raw: string): string {
  const trimmed = raw.replace(/[\s\0]+$/g, '');
  return /^[\x20-\x7e]+$/.test(trimmed) ? trimmed.toUpperCase() : '?';
}

/** The codec name stored for an AVI video stream: `mpeg4 (XVID)` for the MPEG-4 part 2 family. */
export function aviCodecName(fourcc: string): string {
  return MPEG4_PART2.has(fourcc) ? `mpeg4 (${fourcc})` : `avi (${fourcc})`;
}

function corrupt(name: string, what: string): TubeletError {
  return new TubeletError('CORRUPT_VIDEO', `${name} is not a readable AVI file: ${what}.`, {
    hint: 'The file may be truncated or damaged; try a fresh copy.',
  });
}

interface Chunk {
  readonly id: string;
  readonly start: number;
  readonly size: number;
  /** LIST type for LIST/RIFF chunks. */
  readonly listType: string | null;
}

/** The chunks inside [start, end) of `view` (stops at the first chunk that runs past `end`). */
function chunks(view: DataView, start: number, end: number): Chunk[] {
  const out: Chunk[] = [];
  let at = start;
  while (at + 8 <= end) {
    const id = fourccAt(view, at);
    const size = view.getUint32(at + 4, true);
    const isList = id === 'LIST' || id === 'RIFF';
    out.push({
      id,
      start: at + 8,
      size,
      listType: isList && at + 12 <= end ? fourccAt(view, at + 8) : null,
    });
    at += 8 + size + (size & 1);
  }
  return out;
}

/**
 * Parses the first bytes of an AVI file (`head`, ideally AVI_HEADER_BYTES) and returns its first video stream.
 * Throws CORRUPT_VIDEO (naming `name`) when the header list is missing or has no usable video stream.
 */
export function parseAviHeader(head: Uint8Array, name: string): AviVideoInfo {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < 12 || fourccAt(view, 0) !== 'RIFF' || fourccAt(view, 8) !== 'AVI ') {
    throw corrupt(name, 'it does not start with a RIFF AVI header');
  }
  const hdrl = chunks(view, 12, head.length).find((c) => c.id === 'LIST' && c.listType === 'hdrl');
  if (!hdrl) throw corrupt(name, 'the header list (hdrl) is missing');
  const hdrlEnd = Math.min(head.length, hdrl.start + hdrl.size);
  let microSecPerFrame = 0;
  let avihFrames = 0;
  let avihWidth = 0;
  let avihHeight = 0;
  let dmlhFrames = 0;
  let streams = 0;
  let video: Omit<AviVideoInfo, 'streams'> | null = null;
  for (const c of chunks(view, hdrl.start + 4, hdrlEnd)) {
    if (c.id === 'avih' && c.start + 40 <= hdrlEnd) {
      microSecPerFrame = view.getUint32(c.start, true);
      avihFrames = view.getUint32(c.start + 16, true);
      avihWidth = view.getUint32(c.start + 32, true);
      avihHeight = view.getUint32(c.start + 36, true);
    } else if (c.id === 'LIST' && c.listType === 'odml') {
      const dmlh = chunks(view, c.start + 4, Math.min(hdrlEnd, c.start + c.size)).find(
        (d) => d.id === 'dmlh',
      );
      if (dmlh && dmlh.start + 4 <= hdrlEnd) dmlhFrames = view.getUint32(dmlh.start, true);
    } else if (c.id === 'LIST' && c.listType === 'strl') {
      streams++;
      const inner = chunks(view, c.start + 4, Math.min(hdrlEnd, c.start + c.size));
      const strh = inner.find((d) => d.id === 'strh');
      if (video || !strh || strh.start + 36 > hdrlEnd || fourccAt(view, strh.start) !== 'vids') continue;
      const handler = cleanFourcc(fourccAt(view, strh.start + 4));
      const scale = view.getUint32(strh.start + 20, true);
      const rate = view.getUint32(strh.start + 24, true);
      const length = view.getUint32(strh.start + 32, true);
      const strf = inner.find((d) => d.id === 'strf');
      let width = avihWidth;
      let height = avihHeight;
      let compression = handler;
      if (strf && strf.start + 20 <= hdrlEnd) {
        width = Math.abs(view.getInt32(strf.start + 4, true));
        height = Math.abs(view.getInt32(strf.start + 8, true));
        const bi = cleanFourcc(fourccAt(view, strf.start + 16));
        if (bi !== '?') compression = bi;
      }
      const fps = scale > 0 && rate > 0 ? rate / scale : microSecPerFrame > 0 ? 1e6 / microSecPerFrame : 0;
      video = { fourcc: compression, width, height, frameCount: length, fps };
    }
  }
  if (!video) throw corrupt(name, 'it has no video stream');
  const frameCount = Math.max(video.frameCount, dmlhFrames) || avihFrames;
  if (!(video.width > 0 && video.height > 0)) throw corrupt(name, 'the video stream has no frame size');
  if (!(video.fps > 0 && Number.isFinite(video.fps)))
    throw corrupt(name, 'the video stream has no frame rate');
  if (!(frameCount > 0)) throw corrupt(name, 'the video stream lists no frames');
  return { ...video, frameCount, streams };
}
