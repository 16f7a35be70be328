// The frame store (compute worker): video records in `videos`, packed RGB frames in `frameChunks` under
// [videoId, chunkIndex]. Chunks are written in order, each with its record update in one transaction, so a
// video reads as 'done' only when all its chunks are stored and an interrupted ingest resumes where it stopped.
import type { IDBPDatabase } from 'idb';
import { TubeletError, type SerializedError } from '../../shared/errors.ts';
import { ByteLru } from './chunkCache.ts';
import { DB_NAME, openStudioDb, type TubeletDB, type VideoRecord } from './db.ts';
import { isQuotaError } from './quotaGuard.ts';

export type { VideoRecord, VideoStatus } from './db.ts';

/** Target bytes per chunk record; see docs/frame-store-numbers.md for the measurements behind it. */
export const CHUNK_TARGET_BYTES = 256 << 10;
export const MIN_FRAMES_PER_CHUNK = 4;
export const MAX_FRAMES_PER_CHUNK = 64;
export const DEFAULT_CACHE_BYTES = 64 << 20;

export interface FrameStore {
  readonly dbName: string;
  getVideo(id: string): Promise<VideoRecord | undefined>;
  /** All records, or those of one dataset. */
  listVideos(datasetId?: string): Promise<VideoRecord[]>;
  /** Creates or replaces `record` (status 'pending', nothing stored) and deletes any chunks of that id. */
  resetVideo(record: VideoRecord): Promise<void>;
  /** Updates fields of a stored record that do not concern its chunks (labels, splits, error). */
  updateVideo(id: string, patch: Partial<Pick<VideoRecord, 'label' | 'splits' | 'error'>>): Promise<void>;
  /**
   * Stores chunk `chunkIndex` (u8[n, H, W, 3], n = framesPerChunk except in the last chunk) and advances the
   * record in the same transaction; the last chunk marks the video 'done'. Chunks must come in order; a chunk
   * that is already stored is skipped. Returns the updated record.
   */
  putChunk(
    videoId: string,
    chunkIndex: number,
    frames: Uint8Array,
    repairedFrames?: number,
  ): Promise<VideoRecord>;
  /** Marks a video 'failed' with `error` and deletes its chunks; stores `fallback` when it has no record. */
  markFailed(id: string, error: SerializedError, fallback?: VideoRecord): Promise<void>;
  deleteVideo(id: string): Promise<void>;
  /** Chunk records stored for a video (equals `storedChunks` unless something is wrong). */
  countChunks(id: string): Promise<number>;
  /** Frames `indices` of a 'done' video as u8[indices.length, H, W, 3], reading only the chunks they lie in. */
  readFrames(videoId: string, indices: Int32Array): Promise<Uint8Array>;
  /** Chunks read from IndexedDB so far (cache misses), for tests and measurements. */
  readonly stats: { chunksRead: number };
  /** Forgets cached records and chunks (e.g. after another worker rewrote a video). */
  clearCache(): void;
}

/**
 * Frames per chunk for frames of `frameBytes` bytes: about CHUNK_TARGET_BYTES per record (4 frames at
 * 171×128 RGB), never fewer than 4 frames per record nor more than 64. Reads of 16-frame clips and of sparse
 * frames fetch less unused data from small chunks; records stay well above Chrome's 64 KiB blob threshold.
 */
export function framesPerChunkFor(frameBytes: number): number {
  const fit = Math.round(CHUNK_TARGET_BYTES / Math.max(1, frameBytes));
  return Math.min(MAX_FRAMES_PER_CHUNK, Math.max(MIN_FRAMES_PER_CHUNK, fit));
}

const chunkKey = (videoId: string, chunkIndex: number): string => `${videoId}\u0000${chunkIndex}`;

function notFound(id: string, why = 'is not in the frame store'): TubeletError {
  return new TubeletError('VIDEO_NOT_FOUND', `Video ${id} ${why}.`, {
    hint: 'Ingest the dataset (again) in the Datasets panel.',
  });
}

/** Expected payload bytes of chunk `c` of `record`. */
export function chunkBytes(record: VideoRecord, chunkIndex: number): number {
  const frames = Math.min(record.framesPerChunk, record.frameCount - chunkIndex * record.framesPerChunk);
  return Math.max(0, frames) * record.width * record.height * 3;
}

async function guardQuota<T>(what: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (isQuotaError(error)) {
      throw new TubeletError('QUOTA_EXCEEDED', `The browser's storage quota is full while storing ${what}.`, {
        hint: 'Delete datasets you no longer need, or store smaller frames; the ingest resumes where it stopped.',
        cause: error,
      });
    }
    throw error;
  }
}

const stores = new Map<string, FrameStore>();

/** The frame store of database `dbName` (one instance, and so one cache, per database in this thread). */
export function frameStore(dbName = DB_NAME, cacheBytes = DEFAULT_CACHE_BYTES): FrameStore {
  let store = stores.get(dbName);
  if (!store) {
    store = createFrameStore(dbName, cacheBytes);
    stores.set(dbName, store);
  }
  return store;
}

function createFrameStore(dbName: string, cacheBytes: number): FrameStore {
  const cache = new ByteLru<Uint8Array>(cacheBytes);
  const doneRecords = new Map<string, VideoRecord>();
  const stats = { chunksRead: 0 };
  const db = (): Promise<IDBPDatabase<TubeletDB>> => openStudioDb(dbName);
  const forget = (id: string): void => {
    doneRecords.delete(id);
    cache.deletePrefix(`${id}\u0000`);
  };
  const chunkRange = (id: string): IDBKeyRange => IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]);

  async function doneRecord(id: string): Promise<VideoRecord> {
    const cached = doneRecords.get(id);
    if (cached) return cached;
    const record = await (await db()).get('videos', id);
    if (!record) throw notFound(id);
    if (record.status !== 'done')
      throw notFound(id, `has no complete frames yet (status '${record.status}')`);
    doneRecords.set(id, record);
    return record;
  }

  /** Loads chunks `needed` (sorted, distinct) into the cache with one getAll per contiguous run. */
  async function loadChunks(record: VideoRecord, needed: number[]): Promise<Map<number, Uint8Array>> {
    const found = new Map<number, Uint8Array>();
    const missing: number[] = [];
    for (const c of needed) {
      const hit = cache.get(chunkKey(record.id, c));
      if (hit) found.set(c, hit);
      else missing.push(c);
    }
    if (missing.length === 0) return found;
    const runs: [number, number][] = [];
    for (const c of missing) {
      const last = runs[runs.length - 1];
      if (last && last[1] === c - 1) last[1] = c;
      else runs.push([c, c]);
    }
    const tx = (await db()).transaction('frameChunks', 'readonly');
    const results = await Promise.all(
      runs.map(([a, b]) => tx.store.getAll(IDBKeyRange.bound([record.id, a], [record.id, b]))),
    );
    runs.forEach(([a, b], r) => {
      const values = results[r] ?? [];
      if (values.length !== b - a + 1) {
        throw new TubeletError(
          'INTERNAL',
          `Video ${record.id}: chunks ${a}..${b} are missing from the store.`,
        );
      }
      values.forEach((buffer, i) => {
        const bytes = new Uint8Array(buffer);
        if (bytes.byteLength !== chunkBytes(record, a + i)) {
          throw new TubeletError('INTERNAL', `Video ${record.id}: chunk ${a + i} has the wrong size.`);
        }
        cache.set(chunkKey(record.id, a + i), bytes);
        found.set(a + i, bytes);
        stats.chunksRead++;
      });
    });
    return found;
  }

  return {
    dbName,
    stats,

    async getVideo(id) {
      return (await db()).get('videos', id);
    },

    async listVideos(datasetId) {
      const d = await db();
      return datasetId === undefined
        ? d.getAll('videos')
        : d.getAllFromIndex('videos', 'byDataset', datasetId);
    },

    async resetVideo(record) {
      forget(record.id);
      await guardQuota(record.sourceName, async () => {
        const tx = (await db()).transaction(['videos', 'frameChunks'], 'readwrite', {
          durability: 'relaxed',
        });
        await Promise.all([
          tx.objectStore('frameChunks').delete(chunkRange(record.id)),
          tx.objectStore('videos').put({
            ...record,
            status: 'pending',
            storedChunks: 0,
            repairedFrames: 0,
            updatedAt: Date.now(),
          }),
          tx.done,
        ]);
      });
    },

    async updateVideo(id, patch) {
      forget(id);
      const tx = (await db()).transaction('videos', 'readwrite');
      const record = await tx.store.get(id);
      if (!record) throw notFound(id);
      await Promise.all([tx.store.put({ ...record, ...patch, updatedAt: Date.now() }), tx.done]);
    },

    async putChunk(videoId, chunkIndex, frames, repairedFrames = 0) {
      return guardQuota(`video ${videoId}`, async () => {
        const tx = (await db()).transaction(['videos', 'frameChunks'], 'readwrite', {
          durability: 'relaxed',
        });
        const videos = tx.objectStore('videos');
        const record = await videos.get(videoId);
        if (!record) {
          tx.abort();
          await tx.done.catch(() => undefined);
          throw notFound(videoId);
        }
        const refuse = async (message: string): Promise<never> => {
          tx.abort();
          await tx.done.catch(() => undefined);
          throw new TubeletError('INVALID_ARGUMENT', `Video ${videoId}: ${message}.`);
        };
        if (chunkIndex < record.storedChunks) {
          await tx.done;
          return record;
        }
        if (record.status === 'done' || record.status === 'failed') {
          return refuse(`cannot add chunks to a video whose status is '${record.status}'`);
        }
        if (chunkIndex !== record.storedChunks) {
          return refuse(`chunk ${chunkIndex} arrived before chunk ${record.storedChunks}`);
        }
        if (chunkIndex >= record.chunkCount || frames.byteLength !== chunkBytes(record, chunkIndex)) {
          return refuse(
            `chunk ${chunkIndex} has ${frames.byteLength} bytes, expected ${chunkBytes(record, chunkIndex)}`,
          );
        }
        const last = chunkIndex === record.chunkCount - 1;
        const updated: VideoRecord = {
          ...record,
          storedChunks: chunkIndex + 1,
          repairedFrames: record.repairedFrames + repairedFrames,
          status: last ? 'done' : 'partial',
          error: null,
          updatedAt: Date.now(),
        };
        const payload =
          frames.byteOffset === 0 &&
          frames.byteLength === frames.buffer.byteLength &&
          frames.buffer instanceof ArrayBuffer
            ? frames.buffer
            : frames.slice().buffer;
        await Promise.all([
          tx.objectStore('frameChunks').put(payload, [videoId, chunkIndex]),
          videos.put(updated),
          tx.done,
        ]);
        return updated;
      });
    },

    async markFailed(id, error, fallback) {
      forget(id);
      const tx = (await db()).transaction(['videos', 'frameChunks'], 'readwrite');
      const record = (await tx.objectStore('videos').get(id)) ?? fallback;
      if (!record) {
        await tx.done;
        return;
      }
      await Promise.all([
        tx.objectStore('frameChunks').delete(chunkRange(id)),
        tx
          .objectStore('videos')
          .put({ ...record, status: 'failed', storedChunks: 0, error, updatedAt: Date.now() }),
        tx.done,
      ]);
    },

    async deleteVideo(id) {
      forget(id);
      const tx = (await db()).transaction(['videos', 'frameChunks'], 'readwrite');
      await Promise.all([
        tx.objectStore('frameChunks').delete(chunkRange(id)),
        tx.objectStore('videos').delete(id),
        tx.done,
      ]);
    },

    async countChunks(id) {
      return (await db()).count('frameChunks', chunkRange(id));
    },

    async readFrames(videoId, indices) {
      const record = await doneRecord(videoId);
      const frameBytes = record.width * record.height * 3;
      const needed = new Set<number>();
      for (const i of indices) {
        if (!Number.isInteger(i) || i < 0 || i >= record.frameCount) {
          throw new TubeletError(
            'INVALID_ARGUMENT',
            `Frame ${i} is out of range for video ${videoId} (0..${record.frameCount - 1}).`,
          );
        }
        needed.add(Math.floor(i / record.framesPerChunk));
      }
      const chunks = await loadChunks(
        record,
        [...needed].sort((a, b) => a - b),
      );
      const out = new Uint8Array(indices.length * frameBytes);
      indices.forEach((i, k) => {
        const chunk = chunks.get(Math.floor(i / record.framesPerChunk));
        const at = (i % record.framesPerChunk) * frameBytes;
        if (chunk) out.set(chunk.subarray(at, at + frameBytes), k * frameBytes);
      });
      return out;
    },

    clearCache() {
      cache.clear();
      doneRecords.clear();
    },
  };
}
