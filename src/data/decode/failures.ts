// Why a file could not be ingested, in words a dataset user acts on (any thread; pure). Maps the coded errors
// of sniff/demux/decode to one reason per file for the ingest summary, the failure list and the CLI.
import { FAILURE_REASONS, type FailureReason } from '../../shared/datasets.ts';
import type { SerializedError } from '../../shared/errors.ts';

export { FAILURE_REASONS, type FailureReason };

/** The reason behind `error` (an error thrown while opening, decoding or storing one file). */
export function failureReason(error: SerializedError): FailureReason {
  switch (error.code) {
    case 'UNSUPPORTED_CONTAINER':
      return /\(0 bytes\)/.test(error.message) ? 'zero-bytes' : 'not-a-video';
    case 'NEEDS_FFMPEG':
      return /codec/i.test(error.details ?? error.message) ? 'unsupported-codec' : 'needs-ffmpeg';
    case 'CORRUPT_VIDEO':
      return /truncated|past (its|the) end|cut short/i.test(error.message) ? 'truncated' : 'corrupt';
    case 'DECODE_FAILED':
      return 'corrupt';
    case 'UNSUPPORTED_RESOLUTION':
      return 'absurd-resolution';
    case 'QUOTA_EXCEEDED':
      return 'quota';
    default:
      return 'other';
  }
}
