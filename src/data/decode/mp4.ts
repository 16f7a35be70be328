// MP4/MOV demuxing through mp4box v2 (ingest or compute worker): box tree, video track, decoder config (or,
// for codecs WebCodecs lacks such as MPEG-4 Part 2, what they are), sample table and rotation. Reads the file lazily: mdat payloads are skipped while parsing (moov may be at
// the end) and samples are read later by offset through BlobWindowReader.
import {
  createFile,
  DataStream,
  Endianness,
  MP4BoxBuffer,
  VisualSampleEntry,
  type Movie,
  type Track,
} from 'mp4box';
import { TubeletError } from '../../shared/errors.ts';
import { offsetSampleReader } from './blobReader.ts';
import type { DemuxedVideo, EncodedSample } from './demuxed.ts';
import { rotationFromMatrix } from './geometry.ts';
import { colourSpaceFromCodePoints } from './colour.ts';
import { throwIfCancelled } from './cancel.ts';
import { needsFfmpeg } from './fallback.ts';

/** Bytes handed to mp4box per `appendBuffer` while looking for the movie header. */
export const PARSE_CHUNK_BYTES = 1 << 20;

type IsoFile = ReturnType<typeof createFile>;

export interface Mp4Options {
  readonly signal?: AbortSignal | undefined;
  /** Bytes per `appendBuffer` while parsing boxes (tests use small values to exercise mdat skipping). */
  readonly parseChunkBytes?: number | undefined;
}

/** Codec families WebCodecs has no decoder for at all (WebCodecs registry); they go to ffmpeg.wasm. */
const NON_WEBCODECS_FAMILIES: Record<string, string> = {
  mp4v: 'MPEG-4 Part 2',
  s263: 'H.263',
  h263: 'H.263',
  mjpa: 'Motion JPEG',
  mjpb: 'Motion JPEG',
  jpeg: 'Motion JPEG',
  apcn: 'Apple ProRes',
  apch: 'Apple ProRes',
  apcs: 'Apple ProRes',
  apco: 'Apple ProRes',
  ap4h: 'Apple ProRes',
  mp2v: 'MPEG-2',
  'dvc ': 'DV',
};

/** What an mp4box track codec is when WebCodecs has no decoder for its family ('MPEG-4 Part 2 (mp4v.20.9)'). */
export function nonWebCodecsCodec(trackCodec: string): string | undefined {
  const other = NON_WEBCODECS_FAMILIES[trackCodec.slice(0, 4)];
  return other === undefined ? undefined : `${other} (${trackCodec})`;
}

/** The WebCodecs codec string for an mp4box track codec, or a NEEDS_FFMPEG error for other families. */
export function webCodecsCodec(trackCodec: string, name: string): string {
  // Browsers do not parse the long `vp08.00.41.08` form (w3c/webcodecs samples).
  if (trackCodec.startsWith('vp08')) return 'vp8';
  const other = nonWebCodecsCodec(trackCodec);
  if (other !== undefined) throw needsFfmpeg(name, other);
  return trackCodec;
}

function corrupt(name: string, why: string, cause?: unknown): TubeletError {
  return new TubeletError('CORRUPT_VIDEO', `${name} could not be read as MP4/MOV: ${why}.`, {
    hint: 'The file may be truncated or damaged; try a fresh copy.',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Fields of mp4box's colr box (the class is not exported by name). */
interface ColrFields {
  colour_type: string;
  colour_primaries: number;
  transfer_characteristics: number;
  matrix_coefficients: number;
  full_range_flag: number;
}

/** A box mp4box can serialise (avcC and hvcC declare different stream types; both write big-endian bytes). */
interface WritableBox {
  write(stream: DataStream): void;
}

/** The first sample entry of a track, when it is a visual one. */
function visualEntry(iso: IsoFile, trackId: number): VisualSampleEntry | undefined {
  const entry: unknown = iso.getTrackById(trackId).mdia.minf.stbl.stsd.entries[0];
  return entry instanceof VisualSampleEntry ? entry : undefined;
}

/** The avcC/hvcC record of a sample entry, without its 8-byte box header. */
function codecDescription(entry: VisualSampleEntry | undefined): Uint8Array | undefined {
  // VP9 (vpcC) and AV1 (av1C) decode without a description; mp4box cannot serialise vpcC anyway.
  const box: WritableBox | undefined = entry?.avcC ?? entry?.hvcC;
  if (!box) return undefined;
  const stream = new DataStream(undefined, 0, Endianness.BIG_ENDIAN);
  box.write(stream);
  return new Uint8Array(stream.buffer, 8).slice();
}

/** Colour description from an 'nclx' colr box or a version-1 vpcC box of the sample entry. */
function containerColour(entry: VisualSampleEntry | undefined): VideoColorSpaceInit | undefined {
  const colr = (entry as { colr?: Partial<ColrFields> } | undefined)?.colr;
  if (colr?.colour_type === 'nclx') {
    return colourSpaceFromCodePoints({
      primaries: colr.colour_primaries ?? 2,
      transfer: colr.transfer_characteristics ?? 2,
      matrix: colr.matrix_coefficients ?? 2,
      fullRange: colr.full_range_flag === 1,
    });
  }
  const vpcC = entry?.vpcC;
  if (vpcC?.version === 1) {
    return colourSpaceFromCodePoints({
      primaries: vpcC.colourPrimaries,
      transfer: vpcC.transferCharacteristics,
      matrix: vpcC.matrixCoefficients,
      fullRange: vpcC.videoFullRangeFlag === 1,
    });
  }
  return undefined;
}

/** Pixel size the track is shown at before rotation: tkhd width/height when set, else the coded size. */
function displaySize(track: Track): { width: number; height: number } {
  const coded = track.video ?? { width: track.track_width, height: track.track_height };
  const width = track.track_width > 0 ? Math.round(track.track_width) : coded.width;
  const height = track.track_height > 0 ? Math.round(track.track_height) : coded.height;
  return { width, height };
}

const MAX_TOP_LEVEL_BOXES = 100_000;

/**
 * Checks the top-level box headers (size and a printable four-character type) before mp4box sees the file:
 * mp4box logs garbage box types to the console instead of reporting them, so damaged files fail here with a
 * coded error. Boxes running past the end (truncated files) end the walk; their samples are dropped later.
 */
async function checkTopLevelBoxes(file: Blob, name: string): Promise<void> {
  let at = 0;
  for (let n = 0; at + 8 <= file.size && n < MAX_TOP_LEVEL_BOXES; n++) {
    const head = new DataView(await file.slice(at, Math.min(file.size, at + 16)).arrayBuffer());
    const size32 = head.getUint32(0);
    const type = String.fromCharCode(head.getUint8(4), head.getUint8(5), head.getUint8(6), head.getUint8(7));
    if (!/^[\x20-\x7e]{4}$/.test(type)) {
      throw corrupt(name, `byte ${at} should start a box but holds garbage`);
    }
    let size = size32;
    if (size32 === 1) {
      if (head.byteLength < 16) return;
      size = Number(head.getBigUint64(8));
    } else if (size32 === 0) {
      return;
    }
    if (size < 8) throw corrupt(name, `the '${type}' box at byte ${at} has an impossible size (${size})`);
    at += size;
  }
}

/** Parses boxes until the movie header is known (all of the file for fragmented MP4), skipping mdat data. */
async function parseMovie(
  file: Blob,
  name: string,
  options: Mp4Options,
): Promise<{ iso: IsoFile; movie: Movie; bytesRead: number }> {
  const chunkBytes = options.parseChunkBytes ?? PARSE_CHUNK_BYTES;
  await checkTopLevelBoxes(file, name);
  const iso = createFile(false);
  let movie: Movie | undefined;
  let parseError: string | undefined;
  iso.onReady = (info) => {
    movie = info;
  };
  iso.onError = (module, message) => {
    parseError = `${module}: ${message}`;
  };
  let position = 0;
  let bytesRead = 0;
  while (position < file.size) {
    throwIfCancelled(options.signal, `Reading ${name}`);
    const end = Math.min(file.size, position + chunkBytes);
    const bytes = await file.slice(position, end).arrayBuffer();
    bytesRead += bytes.byteLength;
    let next: number | undefined;
    try {
      next = iso.appendBuffer(MP4BoxBuffer.fromArrayBuffer(bytes, position), end === file.size);
    } catch (cause) {
      throw corrupt(name, `the box structure is invalid near byte ${position}`, cause);
    }
    if (parseError !== undefined) throw corrupt(name, parseError);
    // Fragmented files list their samples in moof boxes spread over the whole file.
    if (movie && !movie.isFragmented) break;
    // mp4box answers with the next byte it needs: past an mdat it has skipped, or the end of what it has.
    position = typeof next === 'number' && next > end ? next : end;
  }
  iso.flush();
  if (parseError !== undefined) throw corrupt(name, parseError);
  if (!movie) throw corrupt(name, 'no movie header (moov box) was found');
  if (movie.isFragmented) movie = iso.getInfo();
  return { iso, movie, bytesRead };
}

/**
 * Demuxes the first video track of an MP4/MOV file: WebCodecs config parts, rotation, and the sample table in
 * decode order (timestamps in microseconds, presentation time = cts).
 */
export async function demuxMp4(
  file: Blob,
  name: string,
  container: 'mp4' | 'mov',
  options: Mp4Options = {},
): Promise<DemuxedVideo> {
  const { iso, movie, bytesRead } = await parseMovie(file, name, options);
  const track = movie.videoTracks[0];
  if (!track) throw corrupt(name, 'it has no video track');
  // Codecs without any WebCodecs decoder keep their track codec and are routed to ffmpeg.wasm by openVideo.
  const ffmpegOnly = nonWebCodecsCodec(track.codec);
  const codec = ffmpegOnly === undefined ? webCodecsCodec(track.codec, name) : track.codec;
  const table = iso.getTrackSamplesInfo(track.id) as ReturnType<IsoFile['getTrackSamplesInfo']> | undefined;
  if (!table || table.length === 0) throw corrupt(name, 'its video track has no samples');
  const samples: EncodedSample[] = [];
  let droppedSamples = 0;
  for (const s of table) {
    if (s.offset + s.size > file.size || s.size <= 0) {
      droppedSamples++;
      continue;
    }
    samples.push({
      offset: s.offset,
      size: s.size,
      ctsUs: Math.round((1e6 * s.cts) / s.timescale),
      durationUs: Math.round((1e6 * s.duration) / s.timescale),
      isSync: s.is_sync,
    });
  }
  if (samples.length === 0) throw corrupt(name, 'every sample lies past the end of the file');
  const coded = track.video ?? { width: track.track_width, height: track.track_height };
  const shown = displaySize(track);
  const entry = visualEntry(iso, track.id);
  const colourSpace = containerColour(entry);
  return {
    name,
    container,
    codec,
    ffmpegOnly,
    description: codecDescription(entry),
    colourSpace,
    codedWidth: coded.width,
    codedHeight: coded.height,
    displayWidth: shown.width,
    displayHeight: shown.height,
    rotation: rotationFromMatrix(track.matrix),
    samples,
    droppedSamples,
    headerBytesRead: bytesRead,
    openSamples: () => offsetSampleReader(file, name),
  };
}
