// Evaluation results (compute worker): store `evals` holds one header per evaluation, `evalVideos` one record per
// scored video, written as soon as the video is scored so a killed page resumes without re-scoring it.
import { DB_NAME, openStudioDb, type EvalRecord, type EvalVideoRecord } from './db.ts';

export type { EvalRecord, EvalVideoRecord } from './db.ts';

export interface EvalStore {
  getEval(id: string): Promise<EvalRecord | undefined>;
  listEvals(): Promise<EvalRecord[]>;
  putEval(record: EvalRecord): Promise<void>;
  /** Stores one scored video (replacing an earlier score of it). */
  putVideo(record: EvalVideoRecord): Promise<void>;
  /** Every scored video of evaluation `id`, ordered by video id. */
  listVideos(id: string): Promise<EvalVideoRecord[]>;
  /** Deletes the evaluation and its scored videos. */
  deleteEval(id: string): Promise<void>;
}

const range = (id: string): IDBKeyRange => IDBKeyRange.bound([id, ''], [id, '\uffff']);

export function evalStore(dbName = DB_NAME): EvalStore {
  const db = () => openStudioDb(dbName);
  return {
    async getEval(id) {
      return (await db()).get('evals', id);
    },
    async listEvals() {
      return (await db()).getAll('evals');
    },
    async putEval(record) {
      await (await db()).put('evals', record);
    },
    async putVideo(record) {
      await (await db()).put('evalVideos', record);
    },
    async listVideos(id) {
      return (await db()).getAll('evalVideos', range(id));
    },
    async deleteEval(id) {
      const tx = (await db()).transaction(['evals', 'evalVideos'], 'readwrite');
      await Promise.all([
        tx.objectStore('evalVideos').delete(range(id)),
        tx.objectStore('evals').delete(id),
        tx.done,
      ]);
    },
  };
}
