// WebM as Chrome's own MediaRecorder writes it (unknown-size Segment and Clusters, no Cues), demuxed and
// decoded in real Chromium.
import { describe, expect, it } from 'vitest';
import { decodeVideo } from './decodeVideo.ts';
import {
  centreColour,
  nearestPatternIndex,
  patternFrameRgb,
  PATTERN_HEIGHT,
  PATTERN_WIDTH,
} from './testing/pattern.ts';

async function recordPattern(mimeType: string, frames: number): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = PATTERN_WIDTH;
  canvas.height = PATTERN_HEIGHT;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D context');
  const stream = canvas.captureStream(0);
  const [track] = stream.getVideoTracks() as (MediaStreamTrack & { requestFrame(): void })[];
  if (!track) throw new Error('no canvas track');
  const recorder = new MediaRecorder(stream, { mimeType, videoBitsPerSecond: 2_000_000 });
  const parts: Blob[] = [];
  recorder.ondataavailable = (e) => parts.push(e.data);
  const stopped = new Promise((resolve) => (recorder.onstop = resolve));
  recorder.start(100);
  for (let i = 0; i < frames; i++) {
    const rgb = patternFrameRgb(i);
    const image = ctx.createImageData(PATTERN_WIDTH, PATTERN_HEIGHT);
    for (let p = 0; p < PATTERN_WIDTH * PATTERN_HEIGHT; p++) {
      image.data.set([rgb[p * 3] ?? 0, rgb[p * 3 + 1] ?? 0, rgb[p * 3 + 2] ?? 0, 255], p * 4);
    }
    ctx.putImageData(image, 0, 0);
    track.requestFrame();
    await new Promise((r) => setTimeout(r, 60));
  }
  recorder.stop();
  await stopped;
  track.stop();
  return new Blob(parts, { type: mimeType });
}

describe('WebM from MediaRecorder', () => {
  for (const mimeType of ['video/webm;codecs=vp8', 'video/webm;codecs=vp9']) {
    it(`decodes a ${mimeType} recording with unknown-size elements`, async () => {
      expect(MediaRecorder.isTypeSupported(mimeType)).toBe(true);
      const blob = await recordPattern(mimeType, 12);
      const head = new Uint8Array(await blob.slice(0, 256).arrayBuffer());
      // The Segment ID followed by the 8-byte "unknown size" marker, as live recorders write it.
      const hex = [...head].map((b) => b.toString(16).padStart(2, '0')).join('');
      expect(hex).toContain('18538067' + '01ffffffffffffff');
      const { layout, frames } = await decodeVideo(blob, 'recording.webm', { shortSide: 32 });
      expect(layout.container).toBe('webm');
      expect(layout.frameCount).toBeGreaterThanOrEqual(6);
      const frameBytes = layout.width * layout.height * 3;
      const seen: number[] = [];
      for (let i = 0; i < layout.frameCount; i++) {
        const { index, distance } = nearestPatternIndex(
          centreColour(frames.subarray(i * frameBytes, (i + 1) * frameBytes), layout.width, layout.height),
        );
        expect(distance).toBeLessThan(20);
        seen.push(index);
      }
      // Recorded frames appear in the order drawn (some may be dropped or repeated by the recorder).
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(seen[seen.length - 1]).toBeGreaterThanOrEqual(6);
    });
  }
});
