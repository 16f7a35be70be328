// The coded error that routes a file to the (future) ffmpeg.wasm decoding path (any thread; pure).
import { TubeletError } from '../../shared/errors.ts';

/** NEEDS_FFMPEG for `name`: `what` (a codec or container) has no decoder or demuxer in the browser path. */
export function needsFfmpeg(name: string, what: string): TubeletError {
  return new TubeletError('NEEDS_FFMPEG', `${name} uses ${what}, which the browser's decoder cannot read.`, {
    hint: 'This file needs the ffmpeg.wasm decoding path, which is not built yet; convert it to H.264 or VP9 meanwhile.',
    details: what,
  });
}
