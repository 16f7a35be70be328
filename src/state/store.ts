// The studio's one zustand store (main thread), built from typed slices. Serialisable state only.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type {
  DatasetScanSummary,
  DoctorReport,
  IngestDatasetResult,
  IngestFailure,
  InitResult,
  SelfTestResult,
  StorageInfo,
  StoredDatasetSummary,
  ToyActionsResult,
} from '../shared/protocol.ts';
import type { DatasetFormat } from '../shared/datasets.ts';
import type { SerializedError } from '../shared/errors.ts';
import { createModelsSlice, type ModelsSlice } from './modelsSlice.ts';
import { createFinetuneSlice, type FinetuneSlice } from './finetuneSlice.ts';
import { createEvaluateSlice, type EvaluateSlice } from './evaluateSlice.ts';

export const PANELS = [
  'start',
  'datasets',
  'models',
  'pretrain',
  'finetune',
  'evaluate',
  'visualise',
  'system',
] as const;
export type PanelId = (typeof PANELS)[number];

export interface NavSlice {
  panel: PanelId;
}

export type StudioStatus = 'starting' | 'ready' | 'unsupported' | 'failed';

export interface SystemSlice {
  status: StudioStatus;
  init: InitResult | null;
  doctor: DoctorReport | null;
  doctorLoading: boolean;
  startupError: SerializedError | null;
  deviceLost: boolean;
}

export interface SelfTestSlice {
  selfTest: {
    jobId: string | null;
    stage: string | null;
    done: number;
    total: number;
    result: SelfTestResult | null;
  };
}

export interface ErrorEntry extends SerializedError {
  readonly id: number;
  readonly at: number;
}

export interface ErrorsSlice {
  errors: ErrorEntry[];
}

export interface DatasetsSlice {
  datasetScan: {
    jobId: string | null;
    stage: string | null;
    done: number;
    total: number;
    /** Files picked in the last drop (the File objects themselves live outside the store). */
    fileCount: number;
    formatOverride: DatasetFormat | null;
    summary: DatasetScanSummary | null;
  };
  datasetIngest: {
    jobId: string | null;
    /** Date.now() when the running (or last) ingest started. */
    startedAt: number;
    videosDone: number;
    videosTotal: number;
    frames: number;
    bytes: number;
    currentFile: string | null;
    failures: IngestFailure[];
    result: IngestDatasetResult | null;
  };
  /** Stored datasets with their counts; null until first listed. */
  storedDatasets: StoredDatasetSummary[] | null;
  /** Origin storage as the Datasets panel last read it. */
  datasetStorage: StorageInfo | null;
}

/** The built-in Toy Actions dataset: made in the background on first start. */
export interface ToyActionsSlice {
  toyActions: {
    jobId: string | null;
    /** Videos encoded and videos stored by the running job, of `total` still to make. */
    encoded: number;
    ingested: number;
    total: number;
    result: ToyActionsResult | null;
  };
}

export type StudioState = NavSlice &
  SystemSlice &
  SelfTestSlice &
  ErrorsSlice &
  DatasetsSlice &
  ToyActionsSlice &
  ModelsSlice &
  FinetuneSlice &
  EvaluateSlice;

const createNavSlice = (): NavSlice => ({ panel: 'start' });

const createSystemSlice = (): SystemSlice => ({
  status: 'starting',
  init: null,
  doctor: null,
  doctorLoading: false,
  startupError: null,
  deviceLost: false,
});

const createSelfTestSlice = (): SelfTestSlice => ({
  selfTest: { jobId: null, stage: null, done: 0, total: 0, result: null },
});

const createErrorsSlice = (): ErrorsSlice => ({ errors: [] });

const createDatasetsSlice = (): DatasetsSlice => ({
  datasetScan: {
    jobId: null,
    stage: null,
    done: 0,
    total: 0,
    fileCount: 0,
    formatOverride: null,
    summary: null,
  },
  datasetIngest: {
    jobId: null,
    startedAt: 0,
    videosDone: 0,
    videosTotal: 0,
    frames: 0,
    bytes: 0,
    currentFile: null,
    failures: [],
    result: null,
  },
  storedDatasets: null,
  datasetStorage: null,
});

const createToyActionsSlice = (): ToyActionsSlice => ({
  toyActions: { jobId: null, encoded: 0, ingested: 0, total: 0, result: null },
});

export const studioStore = createStore<StudioState>()(() => ({
  ...createNavSlice(),
  ...createSystemSlice(),
  ...createSelfTestSlice(),
  ...createErrorsSlice(),
  ...createDatasetsSlice(),
  ...createToyActionsSlice(),
  ...createModelsSlice(),
  ...createFinetuneSlice(),
  ...createEvaluateSlice(),
}));

export function useStudio<T>(selector: (state: StudioState) => T): T {
  return useStore(studioStore, selector);
}
