// Shared machinery of the format parsers: the capped issue log, the manifest builder that merges
// list entries into videos, list-file reading and class-name tables. Pure; compute worker and tests.
import type { FileIndex } from './paths.ts';
import { basename, codepointCompare, dirname } from './paths.ts';
import type {
  DatasetFormat,
  DatasetIssue,
  DatasetIssueCode,
  DatasetManifest,
  DroppedFile,
  ManifestVideo,
  ParseOptions,
  SplitFold,
  SplitRole,
  VideoSplits,
} from '../../shared/datasets.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type DraftVideo = Mutable<ManifestVideo> & { splits: VideoSplits };

/** Where an issue points: a file and optionally a 1-based line. */
export interface Where {
  readonly file?: string;
  readonly line?: number;
}

/** Issues, at most `maxPerCode` kept per code; every one counted. */
export class IssueLog {
  private readonly kept: DatasetIssue[] = [];
  private readonly counts = new Map<DatasetIssueCode, number>();
  private readonly levels = new Map<DatasetIssueCode, DatasetIssue['level']>();

  constructor(private readonly maxPerCode: number) {}

  add(level: DatasetIssue['level'], code: DatasetIssueCode, message: string, where: Where = {}): void {
    const n = (this.counts.get(code) ?? 0) + 1;
    this.counts.set(code, n);
    this.levels.set(code, level === 'error' ? 'error' : (this.levels.get(code) ?? level));
    if (n > this.maxPerCode) return;
    this.kept.push({
      level,
      code,
      message,
      ...(where.file === undefined ? {} : { file: where.file }),
      ...(where.line === undefined ? {} : { line: where.line }),
    });
  }

  warn(code: DatasetIssueCode, message: string, where?: Where): void {
    this.add('warning', code, message, where);
  }

  error(code: DatasetIssueCode, message: string, where?: Where): void {
    this.add('error', code, message, where);
  }

  count(code: DatasetIssueCode): number {
    return this.counts.get(code) ?? 0;
  }

  finish(): Pick<DatasetManifest, 'issues' | 'issueCounts'> {
    const issues = [...this.kept];
    for (const [code, n] of this.counts) {
      if (n <= this.maxPerCode) continue;
      issues.push({
        level: this.levels.get(code) ?? 'warning',
        code,
        message: `…and ${n - this.maxPerCode} more ${code} issues (${n} in all)`,
      });
    }
    return { issues, issueCounts: Object.fromEntries(this.counts) };
  }
}

/** Class names with a lookup that tolerates the spelling differences a normaliser removes. */
export class ClassTable {
  private readonly byKey = new Map<string, number>();

  constructor(
    readonly names: readonly string[],
    private readonly key: (name: string) => string = (n) => n.toLowerCase(),
  ) {
    names.forEach((name, i) => {
      const k = key(name);
      if (!this.byKey.has(k)) this.byKey.set(k, i);
    });
  }

  /** Label id of `name`, or undefined. */
  find(name: string): number | undefined {
    return this.byKey.get(this.key(name));
  }
}

/** Sorted distinct names (codepoint order, as MMAction2's `sorted(set(...))`). */
export function sortedDistinct(names: Iterable<string>): string[] {
  return [...new Set(names)].sort(codepointCompare);
}

/**
 * Reads a list file as text; a missing reader or a failed read becomes a LIST_UNREADABLE error.
 * @param record add the file to the manifest sources (pass false when the content may be rejected)
 */
export async function readList(
  builder: ManifestBuilder,
  file: DroppedFile,
  record = true,
): Promise<string | null> {
  if (!file.read) {
    builder.issues.error('LIST_UNREADABLE', `${file.path} cannot be read (no reader was provided)`, {
      file: file.path,
    });
    return null;
  }
  try {
    const text = await file.read();
    if (record) builder.sources.push(file.path);
    return text;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    builder.issues.error('LIST_UNREADABLE', `${file.path} could not be read: ${why}`, { file: file.path });
    return null;
  }
}

/** One of several copies of a list file: the shortest path, then path order (LIST_DUPLICATE warns). */
export function pickOne(builder: ManifestBuilder, copies: readonly DroppedFile[]): DroppedFile | undefined {
  const sorted = [...copies].sort(
    (a, b) => a.path.length - b.path.length || codepointCompare(a.path, b.path),
  );
  const first = sorted[0];
  if (first && sorted.length > 1) {
    builder.issues.warn(
      'LIST_DUPLICATE',
      `${sorted.length} copies of ${basename(first.path)}; using ${first.path}`,
      { file: first.path },
    );
  }
  return first;
}

/** Accumulates videos keyed by a merge key; turns into a DatasetManifest. */
export class ManifestBuilder {
  readonly issues: IssueLog;
  readonly sources: string[] = [];
  private readonly byKey = new Map<string, DraftVideo>();
  private readonly ids = new Set<string>();
  private readonly caseNoted = new Set<string>();

  constructor(
    readonly format: DatasetFormat,
    readonly index: FileIndex,
    options: ParseOptions = {},
  ) {
    this.issues = new IssueLog(options.maxIssuesPerCode ?? 100);
  }

  get(key: string): DraftVideo | undefined {
    return this.byKey.get(key);
  }

  /** Adds a video under `key`; its id is made unique by a '#n' suffix if needed. */
  add(key: string, video: Omit<DraftVideo, 'splits'> & { splits?: VideoSplits }): DraftVideo {
    let id = video.id;
    for (let n = 2; this.ids.has(id); n++) id = `${video.id}#${n}`;
    this.ids.add(id);
    const draft: DraftVideo = { ...video, id, splits: video.splits ?? {} };
    this.byKey.set(key, draft);
    return draft;
  }

  /** Records a video's role in a fold; repeats and conflicts warn (DUPLICATE_ENTRY) and the first wins. */
  setSplit(video: DraftVideo, fold: SplitFold, role: SplitRole, where: Where): void {
    const had = video.splits[fold];
    if (had === undefined) {
      video.splits[fold] = role;
      return;
    }
    const what =
      had === role ? `listed again as ${role}` : `listed as ${role} but already ${had}; kept ${had}`;
    this.issues.warn('DUPLICATE_ENTRY', `${video.id} ${what} in fold ${fold}`, where);
  }

  /**
   * Finds the file for a listed path and claims it. Emits VIDEO_MISSING (error) when none matches,
   * AMBIGUOUS_MATCH when several match equally, CASE_MISMATCH once per folder pair.
   */
  resolve(listed: string, where: Where): DroppedFile | null {
    const hit = this.index.resolve(listed);
    if (!hit) {
      this.issues.error('VIDEO_MISSING', `${listed} is listed but not in the drop`, where);
      return null;
    }
    this.index.claim(hit.file);
    if (hit.ties > 1) {
      this.issues.warn(
        'AMBIGUOUS_MATCH',
        `${listed} matches ${hit.ties} files; using ${hit.file.path}`,
        where,
      );
    }
    if (hit.caseOnly) this.noteCase(listed, hit.file.path, where);
    return hit.file;
  }

  /** One CASE_MISMATCH warning per `key` (default: the (listed folder, actual folder) pair). */
  noteCase(
    listed: string,
    actual: string,
    where: Where,
    key = `${dirname(listed)}\n${dirname(actual)}`,
  ): void {
    if (this.caseNoted.has(key)) return;
    this.caseNoted.add(key);
    this.issues.warn(
      'CASE_MISMATCH',
      `${listed} matched ${actual} ignoring letter case (and others alike)`,
      where,
    );
  }

  /**
   * Adds every unclaimed file of the index as an unlisted video (VIDEO_UNLISTED warning, no splits).
   * @param describe the id and label of an unlisted file
   */
  addUnlisted(describe: (file: DroppedFile) => { id: string; label: number | null }): void {
    for (const file of this.index.unclaimed()) {
      const { id, label } = describe(file);
      this.issues.warn('VIDEO_UNLISTED', `${file.path} is in the drop but in no list`, { file: file.path });
      this.add(`unlisted:${file.path}`, { id, path: file.path, label, size: file.size });
    }
  }

  build(classes: readonly string[], folds: Iterable<SplitFold>): DatasetManifest {
    const videos = [...this.byKey.values()];
    if (videos.length === 0) this.issues.error('NO_VIDEOS', `No videos found for format ${this.format}`);
    return {
      format: this.format,
      classes: [...classes],
      folds: [...new Set(folds)].sort((a, b) => a - b),
      videos,
      ...this.issues.finish(),
      sources: [...this.sources],
    };
  }
}

/** The last `n` segments of a path, '/'-joined (an id for unlisted files: 'Class/video.avi'). */
export function lastSegments(path: string, n: number): string {
  return path.split('/').slice(-n).join('/');
}
