// The container-independent result of demuxing one video track (ingest or compute worker; types only).
// Produced by mp4.ts (MP4/MOV) and webm.ts (WebM/Matroska); consumed by openVideo.ts and decodeVideo.ts.
import type { ContainerKind } from './sniff.ts';
import type { Rotation } from './geometry.ts';

/**
 * One encoded sample, listed in decode order. For MP4/MOV its bytes are [offset, offset+size) of the source
 * file; demuxers that read samples themselves (WebM/Matroska through mediabunny) set offset to -1.
 */
export interface EncodedSample {
  readonly offset: number;
  readonly size: number;
  /** Presentation timestamp in microseconds (the EncodedVideoChunk timestamp). */
  readonly ctsUs: number;
  readonly durationUs: number;
  readonly isSync: boolean;
}

/** Reads encoded samples of one video for a decoder; cheapest when called in increasing decode order. */
export interface SampleReader {
  /** The bytes of sample `index` (decode order); valid until the next call. */
  read(index: number, sample: EncodedSample): Promise<Uint8Array>;
  /** Bytes read from the source so far (payloads and the container structure around them). */
  readonly bytesRead: number;
  /** Releases what the reader holds (iterators, windows). Safe to call twice. */
  close(): void;
}

export interface DemuxedVideo {
  /** The source file name, for messages. */
  readonly name: string;
  readonly container: ContainerKind;
  /** WebCodecs codec string (e.g. `avc1.64001f`, `vp09.00.10.08`, `vp8`); the container's own id otherwise. */
  readonly codec: string;
  /**
   * Set when no WebCodecs decoder exists for the codec at all (MPEG-4 Part 2 `mp4v.20.*` in MP4,
   * `V_MPEG4/ISO/ASP` in Matroska, …): what it is, for messages. Such tracks decode through ffmpeg.wasm.
   */
  readonly ffmpegOnly: string | undefined;
  /** Codec configuration record (avcC/hvcC/av1C payload without its box header), when the codec has one. */
  readonly description: Uint8Array | undefined;
  /** Colour space the container declares; absent lets the decoder use the bitstream's. */
  readonly colourSpace: VideoColorSpaceInit | undefined;
  readonly codedWidth: number;
  readonly codedHeight: number;
  /** Picture size before rotation (track width/height, pixel aspect applied). */
  readonly displayWidth: number;
  readonly displayHeight: number;
  readonly rotation: Rotation;
  /** Decode order. */
  readonly samples: readonly EncodedSample[];
  /** Samples listed by the container whose bytes lie past the end of the file (truncated downloads). */
  readonly droppedSamples: number;
  /** Bytes read to parse the container structure (mdat payloads are skipped, not read). */
  readonly headerBytesRead: number;
  /** A fresh reader of this video's sample bytes (one per decode pass). */
  openSamples(): SampleReader;
}
