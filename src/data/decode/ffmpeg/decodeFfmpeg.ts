// ffmpeg.wasm decoding to stored frames (compute or ingest worker): the input goes into ffmpeg's MEMFS, ffmpeg
// scales (and rotates) to the stored size and writes raw rgb24 for one segment of frames at a time, so memory
// stays bounded by the input size plus one segment (SEGMENT_BYTES); audio and subtitles are never decoded.
import { TubeletError } from '../../../shared/errors.ts';
import { throwIfCancelled } from '../cancel.ts';
import type { DecodedFrame, DecodeOptions, DecodeStats } from '../decodeVideo.ts';
import { clearLog, ffmpegLog, resetFfmpeg, withFfmpeg } from './core.ts';
import type { FfmpegVideo } from './ffmpegVideo.ts';

/** Largest file the ffmpeg.wasm path accepts: MEMFS holds the whole input in the decoding worker's memory. */
export const MAX_FFMPEG_INPUT_BYTES = 1 << 30;
/** Raw output of one ffmpeg run (one segment); e.g. 1024 frames at 171×128. */
export const SEGMENT_BYTES = 64 << 20;

export interface FfmpegDecodeOptions extends Omit<DecodeOptions, 'queueDepth' | 'createDecoder'> {
  /** Presentation positions decoded per ffmpeg run; default from SEGMENT_BYTES (tests force small ones). */
  readonly segmentFrames?: number | undefined;
}

let fileSeq = 0;

/** MEMFS name extension per container (ffmpeg probes the bytes, the extension only breaks ties). */
const INPUT_EXTENSIONS: Record<FfmpegVideo['layout']['container'], string> = {
  avi: 'avi',
  webm: 'webm',
  matroska: 'mkv',
  mp4: 'mp4',
  mov: 'mov',
  jpeg: 'jpg',
  png: 'png',
};

function decodeFailed(name: string, what: string, details?: string): TubeletError {
  return new TubeletError('DECODE_FAILED', `${name} could not be decoded by ffmpeg.wasm: ${what}.`, {
    hint: 'The file may be damaged or truncated; try a fresh copy, or convert it with ffmpeg.',
    ...(details ? { details } : {}),
  });
}

/**
 * The `-vf` chain: from presentation position `p0` on (later segments), rotation (clockwise, as the layout
 * says), then scaling to the stored size.
 */
export function ffmpegFilters(video: Pick<FfmpegVideo, 'layout'>, p0 = 0): string {
  const { rotation, width, height } = video.layout;
  const turn = { 0: [], 90: ['transpose=clock'], 180: ['hflip', 'vflip'], 270: ['transpose=cclock'] }[
    rotation
  ];
  const skip = p0 > 0 ? [`select=gte(n\\,${p0})`] : [];
  return [...skip, ...turn, `scale=${width}:${height}:flags=area`].join(',');
}

/**
 * ffmpeg arguments that write presentation positions [p0, p0+count) of `input` as rgb24 to `output`. Later
 * segments decode from the start and drop the frames before `p0` unscaled: exact for every stream (seeking
 * with -ss lands one frame off in AVI files with B-frames, whose timestamps are partly missing), at a decode
 * cost that grows with the square of the segment count (one segment holds ~1000 frames of 171×128).
 */
export function segmentArgs(
  video: FfmpegVideo,
  input: string,
  output: string,
  p0: number,
  count: number,
): string[] {
  return [
    ...['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-noautorotate', '-i', input],
    ...['-map', '0:v:0', '-an', '-sn', '-dn', '-vf', ffmpegFilters(video, p0)],
    // One output frame per decoded frame: `cfr` would duplicate the first frame of streams whose timestamps
    // start one frame late (AVI with B-frames) and shift every later frame.
    ...['-fps_mode', 'passthrough', '-frames:v', `${count}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', output],
  ];
}

/**
 * Decodes `video` through ffmpeg.wasm and hands stored frames `startFrame..frameCount-1` to `onFrame` in order,
 * awaiting each — the same contract as the WebCodecs `streamFrames`. Frames ffmpeg does not produce (truncated
 * files) are repaired by repeating a neighbour; more than `maxRepairedFraction` of them is DECODE_FAILED.
 * Throws JOB_CANCELLED on abort (the ffmpeg instance is then terminated and reloaded on next use).
 */
export async function streamFfmpegFrames(
  video: FfmpegVideo,
  onFrame: (frame: DecodedFrame) => void | Promise<void>,
  options: FfmpegDecodeOptions = {},
): Promise<DecodeStats> {
  const { name, plan, layout, file } = video;
  const signal = options.signal;
  const startFrame = Math.max(0, options.startFrame ?? 0);
  throwIfCancelled(signal, `Decoding ${name}`);
  const total = plan.kept.length - startFrame;
  if (total <= 0) return { framesEmitted: 0, repairedFrames: 0, samplesDecoded: 0, bytesRead: 0 };
  if (file.size > MAX_FFMPEG_INPUT_BYTES) {
    throw decodeFailed(
      name,
      `the file is ${(file.size / 2 ** 30).toFixed(2)} GiB, over the ${MAX_FFMPEG_INPUT_BYTES / 2 ** 30} GiB limit of the ffmpeg.wasm path`,
    );
  }
  const frameBytes = layout.width * layout.height * 3;
  const segment = Math.max(1, options.segmentFrames ?? Math.floor(SEGMENT_BYTES / frameBytes));
  const firstPos = plan.kept[startFrame] ?? 0;
  const lastPos = plan.kept[plan.kept.length - 1] ?? 0;
  const ext = INPUT_EXTENSIONS[layout.container];
  const seq = fileSeq++;
  const input = `in${seq}.${ext}`;
  const output = `out${seq}.rgb`;

  let emitted = 0;
  let repaired = 0;
  let decodedPositions = 0;
  let j = startFrame;
  let lastGood: Uint8Array | undefined;
  const pending: number[] = [];
  const emit = async (index: number, rgb: Uint8Array, isRepair: boolean): Promise<void> => {
    throwIfCancelled(signal, `Decoding ${name}`);
    await onFrame({ index, timestampUs: plan.keptTimestampsUs[index] ?? 0, rgb, repaired: isRepair });
    emitted++;
    if (isRepair) repaired++;
    options.onProgress?.({ type: 'decode', framesDone: index + 1, framesTotal: plan.kept.length });
  };

  const msg = signal ? { signal } : {};
  const run = async (ffmpeg: Parameters<Parameters<typeof withFfmpeg>[0]>[0]): Promise<void> => {
    // The video may have waited for the instance while another one decoded.
    throwIfCancelled(signal, `Decoding ${name}`);
    await ffmpeg.writeFile(input, new Uint8Array(await file.arrayBuffer()), msg);
    for (let p0 = firstPos; p0 <= lastPos; p0 += segment) {
      const count = Math.min(segment, lastPos + 1 - p0);
      clearLog();
      const ret = await ffmpeg.exec(segmentArgs(video, input, output, p0, count), 120_000 + 500 * count, msg);
      const data = await ffmpeg.readFile(output, 'binary', msg).catch(() => new Uint8Array(0));
      await ffmpeg.deleteFile(output).catch(() => undefined);
      if (typeof data === 'string') throw decodeFailed(name, 'ffmpeg returned text, not frames');
      const got = Math.min(count, Math.floor(data.length / frameBytes));
      if (ret !== 0 && got === 0) {
        throw decodeFailed(name, `ffmpeg exited with status ${ret}`, ffmpegLog());
      }
      decodedPositions += got;
      for (let p = p0; p < p0 + count; p++) {
        const index = j;
        if ((plan.kept[index] ?? -1) !== p) continue;
        j++;
        if (p - p0 < got) {
          const rgb = data.subarray((p - p0) * frameBytes, (p - p0 + 1) * frameBytes);
          for (const held of pending.splice(0)) await emit(held, rgb, true);
          lastGood = rgb;
          await emit(index, rgb, false);
        } else if (lastGood) {
          await emit(index, lastGood, true);
        } else {
          pending.push(index);
        }
      }
    }
  };

  try {
    await withFfmpeg(async (ffmpeg) => {
      try {
        await run(ffmpeg);
      } finally {
        if (!signal?.aborted) {
          await ffmpeg.deleteFile(input).catch(() => undefined);
          await ffmpeg.deleteFile(output).catch(() => undefined);
        }
      }
    });
  } catch (error) {
    if (signal?.aborted) {
      // ffmpeg may still be running inside its worker: throw the instance away.
      await resetFfmpeg();
      throw new TubeletError('JOB_CANCELLED', `Decoding ${name} was cancelled.`);
    }
    if (error instanceof TubeletError) throw error;
    // The worker rejected (e.g. the wasm ran out of memory): the instance may be unusable.
    await resetFfmpeg();
    throw decodeFailed(name, 'the ffmpeg.wasm worker failed', `${String(error)}\n${ffmpegLog()}`);
  }
  if (emitted < total || decodedPositions === 0) {
    throw decodeFailed(name, 'ffmpeg produced no frames', ffmpegLog());
  }
  const allowed = Math.max(1, Math.floor(total * (options.maxRepairedFraction ?? 0.1)));
  if (repaired > allowed) {
    throw decodeFailed(name, `${repaired} of ${total} frames were missing from ffmpeg's output`, ffmpegLog());
  }
  return {
    framesEmitted: emitted,
    repairedFrames: repaired,
    samplesDecoded: decodedPositions,
    bytesRead: file.size,
  };
}
