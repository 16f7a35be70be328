// Opens a dropped video for decoding (ingest or compute worker): sniff → demux → frame plan → WebCodecs config,
// and the stored-frame layout known before any frame is decoded (what the frame store and quota check need).
import { TubeletError } from '../../shared/errors.ts';
import type { DemuxedVideo } from './demuxed.ts';
import { ffmpegVideoFromDemuxed, openAvi, type FfmpegVideo } from './ffmpeg/ffmpegVideo.ts';
import { rotatedSize, shortSideSize, type Rotation } from './geometry.ts';
import { needsFfmpeg } from './fallback.ts';
import { demuxMp4 } from './mp4.ts';
import { planFrames, type FramePlan } from './framePlan.ts';
import { sniffFile, type ContainerKind } from './sniff.ts';
import { demuxWebm } from './webm.ts';

export const DEFAULT_SHORT_SIDE = 128;
/** Source pictures outside [MIN_SIDE, MAX_SIDE] pixels on either side are refused (damaged headers, not video). */
export const MIN_SIDE = 2;
export const MAX_SIDE = 8192;

export interface OpenOptions {
  /** Stored frames have this many pixels on their shorter side (aspect kept). Default 128. */
  readonly shortSide?: number | undefined;
  /** Keep at most this many frames per second (subsampling); absent keeps every frame. */
  readonly targetFps?: number | undefined;
  /** Keep at most this many frames. */
  readonly maxFrames?: number | undefined;
  /** WebCodecs hint; software decoding is the reliable path on Linux and avoids GPU read-back. */
  readonly hardwareAcceleration?: HardwareAcceleration | undefined;
  readonly signal?: AbortSignal | undefined;
  /**
   * Decode what WebCodecs cannot (AVI such as UCF101/HMDB51's Xvid/DivX, codecs the browser rejects such as
   * HEVC on Linux) with ffmpeg.wasm instead of failing with NEEDS_FFMPEG. Default false.
   */
  readonly ffmpegFallback?: boolean | undefined;
}

/** What the stored frames of a video look like; all of it is known before decoding starts. */
export interface VideoLayout {
  readonly container: ContainerKind;
  readonly codec: string;
  readonly rotation: Rotation;
  /** Size the source is shown at (rotation applied). */
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  /** Size of the stored frames: u8[height, width, 3] each. */
  readonly width: number;
  readonly height: number;
  readonly frameCount: number;
  readonly sourceFrameCount: number;
  readonly fps: number;
  readonly sourceFps: number;
  readonly durationSec: number;
  /** Samples the container lists but the file does not hold (truncated file). */
  readonly droppedSamples: number;
}

/** A video decoded by WebCodecs. */
export interface WebCodecsVideo {
  readonly backend: 'webcodecs';
  readonly name: string;
  readonly file: Blob;
  readonly demuxed: DemuxedVideo;
  readonly plan: FramePlan;
  readonly config: VideoDecoderConfig;
  readonly layout: VideoLayout;
}

/** An opened video: WebCodecs-decoded, or (with `ffmpegFallback`) ffmpeg.wasm-decoded. */
export type OpenedVideo = WebCodecsVideo | FfmpegVideo;

async function demux(
  file: Blob,
  name: string,
  kind: ContainerKind,
  signal?: AbortSignal,
): Promise<DemuxedVideo> {
  switch (kind) {
    case 'mp4':
    case 'mov':
      return demuxMp4(file, name, kind, { signal });
    case 'webm':
    case 'matroska':
      return demuxWebm(file, name, kind, { signal });
    case 'avi':
      throw needsFfmpeg(name, 'the AVI container');
    case 'jpeg':
    case 'png':
      throw new TubeletError('UNSUPPORTED_CONTAINER', `${name} is a single ${kind.toUpperCase()} image.`, {
        hint: 'Frame folders are ingested as a folder of images, not one file at a time.',
      });
  }
}

/** A WebCodecs config this browser can decode, or NEEDS_FFMPEG naming the codec. */
export async function supportedConfig(
  demuxed: DemuxedVideo,
  acceleration: HardwareAcceleration = 'prefer-software',
): Promise<VideoDecoderConfig> {
  if (typeof VideoDecoder === 'undefined') {
    throw new TubeletError('DECODE_FAILED', 'WebCodecs VideoDecoder is not available in this browser.', {
      hint: 'Use a recent Chrome or Edge.',
    });
  }
  const base: VideoDecoderConfig = {
    codec: demuxed.codec,
    codedWidth: demuxed.codedWidth,
    codedHeight: demuxed.codedHeight,
    optimizeForLatency: false,
    ...(demuxed.description ? { description: demuxed.description } : {}),
    ...(demuxed.colourSpace ? { colorSpace: demuxed.colourSpace } : {}),
  };
  const preferences: HardwareAcceleration[] =
    acceleration === 'no-preference' ? ['no-preference'] : [acceleration, 'no-preference'];
  for (const hardwareAcceleration of preferences) {
    const config: VideoDecoderConfig = { ...base, hardwareAcceleration };
    const support = await VideoDecoder.isConfigSupported(config).catch(() => ({ supported: false }));
    if (support.supported === true) return config;
  }
  throw needsFfmpeg(demuxed.name, `the ${demuxed.codec} codec`);
}

function checkFrames(name: string, frameCount: number): void {
  if (frameCount === 0) throw new TubeletError('CORRUPT_VIDEO', `${name} has no frames to store.`);
}

/**
 * Sniffs, demuxes and plans `file`; fails with a coded error (naming `name`) before anything is decoded.
 * Without `ffmpegFallback` the result is always a WebCodecs video (NEEDS_FFMPEG otherwise).
 */
export function openVideo(
  file: Blob,
  name: string,
  options?: OpenOptions & { readonly ffmpegFallback?: false | undefined },
): Promise<WebCodecsVideo>;
export function openVideo(file: Blob, name: string, options?: OpenOptions): Promise<OpenedVideo>;
export async function openVideo(file: Blob, name: string, options: OpenOptions = {}): Promise<OpenedVideo> {
  const kind = await sniffFile(file, name);
  const shortSide = options.shortSide ?? DEFAULT_SHORT_SIDE;
  const planOptions = { targetFps: options.targetFps, maxFrames: options.maxFrames, shortSide };
  if (kind === 'avi' && options.ffmpegFallback === true) {
    const video = await openAvi(file, name, planOptions);
    checkFrames(name, video.layout.frameCount);
    return video;
  }
  const demuxed = await demux(file, name, kind, options.signal);
  const plan = planFrames(demuxed.samples, { targetFps: options.targetFps, maxFrames: options.maxFrames });
  checkFrames(name, plan.kept.length);
  const shown = rotatedSize(demuxed.displayWidth, demuxed.displayHeight, demuxed.rotation);
  const sides = [shown.width, shown.height, demuxed.codedWidth, demuxed.codedHeight];
  if (sides.some((s) => !(Number.isFinite(s) && s >= MIN_SIDE && s <= MAX_SIDE))) {
    throw new TubeletError(
      'UNSUPPORTED_RESOLUTION',
      `${name} declares an absurd picture size (${demuxed.codedWidth}×${demuxed.codedHeight} coded, ${shown.width}×${shown.height} shown).`,
      {
        hint: `Videos from ${MIN_SIDE} to ${MAX_SIDE} pixels per side are ingested; the file header is probably damaged.`,
      },
    );
  }
  if (demuxed.ffmpegOnly !== undefined) {
    if (options.ffmpegFallback === true) return ffmpegVideoFromDemuxed(file, demuxed, planOptions);
    throw needsFfmpeg(name, demuxed.ffmpegOnly);
  }
  let config: VideoDecoderConfig;
  try {
    config = await supportedConfig(demuxed, options.hardwareAcceleration);
  } catch (error) {
    const rejected = error instanceof TubeletError && error.code === 'NEEDS_FFMPEG';
    if (rejected && options.ffmpegFallback === true)
      return ffmpegVideoFromDemuxed(file, demuxed, planOptions);
    throw error;
  }
  const stored = shortSideSize(shown.width, shown.height, shortSide);
  const layout: VideoLayout = {
    container: kind,
    codec: demuxed.codec,
    rotation: demuxed.rotation,
    sourceWidth: shown.width,
    sourceHeight: shown.height,
    width: stored.width,
    height: stored.height,
    frameCount: plan.kept.length,
    sourceFrameCount: plan.sourceFrameCount,
    fps: plan.fps,
    sourceFps: plan.sourceFps,
    durationSec: plan.durationSec,
    droppedSamples: demuxed.droppedSamples,
  };
  return { backend: 'webcodecs', name, file, demuxed, plan, config, layout };
}
