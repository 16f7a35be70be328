// Worker protocol types: dataset scan, ingest, listing, clip sampling and the Toy Actions job.
// Both threads import them (types and plain constants only), through ../protocol.ts, which adds the job unions
// and the WorkerApi.
import type {
  DatasetFormat,
  DatasetIssue,
  DatasetIssueCode,
  FailureReason,
  SplitFold,
  SplitRole,
} from '../datasets.ts';
import type { ErrorCode } from '../errors.ts';

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

/** Ingests every video of a drop into the frame store as one dataset (idempotent, resumable). */
export interface IngestDatasetSpec {
  readonly kind: 'ingest-dataset';
  readonly files: readonly DatasetFileRef[];
  /** Parse as this format instead of the detected one. */
  readonly format?: DatasetFormat;
  /** Dataset name; its id is derived from it. Default: the drop's top folder, else the format. */
  readonly name?: string;
  /** Stored frames' short side in pixels (default 128). */
  readonly shortSide?: number;
  /** Only videos with a role in this split fold (default: every video with a file). */
  readonly fold?: SplitFold;
}

/** One file that could not be ingested. */
export interface IngestFailure {
  /** Drop-relative path of the file. */
  readonly file: string;
  readonly code: ErrorCode;
  readonly reason: FailureReason;
  readonly message: string;
}

export interface IngestDatasetResult {
  readonly dataset: string;
  readonly name: string;
  readonly videosOk: number;
  readonly videosFailed: number;
  /** Of videosOk: already stored by an earlier run. */
  readonly videosSkipped: number;
  readonly failures: readonly IngestFailure[];
  /** Frames and bytes stored for the dataset's ok videos. */
  readonly frames: number;
  readonly bytes: number;
  /** Frames decoded and stored by this run (skipped videos excluded). */
  readonly framesThisRun: number;
  readonly seconds: number;
  readonly framesPerSecond: number;
}

export interface StoredDatasetSummary {
  readonly id: string;
  readonly name: string;
  readonly format: string;
  readonly classes: readonly string[];
  readonly folds: readonly number[];
  readonly shortSide: number;
  readonly status: 'ingesting' | 'ready';
  readonly videoCount: number;
  readonly videosDone: number;
  readonly videosFailed: number;
  readonly videosPending: number;
  readonly frames: number;
  readonly bytes: number;
  /** Done videos per class index. */
  readonly perClass: readonly number[];
  /** Done videos per split ('train1', 'test2', …). */
  readonly perSplit: Readonly<Record<string, number>>;
  readonly failures: readonly IngestFailure[];
}

export interface ListDatasetsSpec {
  readonly kind: 'list-datasets';
}

/** The stored videos of one dataset, each with its frame and chunk counts (checks against ffprobe, resume). */
export interface ListVideosSpec {
  readonly kind: 'list-videos';
  readonly datasetId: string;
}

export interface StoredVideoSummary {
  /** Drop-relative path of the source file. */
  readonly file: string;
  readonly status: 'pending' | 'partial' | 'done' | 'failed';
  readonly label: number | null;
  readonly splits: readonly string[];
  readonly container: string;
  readonly codec: string;
  /** Stored frames (after any fps subsampling) and the frames the source holds. */
  readonly frames: number;
  readonly sourceFrames: number;
  readonly width: number;
  readonly height: number;
  readonly chunkCount: number;
  readonly storedChunks: number;
  /** Chunk records actually present in the store (equals storedChunks unless something duplicated or lost). */
  readonly chunksInStore: number;
}

export interface DeleteDatasetSpec {
  readonly kind: 'delete-dataset';
  readonly id: string;
}

/** Frames of one clip of a stored video, picked by MMAction2 SampleFrames (train mode, seeded). */
export interface SampleClipSpec {
  readonly kind: 'sample-clip';
  readonly datasetId: string;
  /** Index into the dataset's done videos (sorted by id), taken modulo their count. */
  readonly videoIndex: number;
  readonly clipLen: number;
  readonly frameInterval: number;
  readonly seed: number;
}

export interface SampledClip {
  readonly videoId: string;
  readonly className: string | null;
  readonly frameInds: readonly number[];
  readonly width: number;
  readonly height: number;
  /** u8[clipLen, height, width, 3]. */
  readonly frames: Uint8Array;
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
