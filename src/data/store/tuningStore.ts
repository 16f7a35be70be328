// Persistent autotuning winners per adapter (compute worker), behind the TuneStore interface gpu/ expects.
import type { TuneStore, TunedConfig } from '../../gpu/autotune.ts';
import { openStudioDb, DB_NAME } from './db.ts';

export function createTuningStore(dbName = DB_NAME): TuneStore {
  return {
    async get(key) {
      const record = await (await openStudioDb(dbName)).get('tuning', key);
      return record ? { config: record.config, medianMs: record.medianMs } : undefined;
    },
    async set(
      key,
      tuned: TunedConfig & { adapterKey: string; kernel: string; shapeClass: string; candidates: number },
    ) {
      await (
        await openStudioDb(dbName)
      ).put('tuning', {
        key,
        adapterKey: tuned.adapterKey,
        kernel: tuned.kernel,
        shapeClass: tuned.shapeClass,
        config: tuned.config,
        medianMs: tuned.medianMs,
        candidates: tuned.candidates,
        measuredAt: Date.now(),
      });
    },
    async clear(adapterKey) {
      const db = await openStudioDb(dbName);
      const keys = await db.getAllKeysFromIndex('tuning', 'byAdapter', adapterKey);
      const tx = db.transaction('tuning', 'readwrite');
      await Promise.all([...keys.map((k) => tx.store.delete(k)), tx.done]);
      return keys.length;
    },
  };
}
