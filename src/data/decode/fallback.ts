// The coded error that routes a file to the ffmpeg.wasm decoding path (any thread; pure). openVideo takes that
// path itself for AVI files and WebCodecs-rejected codecs when called with `ffmpegFallback: true`.
import { TubeletError } from '../../shared/errors.ts';

/** NEEDS_FFMPEG for `name`: `what` (a codec or container) has no decoder or demuxer in the browser path. */
export function needsFfmpeg(name: string, what: string): TubeletError {
  return new TubeletError('NEEDS_FFMPEG', `${name} uses ${what}, which the browser's decoder cannot read.`, {
    hint: 'Ingest it with the ffmpeg.wasm fallback enabled, or convert it to H.264 or VP9 with ffmpeg.',
    details: what,
  });
}
