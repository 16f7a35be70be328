// WebM/Matroska demuxing through mediabunny (ingest or compute worker): the primary video track's decoder
// config, geometry and packet list (metadata only: payloads are not read here). Sample bytes are read later,
// in decode order, through mediabunny's packet iterator. No EBML is parsed by hand.
import {
  BlobSource,
  EncodedPacketSink,
  Input,
  MATROSKA,
  WEBM,
  type EncodedPacket,
  type InputVideoTrack,
} from 'mediabunny';
import { TubeletError } from '../../shared/errors.ts';
import { throwIfCancelled } from './cancel.ts';
import type { DemuxedVideo, EncodedSample, SampleReader } from './demuxed.ts';
import type { Rotation } from './geometry.ts';

function corrupt(name: string, why: string, cause?: unknown): TubeletError {
  const details = cause instanceof Error ? `${cause.name}: ${cause.message}` : undefined;
  return new TubeletError('CORRUPT_VIDEO', `${name} could not be read as WebM/Matroska: ${why}.`, {
    hint: 'The file may be truncated or damaged; try a fresh copy.',
    ...(details === undefined ? {} : { details }),
    ...(cause === undefined ? {} : { cause }),
  });
}

const rethrow =
  (name: string, why: string) =>
  (cause: unknown): never => {
    if (cause instanceof TubeletError) throw cause;
    throw corrupt(name, why, cause);
  };

/** Reads packets in decode order through one mediabunny iterator, restarting it only on a jump. */
class PacketReader implements SampleReader {
  private iterator: AsyncGenerator<EncodedPacket, void> | undefined;
  private nextIndex = -1;
  bytesRead = 0;

  constructor(
    private readonly sink: EncodedPacketSink,
    private readonly meta: readonly EncodedPacket[],
    private readonly name: string,
  ) {}

  async read(index: number): Promise<Uint8Array> {
    const want = this.meta[index];
    if (!want) throw corrupt(this.name, `sample ${index} does not exist`);
    if (!this.iterator || index !== this.nextIndex) {
      this.close();
      this.iterator = await this.startAt(index, want);
    }
    const next = await this.iterator.next().catch(rethrow(this.name, `sample ${index} could not be read`));
    const packet = next.done === true ? undefined : next.value;
    if (!packet || packet.sequenceNumber !== want.sequenceNumber) {
      throw corrupt(this.name, `sample ${index} is missing from the file`);
    }
    this.nextIndex = index + 1;
    this.bytesRead += packet.byteLength;
    return packet.data;
  }

  /** An iterator whose next packet is `want` (iteration needs a full packet to start from). */
  private async startAt(index: number, want: EncodedPacket): Promise<AsyncGenerator<EncodedPacket, void>> {
    if (index === 0) return this.sink.packets();
    const start = await this.sink
      .getPacket(want.timestamp)
      .catch(rethrow(this.name, `sample ${index} could not be read`));
    if (start && start.sequenceNumber === want.sequenceNumber) return this.sink.packets(start);
    // Several packets share a timestamp (rare): walk from the first packet up to the wanted one.
    const it = this.sink.packets();
    for (let i = 0; i < index; i++) {
      if ((await it.next()).done === true) break;
    }
    return it;
  }

  close(): void {
    const it = this.iterator;
    this.iterator = undefined;
    this.nextIndex = -1;
    void it?.return(undefined).catch(() => undefined);
  }
}

async function videoTrack(input: Input, name: string): Promise<InputVideoTrack> {
  const track = await input.getPrimaryVideoTrack().catch(rethrow(name, 'its tracks could not be parsed'));
  if (!track) throw corrupt(name, 'it has no video track');
  return track;
}

/** The Matroska CodecID of a track mediabunny cannot describe for WebCodecs (e.g. 'V_MPEG4/ISO/ASP'). */
async function internalCodecId(track: InputVideoTrack): Promise<string> {
  const id = await track.getInternalCodecId().catch(() => null);
  return typeof id === 'string' && /^[\x20-\x7e]{1,64}$/.test(id) ? id : 'unknown';
}

/**
 * Frames the container's declared duration promises past the last packet present: a file cut short keeps its
 * header (with the duration) but loses its last clusters. 0 when no duration is declared (live recordings).
 */
async function missingAtEnd(input: Input, meta: readonly EncodedPacket[]): Promise<number> {
  const declared = await input.getDurationFromMetadata().catch(() => null);
  if (declared === null || !(declared > 0) || meta.length < 2) return 0;
  let end = 0;
  for (const p of meta) end = Math.max(end, p.timestamp + p.duration);
  const first = meta.reduce((t, p) => Math.min(t, p.timestamp), Number.POSITIVE_INFINITY);
  const frame = (end - first) / meta.length;
  if (!(frame > 0)) return 0;
  const missing = Math.round((declared - end) / frame);
  // One or two frames of slack: muxers round the duration and the last frame's length.
  return missing > 2 ? missing : 0;
}

/** Demuxes the primary video track of a WebM/Matroska file (samples in decode order). */
export async function demuxWebm(
  file: Blob,
  name: string,
  container: 'webm' | 'matroska',
  options: { signal?: AbortSignal | undefined } = {},
): Promise<DemuxedVideo> {
  const input = new Input({ source: new BlobSource(file), formats: [WEBM, MATROSKA] });
  const track = await videoTrack(input, name);
  const codecName = await track.getCodec().catch(rethrow(name, 'its codec could not be read'));
  const config = await track.getDecoderConfig().catch(rethrow(name, 'its codec could not be read'));
  // A codec mediabunny does not map to WebCodecs (V_MPEG4/ISO/ASP, V_MPEG2, V_MS/VFW/FOURCC, …) is listed
  // like any other and routed to ffmpeg.wasm by openVideo.
  const codecId = codecName === null || config === null ? await internalCodecId(track) : undefined;
  const [codedWidth, codedHeight, displayWidth, displayHeight, rotation] = await Promise.all([
    track.getCodedWidth(),
    track.getCodedHeight(),
    track.getSquarePixelWidth(),
    track.getSquarePixelHeight(),
    track.getRotation(),
  ]).catch(rethrow(name, 'its video geometry could not be read'));
  if (!(codedWidth > 0 && codedHeight > 0)) throw corrupt(name, 'its video track has no picture size');

  const sink = new EncodedPacketSink(track);
  const meta: EncodedPacket[] = [];
  const list = async (): Promise<void> => {
    for await (const packet of sink.packets(undefined, undefined, { metadataOnly: true })) {
      if (meta.length % 256 === 0) throwIfCancelled(options.signal, `Reading ${name}`);
      meta.push(packet);
    }
  };
  await list().catch(rethrow(name, 'its packets could not be listed'));
  if (meta.length === 0) {
    throw corrupt(name, 'its video track has no complete frame (the file is probably truncated)');
  }

  const samples: EncodedSample[] = meta.map((p) => ({
    offset: -1,
    size: p.byteLength,
    ctsUs: Math.round(p.timestamp * 1e6),
    durationUs: Math.round(p.duration * 1e6),
    isSync: p.type === 'key',
  }));
  const droppedSamples = await missingAtEnd(input, meta);
  const d = config?.description;
  const description =
    d === undefined
      ? undefined
      : ArrayBuffer.isView(d)
        ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice()
        : new Uint8Array(d).slice();
  return {
    name,
    container,
    codec: config?.codec ?? codecId ?? 'unknown',
    ffmpegOnly: codecId === undefined ? undefined : `the Matroska codec ${codecId}`,
    description,
    colourSpace: config?.colorSpace ?? undefined,
    codedWidth,
    codedHeight,
    displayWidth,
    displayHeight,
    rotation: rotation satisfies Rotation,
    samples,
    droppedSamples,
    headerBytesRead: 0,
    openSamples: () => new PacketReader(sink, meta, name),
  };
}
