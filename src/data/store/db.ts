// The studio's IndexedDB database (compute worker): schema, versions and the upgrade ladder.
// data/store/ is the only IndexedDB user; one module per object store builds on this file.
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { TubeletError, type SerializedError } from '../../shared/errors.ts';

export const DB_NAME = 'tubelet';

/** Per-adapter autotuning winners: key `${adapterKey}|${kernel}|${shapeClass}`. */
export interface TuningRecord {
  readonly key: string;
  readonly adapterKey: string;
  readonly kernel: string;
  readonly shapeClass: string;
  /** JSON of the winning configuration. */
  readonly config: string;
  readonly medianMs: number;
  readonly candidates: number;
  readonly measuredAt: number;
}

/** Where a video's ingest stands: 'done' only once every frame chunk is stored. */
export type VideoStatus = 'pending' | 'partial' | 'done' | 'failed';

/** One ingested video (store `videos`, key `id`); its frames live in `frameChunks` under [id, chunkIndex]. */
export interface VideoRecord {
  readonly id: string;
  readonly datasetId: string;
  /** Class index (0-based), or null when unlabelled (e.g. test lists without labels). */
  readonly label: number | null;
  /** Split memberships, e.g. ['train1', 'test2']. */
  readonly splits: readonly string[];
  readonly sourceName: string;
  readonly sourceSize: number;
  readonly container: string;
  readonly codec: string;
  /** Clockwise rotation applied to the source pictures before resizing. */
  readonly rotation: number;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  /** Stored frame size: u8[height, width, 3] per frame. */
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly sourceFps: number;
  readonly frameCount: number;
  readonly sourceFrameCount: number;
  readonly durationSec: number;
  /** Chunk payload format: 'rgb8' = frames packed as u8[n, height, width, 3]. */
  readonly encoding: 'rgb8';
  readonly framesPerChunk: number;
  readonly chunkCount: number;
  /** Chunks 0..storedChunks-1 are stored (they are always written in order). */
  readonly storedChunks: number;
  /** Frames the decoder never produced, filled from a neighbour. */
  readonly repairedFrames: number;
  readonly status: VideoStatus;
  readonly error: SerializedError | null;
  readonly updatedAt: number;
}

/** One ingested dataset (store `datasets`, key `id`); its videos carry `datasetId` = this id. */
export interface DatasetRecord {
  readonly id: string;
  readonly name: string;
  /** Layout the lists were parsed as (a DatasetFormat). */
  readonly format: string;
  /** Class names; a video's `label` indexes this list. */
  readonly classes: readonly string[];
  /** Split folds (1..3) the lists define; video splits read `${role}${fold}`, e.g. 'train1'. */
  readonly folds: readonly number[];
  /** Stored frames' short side in pixels. */
  readonly shortSide: number;
  /** Videos the manifest lists with a file present (the ingest's target). */
  readonly videoCount: number;
  /** 'ingesting' until an ingest ran through every video once (failures included). */
  readonly status: 'ingesting' | 'ready';
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A training run: its config and where its checkpoints are (src/data/store/checkpointStore.ts). */
export interface RunRecord {
  readonly id: string;
  readonly name: string;
  readonly model: string;
  readonly dataset: string;
  /** The run's TrainConfig as JSON. */
  readonly config: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly status: 'running' | 'stopped' | 'finished' | 'failed';
  /** The newest complete checkpoint: the pointer flipped in the same transaction that makes a checkpoint visible. */
  readonly lastCheckpoint: string | null;
  /** Up to keepBest checkpoints with the highest metric, best first. */
  readonly best: readonly { readonly id: string; readonly metric: number }[];
}

/** A complete checkpoint's header; exists only once all its chunks are written. */
export interface CheckpointRecord {
  readonly id: string;
  readonly runId: string;
  readonly epoch: number;
  readonly step: number;
  readonly createdAt: number;
  /** Validation metric for best-k (higher is better); null when not validated. */
  readonly metric: number | null;
  /** JSON header (src/train/checkpoint.ts CheckpointMeta). */
  readonly meta: string;
  readonly chunks: number;
  readonly bytes: number;
}

/** Part `index` of a checkpoint's f32 blob. */
export interface CheckpointChunk {
  readonly checkpointId: string;
  readonly index: number;
  readonly data: ArrayBuffer;
}

/** An imported model (store `models`, key `name`); its weights live in `modelWeights` under the same name. */
export interface ModelRecord {
  readonly name: string;
  /** registry arch spec, e.g. 'r3d_18' or 'r3d_18:tiny' */
  readonly arch: string;
  /** the build config (src/models/zoo/zooModel.ts ModelConfig) as JSON */
  readonly config: string;
  readonly source: string;
  readonly fileName: string;
  readonly params: number;
  /** safetensors bytes of the weights */
  readonly bytes: number;
  /** the load report (src/shared/modelIo.ts ModelLoadReport) as JSON */
  readonly report: string;
  readonly createdAt: number;
}

/** An evaluation (store `evals`, key `id`); its per-video results live in `evalVideos` under [id, videoId]. */
export interface EvalRecord {
  readonly id: string;
  readonly model: string;
  readonly dataset: string;
  readonly split: string | null;
  /** The resolved protocol (src/eval/protocols.ts ResolvedProtocol) as JSON. */
  readonly protocol: string;
  readonly status: 'running' | 'stopped' | 'done' | 'failed';
  readonly videosTotal: number;
  /** The metrics (src/shared/protocol/eval.ts EvalMetrics) as JSON once done; null before. */
  readonly metrics: string | null;
  /** Seconds spent scoring, summed over every (resumed) attempt. */
  readonly seconds: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One scored video of an evaluation. */
export interface EvalVideoRecord {
  readonly evalId: string;
  readonly videoId: string;
  readonly label: number;
  /** Video-level scores after averaging, f64[classes]. */
  readonly scores: readonly number[];
  /** Per-view logits f64[views][classes] (kept for average 'none' and exports). */
  readonly viewLogits: readonly (readonly number[])[];
}

export interface TubeletDB extends DBSchema {
  datasets: { key: string; value: DatasetRecord };
  tuning: { key: string; value: TuningRecord; indexes: { byAdapter: string } };
  videos: { key: string; value: VideoRecord; indexes: { byDataset: string; byStatus: string } };
  /** Packed frames: key [videoId, chunkIndex] → ArrayBuffer of u8[framesPerChunk (fewer in the last), H, W, 3]. */
  frameChunks: { key: [string, number]; value: ArrayBuffer };
  runs: { key: string; value: RunRecord; indexes: { byUpdated: number } };
  checkpoints: { key: string; value: CheckpointRecord; indexes: { byRun: string } };
  checkpointChunks: { key: [string, number]; value: CheckpointChunk };
  models: { key: string; value: ModelRecord };
  /** safetensors (PyTorch layout, torchvision/MMAction2 names) of model `name` */
  modelWeights: { key: string; value: ArrayBuffer };
  evals: { key: string; value: EvalRecord };
  evalVideos: { key: [string, string]; value: EvalVideoRecord };
}

/**
 * The upgrade ladder: step i upgrades a database at version i to version i+1. Steps never change; a new
 * schema version appends a step. Data already stored is never dropped by an upgrade.
 */
const LADDER: ((db: IDBPDatabase<TubeletDB>) => void)[] = [
  (db) => {
    const tuning = db.createObjectStore('tuning', { keyPath: 'key' });
    tuning.createIndex('byAdapter', 'adapterKey');
  },
  (db) => {
    const videos = db.createObjectStore('videos', { keyPath: 'id' });
    videos.createIndex('byDataset', 'datasetId');
    videos.createIndex('byStatus', 'status');
    db.createObjectStore('frameChunks');
    db.createObjectStore('datasets', { keyPath: 'id' });
  },
  // v3: training runs and checkpoints (header store + chunk store; see checkpointStore.ts for the write protocol)
  (db) => {
    const runs = db.createObjectStore('runs', { keyPath: 'id' });
    runs.createIndex('byUpdated', 'updatedAt');
    const checkpoints = db.createObjectStore('checkpoints', { keyPath: 'id' });
    checkpoints.createIndex('byRun', 'runId');
    db.createObjectStore('checkpointChunks', { keyPath: ['checkpointId', 'index'] });
  },
  // v4: imported models (header store + weights store, written in one transaction)
  (db) => {
    db.createObjectStore('models', { keyPath: 'name' });
    db.createObjectStore('modelWeights');
  },
  // v5: evaluation results (header per evaluation + one record per scored video, written as each video finishes)
  (db) => {
    db.createObjectStore('evals', { keyPath: 'id' });
    db.createObjectStore('evalVideos', { keyPath: ['evalId', 'videoId'] });
  },
];

export const DB_VERSION = LADDER.length;

const opened = new Map<string, Promise<IDBPDatabase<TubeletDB>>>();

/** Opens (and upgrades) the database once per name; `name` exists so tests can use a scratch database. */
export function openStudioDb(name = DB_NAME): Promise<IDBPDatabase<TubeletDB>> {
  let db = opened.get(name);
  if (!db) {
    if (typeof indexedDB === 'undefined') {
      return Promise.reject(
        new TubeletError('STORAGE_UNAVAILABLE', 'IndexedDB is not available in this context.'),
      );
    }
    db = openDB<TubeletDB>(name, DB_VERSION, {
      upgrade(database, oldVersion) {
        for (let v = oldVersion; v < DB_VERSION; v++) LADDER[v]?.(database);
      },
      blocked() {
        // An older tab holds the old version open; it is asked to close in `blocking` below.
      },
      blocking() {
        void db?.then((d) => {
          d.close();
        });
        opened.delete(name);
      },
    }).catch((cause: unknown) => {
      opened.delete(name);
      throw new TubeletError('STORAGE_UNAVAILABLE', `Could not open the studio database: ${String(cause)}`, {
        hint: 'Private windows and some browser settings block IndexedDB; use a normal window.',
        cause,
      });
    });
    opened.set(name, db);
  }
  return db;
}

export async function closeStudioDb(name = DB_NAME): Promise<void> {
  const db = opened.get(name);
  opened.delete(name);
  if (db) (await db.catch(() => null))?.close();
}

/** Closes and deletes database `name` (scratch databases of tests and benchmarks). */
export async function deleteStudioDb(name: string): Promise<void> {
  await closeStudioDb(name);
  await deleteDB(name);
}
