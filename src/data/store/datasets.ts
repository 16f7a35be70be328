// Dataset records (compute worker): store `datasets` holds one record per ingested dataset (classes, folds,
// short side); deleting a dataset removes its record, its videos and their frame chunks in one transaction.
import { DB_NAME, openStudioDb, type DatasetRecord, type VideoRecord } from './db.ts';

export type { DatasetRecord } from './db.ts';

export interface DatasetStore {
  getDataset(id: string): Promise<DatasetRecord | undefined>;
  listDatasets(): Promise<DatasetRecord[]>;
  /** Creates or replaces a dataset record (its videos are untouched). */
  putDataset(record: DatasetRecord): Promise<void>;
  /** Deletes the dataset, its videos and their chunks; returns how many videos went. Nothing else is touched. */
  deleteDataset(id: string): Promise<number>;
}

const chunkRange = (id: string): IDBKeyRange => IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]);

export function datasetStore(dbName = DB_NAME): DatasetStore {
  const db = () => openStudioDb(dbName);
  return {
    async getDataset(id) {
      return (await db()).get('datasets', id);
    },
    async listDatasets() {
      return (await db()).getAll('datasets');
    },
    async putDataset(record) {
      await (await db()).put('datasets', record);
    },
    async deleteDataset(id) {
      const tx = (await db()).transaction(['datasets', 'videos', 'frameChunks'], 'readwrite');
      const videos: VideoRecord[] = await tx.objectStore('videos').index('byDataset').getAll(id);
      await Promise.all([
        ...videos.map((v) => tx.objectStore('frameChunks').delete(chunkRange(v.id))),
        ...videos.map((v) => tx.objectStore('videos').delete(v.id)),
        tx.objectStore('datasets').delete(id),
        tx.done,
      ]);
      return videos.length;
    },
  };
}

/** Per-class and per-split counts of a dataset's stored ('done') videos, and its failures. */
export interface DatasetCounts {
  readonly videosDone: number;
  readonly videosFailed: number;
  readonly videosPending: number;
  readonly frames: number;
  readonly bytes: number;
  /** Done videos per class index (length = classes.length); unlabelled videos are not counted. */
  readonly perClass: number[];
  /** Done videos per split name ('train1', 'test2', …). */
  readonly perSplit: Record<string, number>;
}

export function countVideos(classes: number, videos: readonly VideoRecord[]): DatasetCounts {
  const perClass = new Array<number>(classes).fill(0);
  const perSplit: Record<string, number> = {};
  let videosDone = 0;
  let videosFailed = 0;
  let frames = 0;
  let bytes = 0;
  for (const v of videos) {
    if (v.status === 'failed') {
      videosFailed++;
      continue;
    }
    if (v.status !== 'done') continue;
    videosDone++;
    frames += v.frameCount;
    bytes += v.frameCount * v.width * v.height * 3;
    if (v.label !== null && v.label >= 0 && v.label < classes)
      perClass[v.label] = (perClass[v.label] ?? 0) + 1;
    for (const s of v.splits) perSplit[s] = (perSplit[s] ?? 0) + 1;
  }
  return {
    videosDone,
    videosFailed,
    videosPending: videos.length - videosDone - videosFailed,
    frames,
    bytes,
    perClass,
    perSplit,
  };
}
