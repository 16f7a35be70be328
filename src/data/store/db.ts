// The studio's IndexedDB database (compute worker): schema, versions and the upgrade ladder.
// data/store/ is the only IndexedDB user; one module per object store builds on this file.
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { TubeletError } from '../../shared/errors.ts';

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

export interface TubeletDB extends DBSchema {
  tuning: { key: string; value: TuningRecord; indexes: { byAdapter: string } };
  runs: { key: string; value: RunRecord; indexes: { byUpdated: number } };
  checkpoints: { key: string; value: CheckpointRecord; indexes: { byRun: string } };
  checkpointChunks: { key: [string, number]; value: CheckpointChunk };
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
  // v2 is owned by the datasets branch (videos + frameChunks); this no-op placeholder keeps the ladder's
  // numbering until the integrator puts that step here.
  () => undefined,
  // v3: training runs and checkpoints (header store + chunk store; see checkpointStore.ts for the write protocol)
  (db) => {
    const runs = db.createObjectStore('runs', { keyPath: 'id' });
    runs.createIndex('byUpdated', 'updatedAt');
    const checkpoints = db.createObjectStore('checkpoints', { keyPath: 'id' });
    checkpoints.createIndex('byRun', 'runId');
    db.createObjectStore('checkpointChunks', { keyPath: ['checkpointId', 'index'] });
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

/** Closes and deletes a database (scratch databases of tests). */
export async function deleteStudioDb(name: string): Promise<void> {
  await closeStudioDb(name);
  await deleteDB(name);
}
