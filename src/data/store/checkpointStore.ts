// Training runs and their checkpoints in IndexedDB (compute worker). Write protocol: a checkpoint's chunks are
// written first under a fresh id; then ONE transaction adds its header and flips the run's `lastCheckpoint`
// pointer (and best-k list), so a half-written checkpoint is never visible. Chunks without a header (a crash
// mid-write) are swept by `sweepOrphans`. Retention keeps the last checkpoint and the best k by metric. A write
// the storage quota cannot hold is refused before anything is written (QUOTA_EXCEEDED), so the last checkpoint
// stays the run's last good one.
import { TubeletError } from '../../shared/errors.ts';
import { DB_NAME, openStudioDb, type CheckpointRecord, type RunRecord } from './db.ts';
import { ensureQuota, type StorageEstimator } from './quotaGuard.ts';

export type { CheckpointRecord, RunRecord } from './db.ts';

/** Bytes per chunk: well under any browser's per-value limits. */
export const CHUNK_BYTES = 8 * 1024 * 1024;

export interface NewCheckpoint {
  readonly runId: string;
  readonly epoch: number;
  readonly step: number;
  readonly metric: number | null;
  readonly meta: string;
  readonly data: Float32Array;
  /** How many best checkpoints to keep besides the last. */
  readonly keepBest: number;
}

function isQuotaError(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'QuotaExceededError';
}

function storageFull(cause: unknown): TubeletError {
  return new TubeletError('STORAGE_FULL', 'The browser ran out of storage while writing a checkpoint.', {
    hint: 'The last good checkpoint is intact. Delete old runs or checkpoints, then resume.',
    cause,
  });
}

function chunkRange(id: string): IDBKeyRange {
  return IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]);
}

function randomId(): string {
  const b = crypto.getRandomValues(new Uint8Array(6));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** `estimate` defaults to navigator.storage.estimate (tests pass their own). */
export function createCheckpointStore(dbName = DB_NAME, estimate?: StorageEstimator) {
  const db = () => openStudioDb(dbName);

  async function deleteChunks(id: string): Promise<void> {
    const tx = (await db()).transaction('checkpointChunks', 'readwrite');
    await Promise.all([tx.store.delete(chunkRange(id)), tx.done]);
  }

  /** Writes the chunks of a checkpoint that no header points to yet (step 1 of the protocol; exported for tests). */
  async function writeChunks(id: string, data: Float32Array): Promise<number> {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const count = Math.max(1, Math.ceil(bytes.byteLength / CHUNK_BYTES));
    const d = await db();
    for (let i = 0; i < count; i++) {
      const part = bytes.slice(i * CHUNK_BYTES, Math.min(bytes.byteLength, (i + 1) * CHUNK_BYTES));
      const tx = d.transaction('checkpointChunks', 'readwrite');
      await Promise.all([tx.store.put({ checkpointId: id, index: i, data: part.buffer }), tx.done]);
    }
    return count;
  }

  return {
    writeChunks,

    async putRun(run: RunRecord): Promise<void> {
      await (await db()).put('runs', run);
    },

    async getRun(id: string): Promise<RunRecord | undefined> {
      return (await db()).get('runs', id);
    },

    /** Runs, most recently updated first. */
    async listRuns(): Promise<RunRecord[]> {
      return (await (await db()).getAllFromIndex('runs', 'byUpdated')).reverse();
    },

    async setRunStatus(id: string, status: RunRecord['status']): Promise<void> {
      const d = await db();
      const tx = d.transaction('runs', 'readwrite');
      const run = await tx.store.get(id);
      if (run) await tx.store.put({ ...run, status, updatedAt: Date.now() });
      await tx.done;
    },

    /** Atomically adds a checkpoint to its run (see the protocol above); returns its id. */
    async saveCheckpoint(c: NewCheckpoint): Promise<string> {
      const id = `${c.runId}/${String(c.step).padStart(9, '0')}-${randomId()}`;
      await ensureQuota(c.data.byteLength, `the step-${c.step} checkpoint of run ${c.runId}`, estimate);
      let chunks: number;
      try {
        chunks = await writeChunks(id, c.data);
      } catch (e) {
        await deleteChunks(id).catch(() => undefined);
        if (isQuotaError(e) || (e instanceof Error && isQuotaError(e.cause))) throw storageFull(e);
        throw e;
      }
      const d = await db();
      const tx = d.transaction(['runs', 'checkpoints'], 'readwrite');
      const runs = tx.objectStore('runs');
      const checkpoints = tx.objectStore('checkpoints');
      const run = await runs.get(c.runId);
      if (!run) {
        tx.abort();
        await tx.done.catch(() => undefined);
        await deleteChunks(id);
        throw new TubeletError('INVALID_ARGUMENT', `no training run '${c.runId}' to checkpoint`);
      }
      const record: CheckpointRecord = {
        id,
        runId: c.runId,
        epoch: c.epoch,
        step: c.step,
        createdAt: Date.now(),
        metric: c.metric,
        meta: c.meta,
        chunks,
        bytes: c.data.byteLength,
      };
      await checkpoints.put(record);
      const best =
        c.metric === null
          ? [...run.best]
          : [...run.best, { id, metric: c.metric }].sort((a, b) => b.metric - a.metric).slice(0, c.keepBest);
      await runs.put({ ...run, lastCheckpoint: id, best, updatedAt: Date.now() });
      // headers of checkpoints no longer kept go in the same transaction; their chunks are garbage afterwards
      const keep = new Set([id, ...best.map((b) => b.id)]);
      const stale = (await checkpoints.index('byRun').getAllKeys(c.runId)).filter((k) => !keep.has(k));
      await Promise.all(stale.map((k) => checkpoints.delete(k)));
      await tx.done;
      for (const k of stale) await deleteChunks(k);
      return id;
    },

    /** Checkpoint headers of a run, oldest first. */
    async listCheckpoints(runId: string): Promise<CheckpointRecord[]> {
      const all = await (await db()).getAllFromIndex('checkpoints', 'byRun', runId);
      return all.sort((a, b) => a.step - b.step);
    },

    /** A checkpoint's header and f32 blob, read in one transaction and checked for completeness. */
    async loadCheckpoint(id: string): Promise<{ record: CheckpointRecord; data: Float32Array }> {
      const d = await db();
      const tx = d.transaction(['checkpoints', 'checkpointChunks'], 'readonly');
      const record = await tx.objectStore('checkpoints').get(id);
      const parts = record ? await tx.objectStore('checkpointChunks').getAll(chunkRange(id)) : [];
      await tx.done;
      if (!record) throw new TubeletError('INVALID_ARGUMENT', `no checkpoint '${id}'`);
      const bytes = parts.reduce((a, p) => a + p.data.byteLength, 0);
      if (parts.length !== record.chunks || bytes !== record.bytes) {
        throw new TubeletError(
          'INTERNAL',
          `checkpoint '${id}' has ${parts.length}/${record.chunks} chunks, ${bytes}/${record.bytes} bytes`,
        );
      }
      const out = new Uint8Array(bytes);
      let at = 0;
      for (const p of parts.sort((a, b) => a.index - b.index)) {
        out.set(new Uint8Array(p.data), at);
        at += p.data.byteLength;
      }
      return { record, data: new Float32Array(out.buffer) };
    },

    /** Deletes a checkpoint on request; the run's last checkpoint cannot be deleted (it is what Resume uses). */
    async deleteCheckpoint(id: string): Promise<void> {
      const d = await db();
      const tx = d.transaction(['runs', 'checkpoints'], 'readwrite');
      const record = await tx.objectStore('checkpoints').get(id);
      const run = record ? await tx.objectStore('runs').get(record.runId) : undefined;
      if (run?.lastCheckpoint === id) {
        tx.abort();
        await tx.done.catch(() => undefined);
        throw new TubeletError(
          'INVALID_ARGUMENT',
          `checkpoint '${id}' is the run's last one and is kept for Resume`,
        );
      }
      if (record) await tx.objectStore('checkpoints').delete(id);
      if (run) await tx.objectStore('runs').put({ ...run, best: run.best.filter((b) => b.id !== id) });
      await tx.done;
      await deleteChunks(id);
    },

    /** Deletes a run with all its checkpoints. */
    async deleteRun(runId: string): Promise<void> {
      const d = await db();
      const tx = d.transaction(['runs', 'checkpoints'], 'readwrite');
      const ids = await tx.objectStore('checkpoints').index('byRun').getAllKeys(runId);
      await Promise.all([
        ...ids.map((k) => tx.objectStore('checkpoints').delete(k)),
        tx.objectStore('runs').delete(runId),
      ]);
      await tx.done;
      for (const k of ids) await deleteChunks(k);
    },

    /** Removes chunks that no header owns (left by a crash mid-write); returns how many checkpoints they formed. */
    async sweepOrphans(): Promise<number> {
      const d = await db();
      const headers = new Set(await d.getAllKeys('checkpoints'));
      const orphans = new Set<string>();
      for (const [id] of await d.getAllKeys('checkpointChunks')) if (!headers.has(id)) orphans.add(id);
      for (const id of orphans) await deleteChunks(id);
      return orphans.size;
    },
  };
}

export type CheckpointStore = ReturnType<typeof createCheckpointStore>;
