// The typed contract between the UI thread and the compute worker: the WorkerApi and its event unions.
// Imported by both threads; holds types and plain constants only.
import type { SerializedError } from './errors.ts';
import type { DatasetFormat, DatasetIssue, DatasetIssueCode, SplitFold, SplitRole } from './datasets.ts';

/** What the GPU device module learned about the adapter and the device it created. */
export interface GpuInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
  readonly subgroupMinSize: number | null;
  readonly subgroupMaxSize: number | null;
  /** Optional features the adapter has and the device enabled (timestamp-query, subgroups, shader-f16 …). */
  readonly features: readonly string[];
  /** Device limits as granted (we ask for the adapter's maxima). */
  readonly limits: Readonly<Record<string, number>>;
}

export const PROBED_CODECS = [
  { name: 'avc1', label: 'H.264 (avc1)', codec: 'avc1.42E01E' },
  { name: 'vp8', label: 'VP8', codec: 'vp8' },
  { name: 'vp9', label: 'VP9', codec: 'vp09.00.10.08' },
  { name: 'av1', label: 'AV1', codec: 'av01.0.04M.08' },
  { name: 'hevc', label: 'HEVC (hvc1)', codec: 'hvc1.1.6.L93.B0' },
] as const;

export type CodecName = (typeof PROBED_CODECS)[number]['name'];

export interface CodecSupport {
  readonly name: CodecName;
  readonly codec: string;
  readonly decode: boolean;
  readonly encode: boolean;
}

export interface StorageInfo {
  readonly usageBytes: number | null;
  readonly quotaBytes: number | null;
  readonly persisted: boolean | null;
}

export interface InitResult {
  readonly gpu: GpuInfo;
  readonly tf: { readonly version: string; readonly backend: string; readonly sharesDevice: boolean };
}

export interface DoctorReport extends InitResult {
  readonly userAgent: string;
  readonly codecs: readonly CodecSupport[];
  readonly storage: StorageInfo;
  readonly crossOriginIsolated: boolean;
}

export interface SelfTestSpec {
  readonly kind: 'selftest';
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly seed: number;
}

export interface SelfTestResult {
  readonly ok: boolean;
  readonly kernel: string;
  readonly shape: { readonly m: number; readonly n: number; readonly k: number };
  readonly seed: number;
  /** max |gpu − cpu| over all outputs, and the tolerance it is held to. */
  readonly maxAbsError: number;
  readonly tolerance: number;
  /** The same product through TF.js on the shared device, read from our kernel's buffer without a copy. */
  readonly tfMaxAbsError: number;
  readonly gpuMs: number;
  readonly cpuMs: number;
  /** A few output values, transferred (not copied) across the boundary. */
  readonly sample: Float32Array;
}

export interface BenchKernelsSpec {
  readonly kind: 'bench-kernels';
  /** Smaller shapes and fewer repetitions (CI, software adapters). */
  readonly quick: boolean;
  /** Only rows whose op contains this text. */
  readonly filter?: string;
}

/** One benchmark row, as `tubelet bench kernels --json` prints it. */
export interface BenchRow {
  readonly op: string;
  readonly shape: string;
  /** Median milliseconds of our kernel and of the stock TF.js kernel (null when there is none). */
  readonly ours_ms: number;
  readonly stock_ms: number | null;
  readonly speedup: number | null;
  readonly gflops: number;
  /** max |ours − reference| (the stock kernel's output, or a CPU reference). */
  readonly max_err: number;
}

export interface BenchReport {
  readonly adapter: GpuInfo;
  readonly date: string;
  readonly quick: boolean;
  readonly rows: readonly BenchRow[];
}

/** A dropped or picked file: '/'-separated path relative to the drop, and the lazily-read File. */
export interface DatasetFileRef {
  readonly path: string;
  readonly file: File;
}

export interface ScanDatasetSpec {
  readonly kind: 'scan-dataset';
  readonly files: readonly DatasetFileRef[];
  /** Parse as this format instead of the detected one. */
  readonly format?: DatasetFormat;
}

export interface LayoutGuessSummary {
  readonly format: DatasetFormat;
  readonly confidence: number;
  readonly reasons: readonly string[];
}

/** What the Datasets panel shows about a scanned drop (the full manifest stays in the worker). */
export interface DatasetScanSummary {
  readonly format: DatasetFormat;
  readonly guesses: readonly LayoutGuessSummary[];
  readonly fileCount: number;
  readonly totalBytes: number;
  readonly classes: readonly string[];
  readonly videoCount: number;
  readonly missingCount: number;
  readonly unlabelledCount: number;
  /** Videos per role in each fold that has splits. */
  readonly folds: readonly {
    readonly fold: SplitFold;
    readonly counts: Readonly<Record<SplitRole, number>>;
  }[];
  readonly issues: readonly DatasetIssue[];
  readonly issueCounts: Readonly<Partial<Record<DatasetIssueCode, number>>>;
  readonly sources: readonly string[];
}

/** Creates (or completes) the built-in Toy Actions dataset; every field defaults to the built-in one. */
export interface ToyActionsSpec {
  readonly kind: 'toy-actions';
  readonly seed?: number;
  /** Square frame side in pixels (default 64). */
  readonly size?: number;
  /** Frames per clip (default 32). */
  readonly frames?: number;
  readonly fps?: number;
  /** Videos per class in each split (default 48 / 12 / 12). */
  readonly perClass?: { readonly train: number; readonly val: number; readonly test: number };
}

/** Progress stages of the toy-actions job, in the order they first appear. */
export const TOY_ACTIONS_STAGES = ['check', 'generate', 'encode', 'ingest'] as const;

export interface ToyActionsResult {
  /** Dataset id in the frame store ('toy-actions' for the built-in configuration). */
  readonly dataset: string;
  readonly name: string;
  readonly classes: readonly string[];
  readonly videos: number;
  readonly splits: { readonly train: number; readonly val: number; readonly test: number };
  /** Stored frames and their bytes (u8 RGB in the frame store). */
  readonly frames: number;
  readonly bytes: number;
  /** Bytes of the MP4/WebM files this call encoded, and how many files each container has. */
  readonly encodedBytes: number;
  readonly containers: Readonly<Partial<Record<'mp4' | 'webm', number>>>;
  /** Videos this call created; 0 when the dataset was already complete. */
  readonly created: number;
  readonly seconds: number;
}

export type JobSpec = SelfTestSpec | BenchKernelsSpec | ScanDatasetSpec | ToyActionsSpec;
export type JobKind = JobSpec['kind'];
export interface JobResults {
  selftest: SelfTestResult;
  'bench-kernels': BenchReport;
  'scan-dataset': DatasetScanSummary;
  'toy-actions': ToyActionsResult;
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
      readonly type: 'log';
      readonly jobId: string;
      readonly level: 'info' | 'warn';
      readonly message: string;
    };

/** Events about the worker itself, not tied to a job. */
export type SystemEvent =
  | { readonly type: 'device-lost'; readonly error: SerializedError }
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
