// The frame store in real Chromium on scratch databases: schema upgrade, in-order atomic chunk writes,
// 'done' only after the last chunk, and readFrames fetching only the chunks it needs.
import { deleteDB, openDB } from 'idb';
import { afterAll, describe, expect, it } from 'vitest';
import { TubeletError } from '../../shared/errors.ts';
import { closeStudioDb, DB_VERSION, openStudioDb, type VideoRecord } from './db.ts';
import { frameStore, framesPerChunkFor } from './frames.ts';

const NAME = `tubelet-frames-test-${Date.now()}`;
const OLD = `tubelet-upgrade-test-${Date.now()}`;

afterAll(async () => {
  await closeStudioDb(NAME);
  await closeStudioDb(OLD);
  await deleteDB(NAME);
  await deleteDB(OLD);
});

const W = 5;
const H = 3;
const FRAME = W * H * 3;

function record(id: string, frameCount: number, framesPerChunk: number): VideoRecord {
  return {
    id,
    datasetId: 'ds',
    label: 2,
    splits: ['train1'],
    sourceName: `${id}.mp4`,
    sourceSize: 1234,
    container: 'mp4',
    codec: 'avc1.42E01E',
    rotation: 0,
    sourceWidth: 50,
    sourceHeight: 30,
    width: W,
    height: H,
    fps: 25,
    sourceFps: 25,
    frameCount,
    sourceFrameCount: frameCount,
    durationSec: frameCount / 25,
    encoding: 'rgb8',
    framesPerChunk,
    chunkCount: Math.ceil(frameCount / framesPerChunk),
    storedChunks: 0,
    repairedFrames: 0,
    status: 'pending',
    error: null,
    updatedAt: 0,
  };
}

/** Frames first..first+n-1 where every byte of frame i is i (mod 256). */
const frames = (first: number, n: number): Uint8Array => {
  const out = new Uint8Array(n * FRAME);
  for (let k = 0; k < n; k++) out.fill((first + k) % 256, k * FRAME, (k + 1) * FRAME);
  return out;
};

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof TubeletError ? error.code : `not coded: ${String(error)}`;
  }
}

describe('frame store schema', () => {
  it('upgrades a version-1 database without losing its tuning records', async () => {
    const v1 = await openDB(OLD, 1, {
      upgrade(db) {
        db.createObjectStore('tuning', { keyPath: 'key' }).createIndex('byAdapter', 'adapterKey');
      },
    });
    await v1.put('tuning', { key: 'a|k|s', adapterKey: 'a' });
    v1.close();
    const db = await openStudioDb(OLD);
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual([
      'checkpointChunks',
      'checkpoints',
      'datasets',
      'evalVideos',
      'evals',
      'frameChunks',
      'modelWeights',
      'models',
      'runs',
      'tuning',
      'videos',
    ]);
    expect(await db.count('tuning')).toBe(1);
  });
});

describe('frame store', () => {
  const store = frameStore(NAME);

  it('sizes chunks to about 256 KiB, between 4 and 64 frames', () => {
    expect(framesPerChunkFor(171 * 128 * 3)).toBe(4);
    expect(framesPerChunkFor(149 * 112 * 3)).toBe(5);
    expect(framesPerChunkFor(85 * 64 * 3)).toBe(16);
    expect(framesPerChunkFor(298 * 224 * 3)).toBe(4);
    expect(framesPerChunkFor(8 * 8 * 3)).toBe(64);
  });

  it('stores chunks only in order and marks the video done with its last chunk', async () => {
    await store.resetVideo(record('v1', 40, 16));
    expect(await codeOf(store.putChunk('v1', 1, frames(16, 16)))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(store.putChunk('v1', 0, frames(0, 15)))).toBe('INVALID_ARGUMENT');
    expect((await store.putChunk('v1', 0, frames(0, 16))).status).toBe('partial');
    expect(await codeOf(store.readFrames('v1', Int32Array.of(0)))).toBe('VIDEO_NOT_FOUND');
    // A repeated chunk is skipped, not duplicated.
    expect((await store.putChunk('v1', 0, frames(0, 16))).storedChunks).toBe(1);
    expect((await store.putChunk('v1', 1, frames(16, 16))).status).toBe('partial');
    const done = await store.putChunk('v1', 2, frames(32, 8), 1);
    expect(done).toMatchObject({ status: 'done', storedChunks: 3, repairedFrames: 1 });
    expect(await codeOf(store.putChunk('v1', 3, frames(40, 1)))).toBe('INVALID_ARGUMENT');
    const db = await openStudioDb(NAME);
    expect(await db.count('frameChunks', IDBKeyRange.bound(['v1', 0], ['v1', Infinity]))).toBe(3);
    expect(await codeOf(store.putChunk('nope', 0, frames(0, 1)))).toBe('VIDEO_NOT_FOUND');
  });

  it('reads any frames back, fetching only the chunks they lie in and caching them', async () => {
    store.clearCache();
    const before = store.stats.chunksRead;
    const picked = Int32Array.of(39, 0, 17, 17, 5);
    const out = await store.readFrames('v1', picked);
    expect(out.length).toBe(picked.length * FRAME);
    picked.forEach((f, k) => {
      expect(out[k * FRAME]).toBe(f);
      expect(out[(k + 1) * FRAME - 1]).toBe(f);
    });
    expect(store.stats.chunksRead - before).toBe(3);
    await store.readFrames('v1', Int32Array.of(1, 2, 33));
    expect(store.stats.chunksRead - before).toBe(3);
    store.clearCache();
    await store.readFrames('v1', Int32Array.of(20, 21));
    expect(store.stats.chunksRead - before).toBe(4);
    expect(await codeOf(store.readFrames('v1', Int32Array.of(40)))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(store.readFrames('v1', Int32Array.of(-1)))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(store.readFrames('missing', Int32Array.of(0)))).toBe('VIDEO_NOT_FOUND');
  });

  it('lists videos per dataset, and starts over, fails or deletes a video with its chunks', async () => {
    await store.resetVideo({ ...record('v2', 3, 2), datasetId: 'other' });
    expect((await store.listVideos('ds')).map((v) => v.id)).toEqual(['v1']);
    expect((await store.listVideos()).length).toBe(2);
    await store.updateVideo('v1', { label: 7, splits: ['test1'] });
    expect(await store.getVideo('v1')).toMatchObject({ label: 7, splits: ['test1'], status: 'done' });
    await store.putChunk('v2', 0, frames(0, 2));
    await store.markFailed('v2', { code: 'DECODE_FAILED', message: 'x' });
    expect(await store.getVideo('v2')).toMatchObject({ status: 'failed', storedChunks: 0 });
    const db = await openStudioDb(NAME);
    expect(await db.count('frameChunks', IDBKeyRange.bound(['v2', 0], ['v2', Infinity]))).toBe(0);
    await store.resetVideo(record('v1', 40, 16));
    expect(await store.getVideo('v1')).toMatchObject({ status: 'pending', storedChunks: 0 });
    expect(await db.count('frameChunks', IDBKeyRange.bound(['v1', 0], ['v1', Infinity]))).toBe(0);
    await store.deleteVideo('v1');
    expect(await store.getVideo('v1')).toBeUndefined();
  });
});
