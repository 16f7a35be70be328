// The Finetune panel's slice of the studio store (main thread): the config being edited, the running (or last)
// train job with its streamed records, and the stored runs. Serialisable state only.
import type { TrainCatalog } from '../shared/protocol.ts';
import type { TrainConfig } from '../shared/trainConfig.ts';
import type { RunSummary, StoredRunSummary, TrainRecord } from '../shared/training.ts';

export type TrainStatus = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'finished' | 'failed';

export interface FinetuneSlice {
  finetune: {
    catalog: TrainCatalog | null;
    /** The preset the draft started from. */
    preset: string | null;
    /** The config as edited: may be invalid (NaN where a number field is empty); checked by configProblems. */
    draft: TrainConfig | null;
  };
  training: {
    jobId: string | null;
    run: string | null;
    status: TrainStatus;
    /** Every step and epoch record of the run shown (a resumed run starts with its stored history). */
    records: TrainRecord[];
    /** Optimizer steps of the whole run, and clips per step (batch × accumulation). */
    totalSteps: number;
    clipsPerStep: number;
    /** throughputKey of the run shown (its clips/s estimate epochs of drafts with the same key). */
    throughputKey: string | null;
    summary: RunSummary | null;
  };
  runs: StoredRunSummary[] | null;
}

export const createFinetuneSlice = (): FinetuneSlice => ({
  finetune: { catalog: null, preset: null, draft: null },
  training: {
    jobId: null,
    run: null,
    status: 'idle',
    records: [],
    totalSteps: 0,
    clipsPerStep: 0,
    throughputKey: null,
    summary: null,
  },
  runs: null,
});
