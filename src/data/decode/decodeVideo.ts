// WebCodecs decoding of an opened video to resized RGB frames (ingest or compute worker). Owns the
// VideoDecoder: bounded input queue, every VideoFrame closed in a `finally`, frames matched by timestamp.
import { TubeletError } from '../../shared/errors.ts';
import { throwIfCancelled } from './cancel.ts';
import { decodeWindow } from './framePlan.ts';
import { RgbConverter } from './frameToRgb.ts';
import { streamFfmpegFrames } from './ffmpeg/decodeFfmpeg.ts';
import {
  openVideo,
  type OpenOptions,
  type OpenedVideo,
  type VideoLayout,
  type WebCodecsVideo,
} from './openVideo.ts';
import { FrameSequencer } from './sequencer.ts';

export interface DecodedFrame {
  /** Stored frame index (0..frameCount-1). */
  readonly index: number;
  readonly timestampUs: number;
  /** u8[height, width, 3]. Shared with later frames only when `repaired`; treat it as read-only. */
  readonly rgb: Uint8Array;
  readonly repaired: boolean;
}

export interface DecodeProgress {
  readonly type: 'decode';
  readonly framesDone: number;
  readonly framesTotal: number;
}

export interface DecodeOptions {
  /** First stored frame to emit (to resume); earlier frames are decoded only as references. Default 0. */
  readonly startFrame?: number | undefined;
  /** Most decode requests in flight (`decodeQueueSize` bound). Default 8. */
  readonly queueDepth?: number | undefined;
  /** Fail with DECODE_FAILED when more than this fraction of frames had to be repaired. Default 0.1. */
  readonly maxRepairedFraction?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: DecodeProgress) => void) | undefined;
  /** Builds the decoder; tests wrap it to count opened and closed VideoFrames. */
  readonly createDecoder?: ((init: VideoDecoderInit) => VideoDecoder) | undefined;
}

export interface DecodeStats {
  readonly framesEmitted: number;
  readonly repairedFrames: number;
  readonly samplesDecoded: number;
  readonly bytesRead: number;
}

const REORDER_WINDOW = 32;
const WAKE_MS = 25;

function decodeFailed(name: string, what: string, cause?: unknown): TubeletError {
  const detail =
    cause instanceof Error ? `${cause.name}: ${cause.message}` : typeof cause === 'string' ? cause : '';
  return new TubeletError('DECODE_FAILED', `${name} could not be decoded: ${what}.`, {
    hint: 'The file may be damaged; try a fresh copy, or convert it with ffmpeg.',
    ...(detail ? { details: detail } : {}),
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Decodes `video` (with WebCodecs, or ffmpeg.wasm for videos opened through the ffmpeg fallback) and hands
 * stored frames `startFrame..frameCount-1` to `onFrame` in order; see streamWebCodecsFrames.
 */
export function streamFrames(
  video: OpenedVideo,
  onFrame: (frame: DecodedFrame) => void | Promise<void>,
  options: DecodeOptions = {},
): Promise<DecodeStats> {
  return video.backend === 'ffmpeg'
    ? streamFfmpegFrames(video, onFrame, options)
    : streamWebCodecsFrames(video, onFrame, options);
}

/**
 * Decodes `video` and hands stored frames `startFrame..frameCount-1` to `onFrame` in order, awaiting each
 * (a slow consumer slows decoding; memory stays bounded by the queue depth and the decoder's reordering).
 * Throws JOB_CANCELLED on abort, DECODE_FAILED on decoder errors or too many missing frames.
 */
export async function streamWebCodecsFrames(
  video: WebCodecsVideo,
  onFrame: (frame: DecodedFrame) => void | Promise<void>,
  options: DecodeOptions = {},
): Promise<DecodeStats> {
  const { demuxed, plan, layout, name } = video;
  const signal = options.signal;
  const startFrame = Math.max(0, options.startFrame ?? 0);
  const queueDepth = Math.max(1, options.queueDepth ?? 8);
  throwIfCancelled(signal, `Decoding ${name}`);
  const window = decodeWindow(demuxed.samples, plan, startFrame);
  if (!window) return { framesEmitted: 0, repairedFrames: 0, samplesDecoded: 0, bytesRead: 0 };

  const wanted = new Map<number, number>();
  for (let j = startFrame; j < plan.kept.length; j++) wanted.set(plan.keptTimestampsUs[j] ?? 0, j);
  const converter = new RgbConverter(layout.width, layout.height, layout.rotation);
  const sequencer = new FrameSequencer<Uint8Array>(startFrame, plan.kept.length, REORDER_WINDOW);
  const reader = demuxed.openSamples();
  let failure: TubeletError | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const nextEvent = (): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      setTimeout(notify, WAKE_MS);
    });

  const init: VideoDecoderInit = {
    output: (frame) => {
      try {
        const index = failure === undefined ? wanted.get(frame.timestamp) : undefined;
        if (index !== undefined) sequencer.add(index, converter.convert(frame));
      } catch (cause) {
        failure ??= decodeFailed(name, 'a frame could not be converted to RGB', cause);
      } finally {
        frame.close();
        notify();
      }
    },
    error: (cause) => {
      failure ??= decodeFailed(name, 'the decoder reported an error', cause);
      notify();
    },
  };
  const decoder = options.createDecoder ? options.createDecoder(init) : new VideoDecoder(init);
  const onAbort = (): void => {
    if (decoder.state !== 'closed') decoder.close();
    notify();
  };
  signal?.addEventListener('abort', onAbort);
  decoder.addEventListener('dequeue', notify);

  let emitted = 0;
  const emit = async (final: boolean): Promise<void> => {
    for (const f of final ? sequencer.finish() : sequencer.take()) {
      throwIfCancelled(signal, `Decoding ${name}`);
      await onFrame({
        index: f.index,
        timestampUs: plan.keptTimestampsUs[f.index] ?? 0,
        rgb: f.data,
        repaired: f.repaired,
      });
      emitted++;
      options.onProgress?.({ type: 'decode', framesDone: f.index + 1, framesTotal: plan.kept.length });
    }
  };
  const check = (): void => {
    throwIfCancelled(signal, `Decoding ${name}`);
    if (failure) throw failure;
  };

  try {
    decoder.configure(video.config);
    for (let d = window.first; d <= window.last; d++) {
      check();
      const sample = demuxed.samples[d];
      if (!sample) break;
      const data = await reader.read(d, sample);
      while (decoder.decodeQueueSize >= queueDepth) {
        check();
        await nextEvent();
      }
      check();
      try {
        decoder.decode(
          new EncodedVideoChunk({
            // The first chunk after configure() must be a key chunk; the window starts at a sync sample.
            type: sample.isSync || d === window.first ? 'key' : 'delta',
            timestamp: sample.ctsUs,
            duration: sample.durationUs,
            data,
          }),
        );
      } catch (cause) {
        check();
        throw decodeFailed(name, `sample ${d} was rejected`, cause);
      }
      await emit(false);
    }
    check();
    try {
      await decoder.flush();
    } catch (cause) {
      check();
      throw decodeFailed(name, 'flushing the decoder failed', cause);
    }
    check();
    await emit(true);
    const total = plan.kept.length - startFrame;
    if (emitted < total || emitted === 0) throw decodeFailed(name, 'the decoder produced no frames');
    const allowed = Math.max(1, Math.floor(total * (options.maxRepairedFraction ?? 0.1)));
    if (sequencer.repaired > allowed) {
      throw decodeFailed(
        name,
        `${sequencer.repaired} of ${total} frames were missing from the decoder output`,
      );
    }
    return {
      framesEmitted: emitted,
      repairedFrames: sequencer.repaired,
      samplesDecoded: window.last - window.first + 1,
      bytesRead: reader.bytesRead,
    };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    decoder.removeEventListener('dequeue', notify);
    if (decoder.state !== 'closed') decoder.close();
    reader.close();
  }
}

export interface DecodedVideo {
  readonly layout: VideoLayout;
  /** u8[frameCount, height, width, 3]. */
  readonly frames: Uint8Array;
  readonly stats: DecodeStats;
}

/** Opens and decodes a whole video into one packed array; for short clips, tests and previews. */
export async function decodeVideo(
  file: Blob,
  name: string,
  options: OpenOptions & DecodeOptions = {},
): Promise<DecodedVideo> {
  const video = await openVideo(file, name, options);
  const { layout } = video;
  const frameBytes = layout.width * layout.height * 3;
  const frames = new Uint8Array(layout.frameCount * frameBytes);
  const stats = await streamFrames(
    video,
    (frame) => {
      frames.set(frame.rgb, frame.index * frameBytes);
    },
    { ...options, startFrame: 0 },
  );
  return { layout, frames, stats };
}
