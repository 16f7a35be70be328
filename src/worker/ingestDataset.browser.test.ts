// The ingest-dataset job in real Chromium on a scratch database: a folder-per-class drop of ffmpeg fixtures
// with bad files mixed in; per-file failures, labels/splits, resume after a cancel, list and delete.
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatasetFileRef, JobEvent } from '../shared/protocol.ts';
import { TubeletError } from '../shared/errors.ts';
import { fixtureFacts, fixtureFile } from '../data/decode/testing/fixtures.ts';
import { deleteStudioDb } from '../data/store/db.ts';
import { frameStore } from '../data/store/frames.ts';
import { ingestDataset } from './ingestDataset.ts';
import type { JobContext } from './jobs.ts';
import { deleteStoredDataset, listStoredDatasets, sampleStoredClip } from './storedDatasets.ts';

const DB = 'tubelet-test-ingest-dataset';

function context(controller = new AbortController()): JobContext {
  return {
    id: 'job',
    signal: controller.signal,
    progress: () => undefined,
    log: () => undefined,
    checkpoint: () => {
      if (controller.signal.aborted) throw new TubeletError('JOB_CANCELLED', 'cancelled');
    },
  };
}

async function drop(): Promise<DatasetFileRef[]> {
  const video = async (path: string, fixture: string): Promise<DatasetFileRef> => ({
    path,
    file: new File([await fixtureFile(fixture)], path.split('/').pop() ?? path),
  });
  const full = await fixtureFile('h264_faststart.mp4');
  return [
    await video('Toy/left/a.mp4', 'h264_bframes.mp4'),
    await video('Toy/left/b.webm', 'vp9.webm'),
    await video('Toy/right/c.mp4', 'h264_faststart.mp4'),
    await video('Toy/right/d.avi', 'xvid.avi'),
    await video('Toy/right/e.mp4', 'h264_truncated_faststart.mp4'),
    { path: 'Toy/right/empty.mp4', file: new File([], 'empty.mp4') },
    {
      path: 'Toy/right/notes.mp4',
      file: new File(['just some text, not a video\n'.repeat(20)], 'notes.mp4'),
    },
    { path: 'Toy/left/cut.mp4', file: new File([full.slice(0, 300)], 'cut.mp4') },
  ];
}

beforeAll(async () => {
  await deleteStudioDb(DB);
});

describe('ingest-dataset job', () => {
  it('stores the good videos with labels, reports each bad file with a reason, and resumes', async () => {
    const files = await drop();
    const controller = new AbortController();
    const events: JobEvent[] = [];
    // First run: cancelled as soon as some frames are stored (a closed tab).
    const first = await ingestDataset(
      { kind: 'ingest-dataset', files, format: 'folder-per-class', shortSide: 32 },
      context(controller),
      (e) => {
        events.push(e);
        if (e.type === 'ingest-progress' && e.frames > 0) controller.abort();
      },
      { dbName: DB },
    ).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(TubeletError);
    expect((first as TubeletError).code).toBe('JOB_CANCELLED');

    const result = await ingestDataset(
      { kind: 'ingest-dataset', files, format: 'folder-per-class', shortSide: 32 },
      context(),
      (e) => events.push(e),
      { dbName: DB },
    );
    expect(result.dataset).toBe('toy');
    expect(result.videosOk).toBe(4); // the Xvid AVI through ffmpeg.wasm
    const reasons = Object.fromEntries(result.failures.map((f) => [f.file, [f.code, f.reason]]));
    expect(reasons).toEqual({
      'Toy/right/e.mp4': ['CORRUPT_VIDEO', 'truncated'],
      'Toy/right/empty.mp4': ['UNSUPPORTED_CONTAINER', 'zero-bytes'],
      'Toy/right/notes.mp4': ['UNSUPPORTED_CONTAINER', 'not-a-video'],
      'Toy/left/cut.mp4': [expect.any(String), expect.stringMatching(/truncated|corrupt/)],
    });
    const store = frameStore(DB);
    const videos = await store.listVideos('toy');
    const done = videos.filter((v) => v.status === 'done');
    expect(done.map((v) => v.id).sort()).toEqual([
      'toy/left/a.mp4',
      'toy/left/b.webm',
      'toy/right/c.mp4',
      'toy/right/d.avi',
    ]);
    // Exactly once: one record per video, chunk counts equal what the records say.
    expect(new Set(videos.map((v) => v.id)).size).toBe(videos.length);
    for (const v of done) expect(await store.countChunks(v.id)).toBe(v.chunkCount);
    const a = done.find((v) => v.id === 'toy/left/a.mp4');
    expect(
      Math.abs((a?.frameCount ?? 0) - (await fixtureFacts('h264_bframes.mp4')).frames),
    ).toBeLessThanOrEqual(1);
    expect(a?.height).toBe(32);

    const again = await ingestDataset(
      { kind: 'ingest-dataset', files, format: 'folder-per-class', shortSide: 32 },
      context(),
      () => undefined,
      { dbName: DB },
    );
    expect(again.videosSkipped).toBe(4);
    expect(again.framesThisRun).toBe(0);

    const [listed] = await listStoredDatasets(DB);
    expect(listed?.classes).toEqual(['left', 'right']);
    expect(listed?.perClass).toEqual([2, 2]);
    expect(listed?.videosDone).toBe(4);
    expect(listed?.failures.length).toBe(4);

    const clip = await sampleStoredClip(
      { kind: 'sample-clip', datasetId: 'toy', videoIndex: 0, clipLen: 4, frameInterval: 2, seed: 1 },
      DB,
    );
    expect(clip.frames.length).toBe(4 * clip.width * clip.height * 3);

    expect((await deleteStoredDataset('toy', DB)).videosDeleted).toBe(videos.length);
    expect(await store.listVideos('toy')).toEqual([]);
    expect(await listStoredDatasets(DB)).toEqual([]);
    for (const v of done) expect(await store.countChunks(v.id)).toBe(0);
  });
});
