// Imported models (compute worker): store `models` holds one header per model, `modelWeights` its safetensors
// bytes under the same name; both are written and deleted in one transaction.
import { DB_NAME, openStudioDb, type ModelRecord } from './db.ts';

export type { ModelRecord } from './db.ts';

export interface ModelStore {
  getModel(name: string): Promise<ModelRecord | undefined>;
  listModels(): Promise<ModelRecord[]>;
  /** safetensors bytes of `name`, or undefined when there is no such model */
  getWeights(name: string): Promise<Uint8Array | undefined>;
  /** Creates or replaces a model and its weights. */
  putModel(record: ModelRecord, weights: Uint8Array): Promise<void>;
  deleteModel(name: string): Promise<void>;
}

export function modelStore(dbName = DB_NAME): ModelStore {
  const db = () => openStudioDb(dbName);
  return {
    async getModel(name) {
      return (await db()).get('models', name);
    },
    async listModels() {
      return (await db()).getAll('models');
    },
    async getWeights(name) {
      const buffer = await (await db()).get('modelWeights', name);
      return buffer === undefined ? undefined : new Uint8Array(buffer);
    },
    async putModel(record, weights) {
      const tx = (await db()).transaction(['models', 'modelWeights'], 'readwrite');
      const copy = weights.slice().buffer;
      await Promise.all([
        tx.objectStore('modelWeights').put(copy, record.name),
        tx.objectStore('models').put(record),
        tx.done,
      ]);
    },
    async deleteModel(name) {
      const tx = (await db()).transaction(['models', 'modelWeights'], 'readwrite');
      await Promise.all([
        tx.objectStore('modelWeights').delete(name),
        tx.objectStore('models').delete(name),
        tx.done,
      ]);
    },
  };
}
