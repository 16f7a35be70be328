// Opening videos for the ffmpeg.wasm path (ingest or compute worker): AVI files from their RIFF header, and
// MP4/WebM files whose codec WebCodecs cannot decode from their demuxed samples. Pure apart from Blob reads.
import type { DemuxedVideo } from '../demuxed.ts';
import { planFrames, type FramePlan, type PlanOptions, type PlannedSample } from '../framePlan.ts';
import { rotatedSize, shortSideSize } from '../geometry.ts';
import type { VideoLayout } from '../openVideo.ts';
import { AVI_HEADER_BYTES, aviCodecName, parseAviHeader } from './aviHeader.ts';

/** A video that ffmpeg.wasm decodes: the same layout and plan as the WebCodecs path, no decoder config. */
export interface FfmpegVideo {
  readonly backend: 'ffmpeg';
  readonly name: string;
  readonly file: Blob;
  readonly plan: FramePlan;
  readonly layout: VideoLayout;
}

export interface FfmpegOpenOptions extends PlanOptions {
  readonly shortSide: number;
}

function layoutOf(
  base: Pick<VideoLayout, 'container' | 'codec' | 'rotation' | 'droppedSamples'>,
  width: number,
  height: number,
  plan: FramePlan,
  shortSide: number,
): VideoLayout {
  const shown = rotatedSize(width, height, base.rotation);
  const stored = shortSideSize(shown.width, shown.height, shortSide);
  return {
    ...base,
    sourceWidth: shown.width,
    sourceHeight: shown.height,
    width: stored.width,
    height: stored.height,
    frameCount: plan.kept.length,
    sourceFrameCount: plan.sourceFrameCount,
    fps: plan.fps,
    sourceFps: plan.sourceFps,
    durationSec: plan.durationSec,
  };
}

/** Opens an AVI file from its header (no decoding). Throws CORRUPT_VIDEO for unreadable headers. */
export async function openAvi(file: Blob, name: string, options: FfmpegOpenOptions): Promise<FfmpegVideo> {
  const head = new Uint8Array(await file.slice(0, AVI_HEADER_BYTES).arrayBuffer());
  const info = parseAviHeader(head, name);
  const frameUs = 1e6 / info.fps;
  const samples: PlannedSample[] = Array.from({ length: info.frameCount }, (_, i) => ({
    ctsUs: i * frameUs,
    durationUs: frameUs,
    isSync: i === 0,
  }));
  const plan = planFrames(samples, options);
  const layout = layoutOf(
    { container: 'avi', codec: aviCodecName(info.fourcc), rotation: 0, droppedSamples: 0 },
    info.width,
    info.height,
    plan,
    options.shortSide,
  );
  return {
    backend: 'ffmpeg',
    name,
    file,
    plan,
    layout,
  };
}

/** An already demuxed MP4/WebM track whose codec WebCodecs rejected (e.g. `mp4v.20`, HEVC on Linux). */
export function ffmpegVideoFromDemuxed(
  file: Blob,
  demuxed: DemuxedVideo,
  options: FfmpegOpenOptions,
): FfmpegVideo {
  const plan = planFrames(demuxed.samples, options);
  const layout = layoutOf(
    {
      container: demuxed.container,
      codec: demuxed.codec,
      rotation: demuxed.rotation,
      droppedSamples: demuxed.droppedSamples,
    },
    demuxed.displayWidth,
    demuxed.displayHeight,
    plan,
    options.shortSide,
  );
  return {
    backend: 'ffmpeg',
    name: demuxed.name,
    file,
    plan,
    layout,
  };
}
