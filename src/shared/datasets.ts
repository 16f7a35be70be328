// Types of dataset parsing: a dropped folder's file list in, a labelled and split manifest out.
// Pure data shared by both threads (structured-clone safe except DroppedFile.read): the worker parses, the UI shows.

/** One file of a dropped folder. */
export interface DroppedFile {
  /** Relative path inside the drop, '/'-separated, e.g. 'UCF-101/ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi'. */
  readonly path: string;
  /** Bytes. */
  readonly size: number;
  /** Reads the whole file as UTF-8 text. Called lazily, only for list/annotation files a parser needs. */
  readonly read?: () => Promise<string>;
}

export const DATASET_FORMATS = [
  'ucf101',
  'hmdb51',
  'kinetics',
  'sthv2',
  'folder-per-class',
  'video-list',
  'rawframe-list',
] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export type SplitRole = 'train' | 'val' | 'test' | 'unused';

/** Official split folds: UCF101 and HMDB51 ship three; every other format uses fold 1 only. */
export type SplitFold = 1 | 2 | 3;

/**
 * A video's role in each fold whose lists name it. One map per video covers both the three-fold
 * datasets (a video is train in fold 1 and test in fold 2) and the single-partition ones without
 * duplicating videos; a missing key means no list of that fold mentions the video.
 */
export type VideoSplits = Partial<Record<SplitFold, SplitRole>>;

export interface ManifestVideo {
  /**
   * Unique within the manifest and stable across drops: the path as the list writes it
   * ('ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi', 'brush_hair/April_09_….avi'), the Kinetics clip
   * key ('-3B32lodo2M_000059_000069'), the SSv2 id ('78687'), or the drop path without its common root.
   */
  readonly id: string;
  /** DroppedFile.path of the video (raw frames: of the frame folder); null when listed but missing. */
  readonly path: string | null;
  /** Index into DatasetManifest.classes; null when unknown (unlabelled test sets, unknown classes). */
  readonly label: number | null;
  readonly splits: VideoSplits;
  /** Bytes of the video (raw frames: of the files directly in the frame folder); null when missing. */
  readonly size: number | null;
  /** Raw frames only: the folder as the list writes it. */
  readonly frameDir?: string;
  /** Raw frames only: frame count from the list. */
  readonly totalFrames?: number;
  /** Raw frames listed `with_offset`: index of the clip's first frame. */
  readonly frameOffset?: number;
  /** Kinetics only: the clip's span in the source YouTube video, seconds. */
  readonly segment?: { readonly startSec: number; readonly endSec: number };
}

export const DATASET_ISSUE_CODES = [
  /** A list file the format expects is absent (e.g. classInd.txt, testlist02.txt, labels.json). */
  'LIST_MISSING',
  /** A list file could not be read or decoded (no reader, read failed, invalid JSON). */
  'LIST_UNREADABLE',
  /** Two copies of the same list file; the one with the shorter path is used. */
  'LIST_DUPLICATE',
  /** A line or record that does not fit the format; it is skipped. */
  'BAD_LINE',
  /** A class index with gaps, repeats or non-numeric ids. */
  'BAD_CLASS_INDEX',
  /** A line names a class (or label id) that the class index does not know; the label is null. */
  'UNKNOWN_CLASS',
  /** The numeric label and the class folder disagree; the folder wins, as in MMAction2. */
  'LABEL_MISMATCH',
  /** A list names a video that is not in the drop; it stays in the manifest with path null. */
  'VIDEO_MISSING',
  /** A video file that no list names; it is added with no splits. */
  'VIDEO_UNLISTED',
  /** The same video is listed twice (in one file, or with conflicting roles in one fold). */
  'DUPLICATE_ENTRY',
  /** A listed path matched only ignoring case (e.g. HandStandPushups vs HandstandPushups). */
  'CASE_MISMATCH',
  /** Several files match one listed path; the closest (then shortest) is used. */
  'AMBIGUOUS_MATCH',
  /** A list line carries several labels; the first is used (multi-label training is not supported). */
  'MULTI_LABEL_IGNORED',
  /** A list's split cannot be told from its name or a split value is unknown. */
  'UNKNOWN_SPLIT',
  /** A video sits in no class folder. */
  'NO_CLASS_FOLDER',
  /** A frame folder holds fewer frames than the list says. */
  'FRAME_COUNT_MISMATCH',
  /** No label is 0 although labels are read as 0-based; the list is probably 1-based. */
  'LABEL_BASE_SUSPECT',
  /** The drop yields no videos at all for this format. */
  'NO_VIDEOS',
] as const;
export type DatasetIssueCode = (typeof DATASET_ISSUE_CODES)[number];

/** A problem found while parsing; never fatal. 'error' = an item is unusable, 'warning' = tolerated. */
export interface DatasetIssue {
  readonly level: 'warning' | 'error';
  readonly code: DatasetIssueCode;
  readonly message: string;
  /** DroppedFile.path of the list file (or video) concerned. */
  readonly file?: string;
  /** 1-based line in `file` (JSON lists: 1-based record number). */
  readonly line?: number;
}

export interface DatasetManifest {
  readonly format: DatasetFormat;
  /** Class names; the index is the 0-based label id. */
  readonly classes: readonly string[];
  /** Folds that have split information, ascending; [] when the drop defines no split. */
  readonly folds: readonly SplitFold[];
  /** Listed videos in list order, then unlisted ones in path order. */
  readonly videos: readonly ManifestVideo[];
  /** At most `maxIssuesPerCode` issues per code, then one summary issue for the rest. */
  readonly issues: readonly DatasetIssue[];
  /** Every issue counted per code, including those beyond the cap. */
  readonly issueCounts: Readonly<Partial<Record<DatasetIssueCode, number>>>;
  /** DroppedFile.path of every list/annotation file the parser used. */
  readonly sources: readonly string[];
}

export interface ParseOptions {
  /** Issues kept per code before summarising (default 100). */
  readonly maxIssuesPerCode?: number;
  /** Video/rawframe lists: field delimiter (default: runs of whitespace; paths may then contain spaces). */
  readonly delimiter?: string;
  /** Video/rawframe lists: the first label id in the list (default 0, MMAction2's convention). */
  readonly labelBase?: 0 | 1;
  /** Video/rawframe lists: class names by label id; otherwise a label-map file or folder names are used. */
  readonly classNames?: readonly string[];
  /** Video/rawframe lists: only these DroppedFile paths are read as lists (default: every fitting .txt). */
  readonly listFiles?: readonly string[];
  /** Rawframe lists: lines are `frame_dir offset total_frames label` (MMAction2 `with_offset`). */
  readonly withOffset?: boolean;
  /** Rawframe lists: frame file template, MMAction2 style (default 'img_{:05}.jpg'). */
  readonly filenameTmpl?: string;
}

/** Why one file of a dataset could not be ingested (shown per file in the UI and the CLI). */
export const FAILURE_REASONS = [
  'zero-bytes',
  'not-a-video',
  'truncated',
  'corrupt',
  'unsupported-codec',
  'needs-ffmpeg',
  'absurd-resolution',
  'quota',
  'other',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];
