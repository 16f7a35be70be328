// Demux + WebCodecs decode of ffmpeg-made fixtures in real Chromium: frame count, content and order, B-frame
// reordering, rotation, box order, coded errors, cancellation, and that every VideoFrame is closed.
import { describe, expect, it } from 'vitest';
import { TubeletError } from '../../shared/errors.ts';
import { decodeVideo, streamFrames } from './decodeVideo.ts';
import { demuxMp4 } from './mp4.ts';
import { openVideo } from './openVideo.ts';
import { encodePatternMp4 } from './testing/encodeClip.ts';
import { fixtureFacts, fixtureFile } from './testing/fixtures.ts';
import { centreColour, markerCorner, nearestPatternIndex, PATTERN_FRAMES } from './testing/pattern.ts';

/** Checks that stored frame i shows the pattern colour of source frame `expected[i]`. */
function expectPatternFrames(frames: Uint8Array, width: number, height: number, expected: number[]): void {
  const frameBytes = width * height * 3;
  const seen: number[] = [];
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const frame = frames.subarray(i * frameBytes, (i + 1) * frameBytes);
    const { index, distance } = nearestPatternIndex(centreColour(frame, width, height));
    seen.push(index);
    worst = Math.max(worst, distance);
  }
  expect(seen).toEqual(expected);
  expect(worst).toBeLessThan(12);
}

const range = (n: number, step = 1): number[] => Array.from({ length: n }, (_, i) => i * step);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof TubeletError ? error.code : `not coded: ${String(error)}`;
  }
}

describe('decodeVideo (MP4 through mp4box, WebM/Matroska, WebCodecs)', () => {
  for (const name of [
    'h264_faststart.mp4',
    'h264_moov_end.mp4',
    'vp9.mp4',
    'h264_fragmented.mp4',
    'vp9.webm',
    'vp8.webm',
    'av1.webm',
    'h264_bframes.mkv',
  ]) {
    it(`decodes ${name} to the right frames in order`, async () => {
      const facts = await fixtureFacts(name);
      const { layout, frames, stats } = await decodeVideo(await fixtureFile(name), name, { shortSide: 64 });
      expect(layout.frameCount).toBe(facts.frames);
      expect(layout.frameCount).toBe(PATTERN_FRAMES);
      expect([layout.width, layout.height]).toEqual([85, 64]);
      expect(layout.fps).toBeCloseTo(20, 6);
      expect(stats.repairedFrames).toBe(0);
      expect(frames.length).toBe(layout.frameCount * layout.width * layout.height * 3);
      expectPatternFrames(frames, layout.width, layout.height, range(PATTERN_FRAMES));
    });
  }

  it('reorders B-frames into presentation order', async () => {
    const facts = await fixtureFacts('h264_bframes.mp4');
    expect(facts.bFrames).toBeGreaterThan(10);
    const file = await fixtureFile('h264_bframes.mp4');
    const video = await openVideo(file, 'h264_bframes.mp4');
    const ctsInDecodeOrder = video.demuxed.samples.map((s) => s.ctsUs);
    expect(ctsInDecodeOrder).not.toEqual([...ctsInDecodeOrder].sort((a, b) => a - b));
    const { layout, frames } = await decodeVideo(file, 'h264_bframes.mp4', { shortSide: 64 });
    expectPatternFrames(frames, layout.width, layout.height, range(PATTERN_FRAMES));
  });

  it('finds moov after mdat without reading the mdat payload', async () => {
    const name = 'h264_moov_end.mp4';
    const facts = await fixtureFacts(name);
    expect(facts.moovFirst).toBe(false);
    const file = await fixtureFile(name);
    const demuxed = await demuxMp4(file, name, 'mp4', { parseChunkBytes: 256 });
    expect(demuxed.samples.length).toBe(PATTERN_FRAMES);
    expect(demuxed.headerBytesRead).toBeLessThan(file.size * 0.6);
    expect(demuxed.codec).toMatch(/^avc1\./);
    expect(demuxed.description?.[0]).toBe(1); // AVCDecoderConfigurationRecord version
  });

  for (const name of ['h264_rot90.mp4', 'h264_rot180.mp4', 'h264_rot270.mp4']) {
    it(`applies the track rotation of ${name} like ffmpeg does`, async () => {
      const facts = await fixtureFacts(name);
      const { layout, frames } = await decodeVideo(await fixtureFile(name), name, {
        shortSide: 64,
        maxFrames: 2,
      });
      expect([layout.sourceWidth, layout.sourceHeight]).toEqual([facts.shownWidth, facts.shownHeight]);
      const first = frames.subarray(0, layout.width * layout.height * 3);
      expect(markerCorner(first, layout.width, layout.height)).toBe(facts.markerCorner);
      expect(facts.markerCorner).not.toBe('top-left');
      expectPatternFrames(frames, layout.width, layout.height, [0, 1]);
    });
  }

  it('subsamples the frame rate and caps the frame count', async () => {
    const file = await fixtureFile('h264_bframes.mp4');
    const half = await decodeVideo(file, 'h.mp4', { shortSide: 32, targetFps: 10 });
    expect(half.layout.frameCount).toBe(20);
    expect(half.layout.fps).toBeCloseTo(10, 6);
    expectPatternFrames(half.frames, half.layout.width, half.layout.height, range(20, 2));
    const capped = await decodeVideo(file, 'h.mp4', { shortSide: 32, maxFrames: 7 });
    expectPatternFrames(capped.frames, capped.layout.width, capped.layout.height, range(7));
  });

  it('resumes at a stored frame from the preceding key frame', async () => {
    const file = await fixtureFile('h264_bframes.mp4');
    const video = await openVideo(file, 'h264_bframes.mp4', { shortSide: 32 });
    const seen: number[] = [];
    const colours: number[] = [];
    const stats = await streamFrames(
      video,
      (f) => {
        seen.push(f.index);
        colours.push(nearestPatternIndex(centreColour(f.rgb, video.layout.width, video.layout.height)).index);
      },
      { startFrame: 25 },
    );
    expect(seen).toEqual(range(15).map((i) => i + 25));
    expect(colours).toEqual(seen);
    expect(stats.samplesDecoded).toBeLessThan(PATTERN_FRAMES);
  });

  it('keeps the samples of a truncated file that are present, and fails when the movie header is missing', async () => {
    const cut = await decodeVideo(await fixtureFile('h264_truncated_faststart.mp4'), 'cut.mp4', {
      shortSide: 32,
    });
    expect(cut.layout.droppedSamples).toBeGreaterThan(0);
    expect(cut.layout.frameCount).toBe(PATTERN_FRAMES - cut.layout.droppedSamples);
    expect(await codeOf(decodeVideo(await fixtureFile('h264_truncated_moov_end.mp4'), 'cut2.mp4'))).toBe(
      'CORRUPT_VIDEO',
    );
  });

  it('names codecs and containers that need the ffmpeg.wasm path', async () => {
    for (const name of ['hevc.mp4', 'mpeg4.mp4', 'xvid.avi', 'mpeg4.mkv']) {
      const error = await decodeVideo(await fixtureFile(name), name).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TubeletError);
      expect((error as TubeletError).code).toBe('NEEDS_FFMPEG');
      expect((error as TubeletError).message).toContain(name);
    }
  });

  it('rejects garbage with coded errors that name the file', async () => {
    const junk = new File([new Uint8Array(1000).fill(7)], 'junk.mp4');
    const error = await decodeVideo(junk, 'junk.mp4').catch((e: unknown) => e);
    expect((error as TubeletError).code).toBe('UNSUPPORTED_CONTAINER');
    expect((error as TubeletError).message).toContain('junk.mp4');
    const header = [0, 0, 0, 16, ...new TextEncoder().encode('ftypisom'), 0, 0, 0, 0];
    const fake = new File([new Uint8Array([...header, ...new Uint8Array(500).fill(0xff)])], 'fake.mp4');
    expect(await codeOf(decodeVideo(fake, 'fake.mp4'))).toBe('CORRUPT_VIDEO');
    expect(await codeOf(decodeVideo(new File([], 'empty.mp4'), 'empty.mp4'))).toBe('UNSUPPORTED_CONTAINER');
  });

  it('reports a damaged bitstream as DECODE_FAILED or repairs at most a few frames', async () => {
    const good = new Uint8Array(await (await fixtureFile('h264_faststart.mp4')).arrayBuffer());
    const video = await openVideo(new File([good], 'x.mp4'), 'x.mp4');
    const bad = good.slice();
    for (const s of video.demuxed.samples) bad.fill(0xff, s.offset, s.offset + s.size);
    expect(await codeOf(decodeVideo(new File([bad], 'bad.mp4'), 'bad.mp4'))).toBe('DECODE_FAILED');
  });

  it('closes every VideoFrame, also when cancelled midway', async () => {
    const file = await fixtureFile('h264_bframes.mp4');
    let opened = 0;
    let closed = 0;
    const createDecoder = (init: VideoDecoderInit): VideoDecoder =>
      new VideoDecoder({
        error: init.error,
        output: (frame) => {
          opened++;
          const close = frame.close.bind(frame);
          frame.close = () => {
            closed++;
            close();
          };
          init.output(frame);
        },
      });
    await decodeVideo(file, 'b.mp4', { shortSide: 32, createDecoder });
    expect(opened).toBe(PATTERN_FRAMES);
    expect(closed).toBe(opened);

    const controller = new AbortController();
    const video = await openVideo(file, 'b.mp4', { shortSide: 32 });
    const cancelled = streamFrames(
      video,
      (f) => {
        if (f.index === 5) controller.abort();
      },
      { signal: controller.signal, createDecoder },
    );
    expect(await codeOf(cancelled)).toBe('JOB_CANCELLED');
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(opened);
  });
});

describe('decodeVideo on clips encoded in this browser (WebCodecs VideoEncoder + mp4box writer)', () => {
  for (const codec of ['avc1.42E01E', 'vp09.00.10.08']) {
    it(`decodes a ${codec} clip muxed by mp4box`, async () => {
      const file = await encodePatternMp4(codec);
      const { layout, frames, stats } = await decodeVideo(file, file.name, { shortSide: 64 });
      expect(layout.codec.slice(0, 4)).toBe(codec.slice(0, 4));
      expect(layout.frameCount).toBe(PATTERN_FRAMES);
      expect(stats.repairedFrames).toBe(0);
      expectPatternFrames(frames, layout.width, layout.height, range(PATTERN_FRAMES));
    });
  }
});
