// WebM/Matroska demuxing (ingest or compute worker): EBML walk over Segment → Info, Tracks, Clusters; the first
// video track's blocks become samples (offset, size, time, key flag). Block payloads are never read here, only
// their few header bytes; unknown-size Segments and Clusters (live recorders, MediaRecorder) are handled.
import { TubeletError } from '../../shared/errors.ts';
import { BlobWindowReader } from './blobReader.ts';
import { throwIfCancelled } from './cancel.ts';
import { colourSpaceFromCodePoints } from './colour.ts';
import type { DemuxedVideo, EncodedSample } from './demuxed.ts';
import { children, readElementHeader, readString, readUint, readVint, UNKNOWN_SIZE } from './ebml.ts';
import { needsFfmpeg } from './fallback.ts';

const ID = {
  EBML: 0x1a45dfa3,
  Segment: 0x18538067,
  SeekHead: 0x114d9b74,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackType: 0x83,
  CodecID: 0x86,
  CodecPrivate: 0x63a2,
  DefaultDuration: 0x23e383,
  ContentEncodings: 0x6d80,
  Video: 0xe0,
  PixelWidth: 0xb0,
  PixelHeight: 0xba,
  DisplayWidth: 0x54b0,
  DisplayHeight: 0x54ba,
  DisplayUnit: 0x54b2,
  Colour: 0x55b0,
  MatrixCoefficients: 0x55b1,
  Range: 0x55b9,
  TransferCharacteristics: 0x55ba,
  Primaries: 0x55bb,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
  BlockGroup: 0xa0,
  Block: 0xa1,
  ReferenceBlock: 0xfb,
  Cues: 0x1c53bb6b,
  Chapters: 0x1043a770,
  Tags: 0x1254c367,
  Attachments: 0x1941a469,
} as const;

/** Elements that end an unknown-size Cluster when they appear at its level. */
const TOP_LEVEL = new Set<number>([
  ID.Cluster,
  ID.Cues,
  ID.Chapters,
  ID.Tags,
  ID.Attachments,
  ID.SeekHead,
  ID.Info,
  ID.Tracks,
  ID.EBML,
  ID.Segment,
]);

export interface WebmTrack {
  readonly number: number;
  readonly codecId: string;
  readonly codecPrivate: Uint8Array | undefined;
  readonly width: number;
  readonly height: number;
  readonly displayWidth: number;
  readonly displayHeight: number;
  readonly defaultDurationNs: number;
  readonly colourSpace: VideoColorSpaceInit | undefined;
  readonly encoded: boolean;
}

interface RawBlock {
  readonly track: number;
  readonly time: number;
  readonly offset: number;
  readonly size: number;
  readonly isSync: boolean;
}

function corrupt(name: string, why: string): TubeletError {
  return new TubeletError('CORRUPT_VIDEO', `${name} could not be read as WebM/Matroska: ${why}.`, {
    hint: 'The file may be truncated or damaged; try a fresh copy.',
  });
}

function parseVideoTrack(entry: Uint8Array): WebmTrack | null {
  let number = 0;
  let type = 0;
  let codecId = '';
  let codecPrivate: Uint8Array | undefined;
  let defaultDurationNs = 0;
  let encoded = false;
  let video: Uint8Array | undefined;
  for (const [id, data] of children(entry)) {
    if (id === ID.TrackNumber) number = readUint(data);
    else if (id === ID.TrackType) type = readUint(data);
    else if (id === ID.CodecID) codecId = readString(data);
    else if (id === ID.CodecPrivate) codecPrivate = data.slice();
    else if (id === ID.DefaultDuration) defaultDurationNs = readUint(data);
    else if (id === ID.ContentEncodings) encoded = true;
    else if (id === ID.Video) video = data;
  }
  if (type !== 1 || !video) return null;
  const v = new Map<number, Uint8Array>(children(video));
  const uint = (id: number, fallback: number): number => {
    const data = v.get(id);
    return data ? readUint(data) : fallback;
  };
  const width = uint(ID.PixelWidth, 0);
  const height = uint(ID.PixelHeight, 0);
  const inPixels = uint(ID.DisplayUnit, 0) === 0;
  let colourSpace: VideoColorSpaceInit | undefined;
  const colour = v.get(ID.Colour);
  if (colour) {
    const c = new Map<number, Uint8Array>(children(colour));
    const code = (id: number): number => {
      const data = c.get(id);
      return data ? readUint(data) : 2;
    };
    colourSpace = colourSpaceFromCodePoints({
      primaries: code(ID.Primaries),
      transfer: code(ID.TransferCharacteristics),
      matrix: code(ID.MatrixCoefficients),
      fullRange: code(ID.Range) === 2,
    });
  }
  return {
    number,
    codecId,
    codecPrivate,
    width,
    height,
    displayWidth: inPixels ? uint(ID.DisplayWidth, width) : width,
    displayHeight: inPixels ? uint(ID.DisplayHeight, height) : height,
    defaultDurationNs,
    colourSpace,
    encoded,
  };
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
const dec2 = (n: number): string => String(n).padStart(2, '0');

/**
 * The WebCodecs codec string (and description) for a Matroska CodecID. `firstFrame` is the first bytes of the
 * first key frame, used for VP9 profiles when CodecPrivate is absent. Other codecs throw NEEDS_FFMPEG.
 */
export function webmCodec(
  track: Pick<WebmTrack, 'codecId' | 'codecPrivate'>,
  firstFrame: Uint8Array | undefined,
  name: string,
): { codec: string; description: Uint8Array | undefined } {
  const cp = track.codecPrivate;
  switch (track.codecId) {
    case 'V_VP8':
      return { codec: 'vp8', description: undefined };
    case 'V_VP9': {
      // CodecPrivate: (id, length, value) triplets — 1 profile, 2 level, 3 bit depth (WebM codec mapping).
      const features = new Map<number, number>();
      for (let i = 0; cp && i + 1 < cp.length;) {
        const length = cp[i + 1] ?? 0;
        if (i + 2 + length > cp.length) break;
        if (length >= 1) features.set(cp[i] ?? 0, cp[i + 2] ?? 0);
        i += 2 + length;
      }
      const b = firstFrame?.[0] ?? 0;
      const headerProfile = ((b >> 5) & 1) | (((b >> 4) & 1) << 1);
      const profile = features.get(1) ?? headerProfile;
      const level = features.get(2) ?? 41;
      const depth = features.get(3) ?? (profile >= 2 ? 10 : 8);
      return { codec: `vp09.${dec2(profile)}.${dec2(level)}.${dec2(depth)}`, description: undefined };
    }
    case 'V_AV1': {
      if (!cp || cp.length < 4) return { codec: 'av01.0.08M.08', description: undefined };
      const profile = (cp[1] ?? 0) >> 5;
      const level = (cp[1] ?? 0) & 0x1f;
      const tier = ((cp[2] ?? 0) >> 7) & 1;
      const high = ((cp[2] ?? 0) >> 6) & 1;
      const twelve = ((cp[2] ?? 0) >> 5) & 1;
      const depth = high ? (twelve ? 12 : 10) : 8;
      return {
        codec: `av01.${profile}.${dec2(level)}${tier ? 'H' : 'M'}.${dec2(depth)}`,
        description: undefined,
      };
    }
    case 'V_MPEG4/ISO/AVC': {
      if (!cp || cp.length < 7) throw corrupt(name, 'its H.264 track has no decoder configuration');
      const codec = `avc1.${hex2(cp[1] ?? 0)}${hex2(cp[2] ?? 0)}${hex2(cp[3] ?? 0)}`;
      return { codec, description: cp };
    }
    default:
      throw needsFfmpeg(name, `the Matroska codec ${track.codecId || '(none)'}`);
  }
}

/** Demuxes the first video track of a WebM/Matroska file (samples in file order = decode order). */
export async function demuxWebm(
  file: Blob,
  name: string,
  container: 'webm' | 'matroska',
  options: { signal?: AbortSignal | undefined } = {},
): Promise<DemuxedVideo> {
  const reader = new BlobWindowReader(file, name);
  const size = file.size;
  const header = async (at: number) => {
    const n = Math.min(12, size - at);
    return n >= 2 ? readElementHeader(await reader.read(at, n), 0) : null;
  };
  const ebml = await header(0);
  if (ebml?.id !== ID.EBML || ebml.size === UNKNOWN_SIZE) throw corrupt(name, 'no EBML header');
  let at = ebml.headerLength + ebml.size;
  const segment = await header(at);
  if (segment?.id !== ID.Segment) throw corrupt(name, 'no Segment element');
  const segmentStart = at + segment.headerLength;
  const segmentEnd = segment.size === UNKNOWN_SIZE ? size : Math.min(size, segmentStart + segment.size);

  let timecodeScale = 1e6;
  const tracks: WebmTrack[] = [];
  const blocks: RawBlock[] = [];
  let truncated = 0;

  const addBlock = async (start: number, length: number, clusterTime: number, key: boolean | null) => {
    if (start + length > size) {
      truncated++;
      return;
    }
    const head = await reader.read(start, Math.min(length, 12));
    const track = readVint(head, 0);
    if (!track || head.length < track.length + 3) throw corrupt(name, `a block at byte ${start} is damaged`);
    const relative = new DataView(head.buffer, head.byteOffset + track.length, 2).getInt16(0);
    const flags = head[track.length + 2] ?? 0;
    if ((flags & 0x06) !== 0) throw corrupt(name, 'laced video blocks are not supported');
    const headerLength = track.length + 3;
    blocks.push({
      track: track.value,
      time: clusterTime + relative,
      offset: start + headerLength,
      size: length - headerLength,
      isSync: key ?? (flags & 0x80) !== 0,
    });
  };

  /** Reads the cluster at [start, end) and returns where the next top-level element starts. */
  const readCluster = async (start: number, end: number, unknownSize: boolean): Promise<number> => {
    let clusterTime = 0;
    let p = start;
    while (p < end) {
      const h = await header(p);
      if (!h) return end;
      if (unknownSize && TOP_LEVEL.has(h.id)) return p;
      if (h.size === UNKNOWN_SIZE) throw corrupt(name, 'an unknown-size element inside a cluster');
      const dataStart = p + h.headerLength;
      if (h.id === ID.Timecode) clusterTime = readUint(await reader.read(dataStart, Math.min(h.size, 8)));
      else if (h.id === ID.SimpleBlock) await addBlock(dataStart, h.size, clusterTime, null);
      else if (h.id === ID.BlockGroup && dataStart + h.size <= size) {
        const group = (await reader.read(dataStart, h.size)).slice();
        let block: Uint8Array | undefined;
        let reference = false;
        for (const [id, data] of children(group)) {
          if (id === ID.Block) block = data;
          else if (id === ID.ReferenceBlock) reference = true;
        }
        if (block) await addBlock(dataStart + block.byteOffset, block.byteLength, clusterTime, !reference);
      } else if (h.id === ID.BlockGroup) truncated++;
      p = dataStart + h.size;
    }
    return end;
  };

  at = segmentStart;
  while (at < segmentEnd) {
    throwIfCancelled(options.signal, `Reading ${name}`);
    const h = await header(at);
    if (!h) break;
    const dataStart = at + h.headerLength;
    if (h.id === ID.Cluster) {
      const end = h.size === UNKNOWN_SIZE ? segmentEnd : Math.min(segmentEnd, dataStart + h.size);
      at = await readCluster(dataStart, end, h.size === UNKNOWN_SIZE);
      continue;
    }
    if (h.size === UNKNOWN_SIZE) throw corrupt(name, `an unknown-size element 0x${h.id.toString(16)}`);
    if ((h.id === ID.Info || h.id === ID.Tracks) && dataStart + h.size > size)
      throw corrupt(name, 'it is truncated');
    if (h.id === ID.Info) {
      for (const [id, data] of children(await reader.read(dataStart, h.size))) {
        if (id === ID.TimecodeScale) timecodeScale = readUint(data) || 1e6;
      }
    } else if (h.id === ID.Tracks) {
      const payload = (await reader.read(dataStart, h.size)).slice();
      for (const [id, data] of children(payload)) {
        const track = id === ID.TrackEntry ? parseVideoTrack(data) : null;
        if (track) tracks.push(track);
      }
    }
    at = dataStart + h.size;
  }

  const track = tracks[0];
  if (!track) throw corrupt(name, 'it has no video track');
  if (track.encoded) throw needsFfmpeg(name, 'Matroska content encoding (compressed or encrypted blocks)');
  const own = blocks.filter((b) => b.track === track.number);
  if (own.length === 0) throw corrupt(name, 'its video track has no frames');
  const first = own.find((b) => b.isSync) ?? own[0];
  const firstFrame = first ? (await reader.read(first.offset, Math.min(first.size, 4))).slice() : undefined;
  const { codec, description } = webmCodec(track, firstFrame, name);

  const toUs = (time: number): number => Math.round((time * timecodeScale) / 1000);
  const times = [...new Set(own.map((b) => b.time))].sort((a, b) => a - b);
  const nextTime = new Map<number, number>();
  times.forEach((t, i) => nextTime.set(t, times[i + 1] ?? Number.NaN));
  const fallbackUs =
    track.defaultDurationNs > 0
      ? Math.round(track.defaultDurationNs / 1000)
      : times.length > 1
        ? toUs((times[times.length - 1] ?? 0) - (times[0] ?? 0)) / (times.length - 1)
        : 0;
  const samples: EncodedSample[] = own.map((b) => {
    const next = nextTime.get(b.time) ?? Number.NaN;
    return {
      offset: b.offset,
      size: b.size,
      ctsUs: toUs(b.time),
      durationUs: Number.isNaN(next) ? Math.round(fallbackUs) : toUs(next) - toUs(b.time),
      isSync: b.isSync,
    };
  });
  return {
    name,
    container,
    codec,
    description,
    colourSpace: track.colourSpace,
    codedWidth: track.width,
    codedHeight: track.height,
    displayWidth: track.displayWidth || track.width,
    displayHeight: track.displayHeight || track.height,
    rotation: 0,
    samples,
    droppedSamples: truncated,
    headerBytesRead: reader.bytesRead,
  };
}
