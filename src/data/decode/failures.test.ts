import { describe, expect, it } from 'vitest';
import { needsFfmpeg } from './fallback.ts';
import { failureReason } from './failures.ts';

describe('failureReason', () => {
  it('tells the per-file reasons apart from the coded errors the pipeline throws', () => {
    const e = (code: Parameters<typeof failureReason>[0]['code'], message: string) => ({ code, message });
    expect(failureReason(e('UNSUPPORTED_CONTAINER', 'a.mp4 is empty (0 bytes).'))).toBe('zero-bytes');
    expect(failureReason(e('UNSUPPORTED_CONTAINER', 'a.txt is not a video container'))).toBe('not-a-video');
    expect(failureReason(needsFfmpeg('a.avi', 'the AVI container').toJSON())).toBe('needs-ffmpeg');
    expect(failureReason(needsFfmpeg('a.mp4', 'the mp4v.20.9 codec').toJSON())).toBe('unsupported-codec');
    expect(failureReason(e('CORRUPT_VIDEO', 'a.mp4 is truncated: 3 of 9 frames lie past the end'))).toBe(
      'truncated',
    );
    expect(failureReason(e('CORRUPT_VIDEO', 'a.webm could not be read as WebM/Matroska'))).toBe('corrupt');
    expect(failureReason(e('DECODE_FAILED', 'a.mp4 could not be decoded'))).toBe('corrupt');
    expect(failureReason(e('UNSUPPORTED_RESOLUTION', 'a.mp4 declares an absurd picture size'))).toBe(
      'absurd-resolution',
    );
    expect(failureReason(e('INTERNAL', 'boom'))).toBe('other');
  });
});
