// Ingest end to end in real Chromium on a scratch database: stored frames equal a direct decode, an aborted
// ingest resumes without duplicating or losing chunks, quota refusal writes nothing marked done, failures are
// recorded with their code, the queue keeps going past bad files, and every VideoFrame is closed.
import { afterAll, describe, expect, it } from 'vitest';
import { TubeletError } from '../../shared/errors.ts';
import { deleteStudioDb } from '../store/db.ts';
import { frameStore } from '../store/frames.ts';
import { decodeVideo } from './decodeVideo.ts';
import { ingestAll, ingestVideo, type IngestMeta, type IngestProgress } from './ingest.ts';
import { fixtureFile } from './testing/fixtures.ts';
import { PATTERN_FRAMES } from './testing/pattern.ts';

const DB = `tubelet-ingest-test-${Date.now()}`;
const options = { dbName: DB, shortSide: 48, framesPerChunk: 16 } as const;
const meta = (id: string): IngestMeta => ({ id, datasetId: 'ds', label: 3, splits: ['train1'] });
const all = Int32Array.from({ length: PATTERN_FRAMES }, (_, i) => i);
const roomy = (): Promise<StorageEstimate> => Promise.resolve({ usage: 0, quota: 1e12 });
// 1 MB left: less than a clip plus the slack the quota check keeps.
const full = (): Promise<StorageEstimate> => Promise.resolve({ usage: 999e6, quota: 1e9 });

afterAll(() => deleteStudioDb(DB));

const chunkCount = (id: string): Promise<number> => frameStore(DB).countChunks(id);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof TubeletError ? error.code : `not coded: ${String(error)}`;
  }
}

function countingDecoder(counts: { opened: number; closed: number }) {
  return (init: VideoDecoderInit): VideoDecoder =>
    new VideoDecoder({
      error: init.error,
      output: (frame) => {
        counts.opened++;
        const close = frame.close.bind(frame);
        frame.close = () => {
          counts.closed++;
          close();
        };
        init.output(frame);
      },
    });
}

describe('ingestVideo', () => {
  const store = frameStore(DB);

  it('stores exactly the frames a direct decode gives, in 16-frame chunks', async () => {
    const file = await fixtureFile('h264_bframes.mp4');
    const events: IngestProgress[] = [];
    const result = await ingestVideo(file, meta('a'), { ...options, estimate: roomy }, (p) => events.push(p));
    expect(result.record).toMatchObject({
      status: 'done',
      frameCount: PATTERN_FRAMES,
      chunkCount: 3,
      storedChunks: 3,
      width: 64,
      height: 48,
      label: 3,
      codec: expect.stringMatching(/^avc1\./) as unknown,
      sourceName: 'h264_bframes.mp4',
      sourceSize: file.size,
    });
    expect(events.map((e) => e.stage)).toEqual(['opened', 'chunk', 'chunk', 'chunk', 'done']);
    expect(await chunkCount('a')).toBe(3);
    const direct = await decodeVideo(file, 'x', { shortSide: 48 });
    expect(await store.readFrames('a', all)).toEqual(direct.frames);
  });

  it('skips a video that is already done, updating only its labels', async () => {
    const file = await fixtureFile('h264_bframes.mp4');
    const again = await ingestVideo(file, { ...meta('a'), label: 4 }, { ...options, estimate: roomy });
    expect(again.skipped).toBe(true);
    expect((await store.getVideo('a'))?.label).toBe(4);
  });

  it('resumes an aborted ingest after its last stored chunk, without duplicates or gaps', async () => {
    const file = await fixtureFile('h264_bframes.mp4');
    const controller = new AbortController();
    const counts = { opened: 0, closed: 0 };
    const first = ingestVideo(
      file,
      meta('b'),
      { ...options, estimate: roomy, createDecoder: countingDecoder(counts) },
      (p) => {
        if (p.stage === 'chunk' && p.chunksStored === 2) controller.abort();
      },
      controller.signal,
    );
    expect(await codeOf(first)).toBe('JOB_CANCELLED');
    expect(await store.getVideo('b')).toMatchObject({ status: 'partial', storedChunks: 2 });
    expect(await chunkCount('b')).toBe(2);
    expect(await codeOf(store.readFrames('b', Int32Array.of(0)))).toBe('VIDEO_NOT_FOUND');

    const second = await ingestVideo(file, meta('b'), {
      ...options,
      estimate: roomy,
      createDecoder: countingDecoder(counts),
    });
    expect(second).toMatchObject({ skipped: false, resumedFromChunk: 2, chunksWritten: 1 });
    expect(second.stats?.samplesDecoded).toBeLessThan(PATTERN_FRAMES);
    expect(second.record.status).toBe('done');
    expect(await chunkCount('b')).toBe(3);
    expect(await store.readFrames('b', all)).toEqual(await store.readFrames('a', all));
    await new Promise((r) => setTimeout(r, 50));
    expect(counts.opened).toBeGreaterThan(0);
    expect(counts.closed).toBe(counts.opened);
  });

  it('refuses cleanly when the quota cannot hold the video', async () => {
    const file = await fixtureFile('h264_faststart.mp4');
    expect(await codeOf(ingestVideo(file, meta('c'), { ...options, estimate: full }))).toBe('QUOTA_EXCEEDED');
    expect(await store.getVideo('c')).toMatchObject({ status: 'failed', storedChunks: 0 });
    expect((await store.getVideo('c'))?.error?.code).toBe('QUOTA_EXCEEDED');
    expect(await chunkCount('c')).toBe(0);

    // A partial video stays resumable when a later attempt is refused.
    const controller = new AbortController();
    const stop = (p: IngestProgress): void => {
      if (p.stage === 'chunk') controller.abort();
    };
    await codeOf(ingestVideo(file, meta('d'), { ...options, estimate: roomy }, stop, controller.signal));
    expect(await codeOf(ingestVideo(file, meta('d'), { ...options, estimate: full }))).toBe('QUOTA_EXCEEDED');
    expect(await store.getVideo('d')).toMatchObject({ status: 'partial', storedChunks: 1 });
    expect((await ingestVideo(file, meta('d'), { ...options, estimate: roomy })).resumedFromChunk).toBe(1);
  });

  it('records videos that cannot be ingested as failed, with the code', async () => {
    const file = await fixtureFile('hevc.mp4');
    expect(await codeOf(ingestVideo(file, meta('e'), options))).toBe('NEEDS_FFMPEG');
    const record = await store.getVideo('e');
    expect(record).toMatchObject({ status: 'failed', sourceName: 'hevc.mp4' });
    expect(record?.error?.code).toBe('NEEDS_FFMPEG');
  });

  it('sizes chunks from the frame size by default (4 frames of 171×128)', async () => {
    const file = await fixtureFile('h264_faststart.mp4');
    const result = await ingestVideo(file, meta('g'), { dbName: DB, estimate: roomy });
    expect(result.record).toMatchObject({
      width: 171,
      height: 128,
      framesPerChunk: 4,
      chunkCount: 10,
      status: 'done',
    });
    expect(await chunkCount('g')).toBe(10);
  });

  it('starts over when the stored layout differs from the requested one', async () => {
    const file = await fixtureFile('h264_faststart.mp4');
    const small = await ingestVideo(file, meta('f'), { ...options, shortSide: 32, estimate: roomy });
    expect(small.record.height).toBe(32);
    const big = await ingestVideo(file, meta('f'), { ...options, estimate: roomy });
    expect(big).toMatchObject({ skipped: false, resumedFromChunk: 0 });
    expect(big.record.height).toBe(48);
    expect(await chunkCount('f')).toBe(3);
  });
});

describe('ingestAll', () => {
  it('ingests many files with bounded concurrency and reports failures per file', async () => {
    const names = ['h264_moov_end.mp4', 'mpeg4.mp4', 'vp9.webm', 'xvid.avi', 'h264_fragmented.mp4'];
    const items = await Promise.all(
      names.map(async (n) => ({ file: await fixtureFile(n), meta: meta(`q/${n}`) })),
    );
    const summary = await ingestAll(items, { ...options, concurrency: 2, estimate: roomy });
    expect(summary.done.sort()).toEqual(['q/h264_fragmented.mp4', 'q/h264_moov_end.mp4', 'q/vp9.webm']);
    expect(summary.failed.map((f) => [f.id, f.error.code]).sort()).toEqual([
      ['q/mpeg4.mp4', 'NEEDS_FFMPEG'],
      ['q/xvid.avi', 'NEEDS_FFMPEG'],
    ]);
    expect(summary.stoppedBy).toBeNull();
    const listed = await frameStore(DB).listVideos('ds');
    expect(listed.filter((v) => v.id.startsWith('q/') && v.status === 'done').length).toBe(3);
  });

  it('stops starting new videos once the quota is exhausted', async () => {
    const file = await fixtureFile('h264_faststart.mp4');
    const items = ['r1', 'r2', 'r3'].map((id) => ({ file, meta: meta(id) }));
    const summary = await ingestAll(items, { ...options, concurrency: 1, estimate: full });
    expect(summary.stoppedBy?.code).toBe('QUOTA_EXCEEDED');
    expect(summary.failed.map((f) => f.id)).toEqual(['r1']);
    expect(summary.notStarted).toEqual(['r2', 'r3']);
  });

  it('rejects with JOB_CANCELLED when cancelled, leaving videos resumable', async () => {
    const file = await fixtureFile('h264_bframes.mp4');
    const controller = new AbortController();
    const items = ['s1', 's2'].map((id) => ({ file, meta: meta(id) }));
    const run = ingestAll(
      items,
      { ...options, concurrency: 2, estimate: roomy },
      (p) => {
        if (p.stage === 'chunk') controller.abort();
      },
      controller.signal,
    );
    expect(await codeOf(run)).toBe('JOB_CANCELLED');
    const store = frameStore(DB);
    for (const id of ['s1', 's2']) expect((await store.getVideo(id))?.status).not.toBe('done');
  });
});
