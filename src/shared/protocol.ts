// The typed contract between the UI thread and the compute worker: the WorkerApi and its event unions.
// Imported by both threads; holds types and plain constants only.
import type { SerializedError } from './errors.ts';
import type {
  ExportModelResult,
  ExportModelSpec,
  ImportModelResult,
  ImportModelSpec,
  LayerRow,
  ListStoredModelsSpec,
  ModelLayersSpec,
  PredictResult,
  PredictSpec,
  StoredModelSummary,
} from './modelIo.ts';
import type { BenchDecodeReport, BenchDecodeSpec, BenchKernelsSpec, BenchReport } from './protocol/bench.ts';
import type {
  DatasetScanSummary,
  DeleteDatasetSpec,
  IngestDatasetResult,
  IngestDatasetSpec,
  IngestFailure,
  ListDatasetsSpec,
  ListVideosSpec,
  SampleClipSpec,
  SampledClip,
  ScanDatasetSpec,
  StoredDatasetSummary,
  StoredVideoSummary,
  ToyActionsResult,
  ToyActionsSpec,
} from './protocol/datasets.ts';
import type { ModelSummary, ModelsSpec } from './protocol/models.ts';
import type { EvalResult, EvalSpec, ListEvalsSpec, StoredEvalSummary } from './protocol/eval.ts';
import type { ExplainResult, ExplainSpec } from './protocol/explain.ts';
import type { ZeroShotResult, ZeroShotSpec } from './protocol/zeroshot.ts';
import type {
  DoctorReport,
  GpuInfo,
  InitResult,
  LoseDeviceSpec,
  SelfTestResult,
  SelfTestSpec,
} from './protocol/system.ts';
import type {
  AugmentPreview,
  AugmentPreviewSpec,
  ListRunsSpec,
  ModelCost,
  ModelCostSpec,
  PruneRunSpec,
  RunHistorySpec,
  TrainCatalog,
  TrainCatalogSpec,
  TrainSpec,
} from './protocol/training.ts';
import type { RunSummary, StoredRunSummary, TrainRecord } from './training.ts';

export * from './protocol/system.ts';
export * from './protocol/bench.ts';
export * from './protocol/datasets.ts';
export * from './protocol/training.ts';
export * from './protocol/models.ts';
export * from './protocol/eval.ts';
export * from './protocol/explain.ts';
export * from './protocol/zeroshot.ts';

export type JobSpec =
  | ModelsSpec
  | SelfTestSpec
  | BenchKernelsSpec
  | ScanDatasetSpec
  | IngestDatasetSpec
  | ListDatasetsSpec
  | ListVideosSpec
  | DeleteDatasetSpec
  | SampleClipSpec
  | BenchDecodeSpec
  | TrainSpec
  | ToyActionsSpec
  | ImportModelSpec
  | PredictSpec
  | ExportModelSpec
  | ListStoredModelsSpec
  | ModelLayersSpec
  | TrainCatalogSpec
  | ModelCostSpec
  | AugmentPreviewSpec
  | ListRunsSpec
  | RunHistorySpec
  | PruneRunSpec
  | LoseDeviceSpec
  | EvalSpec
  | ListEvalsSpec
  | ExplainSpec
  | ZeroShotSpec;
export type JobKind = JobSpec['kind'];
export interface JobResults {
  selftest: SelfTestResult;
  'bench-kernels': BenchReport;
  'bench-decode': BenchDecodeReport;
  'scan-dataset': DatasetScanSummary;
  'ingest-dataset': IngestDatasetResult;
  'list-datasets': readonly StoredDatasetSummary[];
  'list-videos': readonly StoredVideoSummary[];
  'delete-dataset': { readonly id: string; readonly videosDeleted: number };
  'sample-clip': SampledClip;
  train: RunSummary;
  'train-catalog': TrainCatalog;
  'model-cost': ModelCost;
  'augment-preview': AugmentPreview;
  'list-runs': readonly StoredRunSummary[];
  'run-history': readonly TrainRecord[];
  'prune-run': { readonly run: string; readonly deleted: number };
  /** lost: false when no device existed yet. */
  'lose-device': { readonly lost: boolean };
  'toy-actions': ToyActionsResult;
  models: readonly ModelSummary[];
  'import-model': ImportModelResult;
  predict: PredictResult;
  'export-model': ExportModelResult;
  'list-stored-models': readonly StoredModelSummary[];
  'model-layers': readonly LayerRow[];
  eval: EvalResult;
  'list-evals': readonly StoredEvalSummary[];
  explain: ExplainResult;
  zeroshot: ZeroShotResult;
}

/** Events a job streams while it runs: a discriminated union on `type`. */
export type JobEvent =
  | { readonly type: 'started'; readonly jobId: string; readonly kind: JobKind }
  | {
      readonly type: 'progress';
      readonly jobId: string;
      readonly stage: string;
      readonly done: number;
      readonly total: number;
    }
  | {
      readonly type: 'ingest-progress';
      readonly jobId: string;
      readonly videosDone: number;
      readonly videosTotal: number;
      readonly videosFailed: number;
      /** Frames and bytes stored by this run so far. */
      readonly frames: number;
      readonly bytes: number;
      /** Drop path of a file being ingested now, null between files. */
      readonly currentFile: string | null;
      /** The newest failure, once, when a file fails. */
      readonly failure: IngestFailure | null;
    }
  | {
      readonly type: 'log';
      readonly jobId: string;
      readonly level: 'info' | 'warn';
      readonly message: string;
    }
  /** A training step or epoch record (train jobs); JSON-able, charted by the Finetune dashboard. */
  | {
      readonly type: 'train-record';
      readonly jobId: string;
      readonly run: string;
      readonly record: TrainRecord;
    };

/** Events about the worker itself, not tied to a job. */
export type SystemEvent =
  | { readonly type: 'device-lost'; readonly error: SerializedError }
  /** A new device was created after a loss (the next job after it). */
  | { readonly type: 'device-restored'; readonly gpu: GpuInfo }
  | { readonly type: 'gpu-error'; readonly error: SerializedError };

export interface WorkerApi {
  /** Creates the GPU device and the TF.js backend on it. Idempotent; throws a coded error when WebGPU is missing. */
  init(): Promise<InitResult>;
  /** Browser, adapter, features, limits, codecs and storage, as `tubelet doctor` prints it. */
  doctor(): Promise<DoctorReport>;
  /** Starts a job; resolves with its result or rejects with a coded error (JOB_CANCELLED when cancelled). */
  runJob<S extends JobSpec>(
    jobId: string,
    spec: S,
    onEvent: (event: JobEvent) => void,
  ): Promise<JobResults[S['kind']]>;
  /** Cancels a running job; resolves false when no job has that id. */
  cancelJob(jobId: string): Promise<boolean>;
  /** Registers the listener for system events (device loss, uncaptured GPU errors). */
  onSystemEvent(listener: (event: SystemEvent) => void): Promise<void>;
}
