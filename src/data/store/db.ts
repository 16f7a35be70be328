// The studio's IndexedDB database (compute worker): schema, versions and the upgrade ladder.
// data/store/ is the only IndexedDB user; one module per object store builds on this file.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
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

export interface TubeletDB extends DBSchema {
  tuning: { key: string; value: TuningRecord; indexes: { byAdapter: string } };
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
