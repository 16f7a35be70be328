// ffmpeg.wasm AVI decoding in Chromium against native ffmpeg: frame counts (ffprobe) and pixels (ffmpeg's own
// rgb24 output at the same size), segmented decoding, resume, damaged files and cancellation.
import { afterAll, describe, expect, it } from 'vitest';
import { TubeletError } from '../../../shared/errors.ts';
import { deleteStudioDb } from '../../store/db.ts';
import { frameStore } from '../../store/frames.ts';
import { decodeVideo, streamFrames } from '../decodeVideo.ts';
import { ingestAll } from '../ingest.ts';
import { fixtureFacts, fixtureFile } from '../testing/fixtures.ts';
import { openVideo } from '../openVideo.ts';
import { MAX_FFMPEG_INPUT_BYTES, streamFfmpegFrames } from './decodeFfmpeg.ts';

const URL_BASE = '/test-results/fixtures/avi/';

interface Facts {
  readonly bytes: number;
  readonly frames: number;
  readonly reference: string | null;
}

let manifest: Promise<Record<string, Facts>> | undefined;

async function facts(name: string): Promise<Facts> {
  manifest ??= fetch(`${URL_BASE}manifest.json`).then(async (r) => {
    const m = (await r.json()) as { error: string | null; files: Record<string, Facts> };
    if (m.error !== null) throw new Error(m.error);
    return m.files;
  });
  const f = (await manifest)[name];
  if (!f) throw new Error(`unknown AVI fixture ${name}`);
  return f;
}

async function bytesOf(name: string): Promise<Uint8Array<ArrayBuffer>> {
  const r = await fetch(`${URL_BASE}${name}`);
  if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

const fileOf = async (name: string): Promise<File> => new File([await bytesOf(name)], name);

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'resolved';
  } catch (error) {
    return error instanceof TubeletError ? error.code : `uncoded: ${String(error)}`;
  }
}

/** Mean and max |a − b| over the common prefix of two u8 arrays. */
function diff(a: Uint8Array, b: Uint8Array): { mean: number; max: number } {
  const n = Math.min(a.length, b.length);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs((a[i] ?? 0) - (b[i] ?? 0));
    sum += d;
    if (d > max) max = d;
  }
  return { mean: sum / Math.max(1, n), max };
}

const fallback = { ffmpegFallback: true } as const;
const DB = `tubelet-ffmpeg-test-${Date.now()}`;
afterAll(() => deleteStudioDb(DB));

describe('ffmpeg.wasm AVI decoding', () => {
  it.each(['xvid.avi', 'xvid_mp3.avi', 'xvid_pcm.avi', 'divx.avi', 'xvid_bframes.avi'])(
    '%s: frame count of ffprobe and the pixels of native ffmpeg',
    async (name) => {
      const f = await facts(name);
      const decoded = await decodeVideo(await fileOf(name), name, fallback);
      const { layout } = decoded;
      expect(layout).toMatchObject({
        container: 'avi',
        width: 171,
        height: 128,
        sourceWidth: 320,
        rotation: 0,
      });
      expect(layout.codec).toMatch(/^mpeg4 \((XVID|DIVX)\)$/);
      expect(layout.sourceFps).toBeCloseTo(25, 6);
      // The AVI header may list one frame more than ffprobe decodes (muxers pad to the audio's length).
      expect(Math.abs(layout.durationSec - 2)).toBeLessThanOrEqual(0.04 + 1e-9);
      expect(Math.abs(layout.frameCount - f.frames)).toBeLessThanOrEqual(1);
      expect(decoded.stats.framesEmitted).toBe(layout.frameCount);
      // A frame the header lists beyond what ffmpeg decodes repeats the last one.
      expect(decoded.stats.repairedFrames).toBe(Math.max(0, layout.frameCount - f.frames));
      const reference = await bytesOf(f.reference ?? '');
      expect(reference.length).toBe(f.frames * 171 * 128 * 3);
      const d = diff(decoded.frames, reference);
      // Same swscale code in wasm and native; SIMD paths may round differently by a step or two.
      expect(d.mean).toBeLessThan(1);
      expect(d.max).toBeLessThanOrEqual(24);
      // Frames are in order: a one-frame shift of the moving test pattern differs far more.
      const frameBytes = 171 * 128 * 3;
      const shifted = diff(decoded.frames.subarray(frameBytes), reference);
      expect(shifted.mean).toBeGreaterThan(3 * d.mean + 1);
    },
  );

  it.each(['xvid.avi', 'xvid_bframes.avi'])(
    '%s: decodes in segments to the same pixels, and resumes at a frame',
    async (name) => {
      const file = await fileOf(name);
      const whole = await decodeVideo(file, name, { ...fallback, shortSide: 64 });
      const video = await openVideo(file, name, { ...fallback, shortSide: 64 });
      if (video.backend !== 'ffmpeg') throw new Error('expected the ffmpeg backend');
      const frameBytes = video.layout.width * video.layout.height * 3;
      const segmented = new Uint8Array(whole.frames.length);
      const indices: number[] = [];
      const stats = await streamFfmpegFrames(
        video,
        (frame) => {
          indices.push(frame.index);
          segmented.set(frame.rgb, frame.index * frameBytes);
        },
        { segmentFrames: 7, startFrame: 9 },
      );
      expect(indices).toEqual(Array.from({ length: 41 }, (_, i) => i + 9));
      expect(stats.repairedFrames).toBe(0);
      const tail = (a: Uint8Array): Uint8Array => a.subarray(9 * frameBytes);
      expect(diff(tail(segmented), tail(whole.frames)).max).toBe(0);
    },
  );

  it('subsamples to a target frame rate like the WebCodecs path', async () => {
    const decoded = await decodeVideo(await fileOf('xvid.avi'), 'xvid.avi', {
      ...fallback,
      shortSide: 32,
      targetFps: 10,
    });
    expect(decoded.layout.frameCount).toBe(20);
    expect(decoded.layout.fps).toBeCloseTo(10, 6);
  });

  it('still reports NEEDS_FFMPEG for AVI without the fallback', async () => {
    expect(await codeOf(openVideo(await fileOf('xvid.avi'), 'xvid.avi'))).toBe('NEEDS_FFMPEG');
  });

  it('gives damaged AVI files a coded per-file error, and the next file still decodes', async () => {
    const truncated = await fileOf('truncated.avi');
    expect(await codeOf(decodeVideo(truncated, 'truncated.avi', fallback))).toBe('DECODE_FAILED');
    const garbage = await fileOf('garbage.avi');
    expect(await codeOf(decodeVideo(garbage, 'garbage.avi', fallback))).toBe('DECODE_FAILED');
    const header = new File([(await bytesOf('xvid.avi')).subarray(0, 40)], 'header.avi');
    expect(await codeOf(decodeVideo(header, 'header.avi', fallback))).toBe('CORRUPT_VIDEO');
    const ok = await decodeVideo(await fileOf('divx.avi'), 'divx.avi', { ...fallback, shortSide: 16 });
    expect(ok.stats.framesEmitted).toBe(50);
  });

  it('cancels with JOB_CANCELLED and decodes again afterwards', async () => {
    const file = await fileOf('xvid.avi');
    const video = await openVideo(file, 'xvid.avi', { ...fallback, shortSide: 32 });
    const controller = new AbortController();
    let seen = 0;
    const code = await codeOf(
      streamFrames(
        video,
        () => {
          seen++;
          if (seen === 3) controller.abort();
        },
        { signal: controller.signal },
      ),
    );
    expect(code).toBe('JOB_CANCELLED');
    expect(seen).toBe(3);
    const again = await decodeVideo(file, 'xvid.avi', { ...fallback, shortSide: 32 });
    expect(again.stats.framesEmitted).toBe(50);
  });

  it('ingests AVI files into the frame store through the public ingest API, damaged ones failing per file', async () => {
    const names = ['xvid.avi', 'truncated.avi', 'divx.avi'];
    const items = await Promise.all(
      names.map(async (n) => ({
        file: await fileOf(n),
        meta: { id: n, datasetId: 'avi', label: 1, splits: ['train1'] },
      })),
    );
    const roomy = (): Promise<StorageEstimate> => Promise.resolve({ usage: 0, quota: 1e12 });
    const summary = await ingestAll(items, { ...fallback, dbName: DB, estimate: roomy, concurrency: 2 });
    expect(summary.done.sort()).toEqual(['divx.avi', 'xvid.avi']);
    expect(summary.failed.map((f) => [f.id, f.error.code])).toEqual([['truncated.avi', 'DECODE_FAILED']]);
    const store = frameStore(DB);
    const record = await store.getVideo('xvid.avi');
    expect(record).toMatchObject({ status: 'done', container: 'avi', codec: 'mpeg4 (XVID)', frameCount: 50 });
    const stored = await store.readFrames(
      'xvid.avi',
      Int32Array.from({ length: 50 }, (_, i) => i),
    );
    const reference = await bytesOf((await facts('xvid.avi')).reference ?? '');
    expect(diff(stored, reference).mean).toBeLessThan(1);
  });

  it('decodes a codec WebCodecs rejects here (HEVC in MP4) through the fallback, like H.264 of the same frames', async () => {
    const hevc = await fixtureFile('hevc.mp4');
    expect(await codeOf(openVideo(hevc, 'hevc.mp4'))).toBe('NEEDS_FFMPEG');
    const video = await openVideo(hevc, 'hevc.mp4', { ...fallback, shortSide: 48 });
    expect(video.backend).toBe('ffmpeg');
    const decoded = await decodeVideo(hevc, 'hevc.mp4', { ...fallback, shortSide: 48 });
    expect(decoded.layout.frameCount).toBe((await fixtureFacts('hevc.mp4')).frames);
    expect(decoded.stats.repairedFrames).toBe(0);
    const h264 = await decodeVideo(await fixtureFile('h264_faststart.mp4'), 'h264.mp4', { shortSide: 48 });
    expect(h264.layout).toMatchObject({ width: decoded.layout.width, height: decoded.layout.height });
    expect(diff(decoded.frames, h264.frames).mean).toBeLessThan(8);
  });

  it.each(['mpeg4.mp4', 'mpeg4.mkv'])(
    '%s: MPEG-4 Part 2 outside AVI goes through the fallback with the frames of ffprobe, like H.264',
    async (name) => {
      const file = await fixtureFile(name);
      expect(await codeOf(openVideo(file, name))).toBe('NEEDS_FFMPEG');
      const video = await openVideo(file, name, { ...fallback, shortSide: 48 });
      expect(video.backend).toBe('ffmpeg');
      expect(video.layout.codec).toMatch(name.endsWith('.mp4') ? /^mp4v/ : /^V_MPEG4\/ISO\/ASP$/);
      const decoded = await decodeVideo(file, name, { ...fallback, shortSide: 48 });
      expect(decoded.layout.frameCount).toBe((await fixtureFacts(name)).frames);
      expect(decoded.stats.repairedFrames).toBe(0);
      const h264 = await decodeVideo(await fixtureFile('h264_faststart.mp4'), 'h264.mp4', { shortSide: 48 });
      expect(decoded.layout).toMatchObject({ width: h264.layout.width, height: h264.layout.height });
      expect(diff(decoded.frames, h264.frames).mean).toBeLessThan(8);
    },
  );

  it('refuses inputs over the MEMFS size limit with a coded error before reading them', async () => {
    const video = await openVideo(await fileOf('xvid.avi'), 'huge.avi', fallback);
    if (video.backend !== 'ffmpeg') throw new Error('expected the ffmpeg backend');
    const huge = new Blob([]);
    Object.defineProperty(huge, 'size', { value: MAX_FFMPEG_INPUT_BYTES + 1 });
    let error: unknown;
    try {
      await streamFfmpegFrames({ ...video, file: huge }, () => undefined);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TubeletError);
    expect((error as TubeletError).code).toBe('DECODE_FAILED');
    expect((error as TubeletError).message).toMatch(/huge\.avi.*over the 1 GiB limit/);
  });
});
