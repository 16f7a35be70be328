// Path and text helpers for dataset parsing, plus the index that finds a listed path among dropped
// files (any root prefix, case-insensitive, closest suffix wins). Pure; compute worker and Node tests.
import type { DroppedFile, SplitRole } from '../../shared/datasets.ts';

export const VIDEO_EXTENSIONS: readonly string[] = ['mp4', 'avi', 'webm', 'mkv', 'mov', 'm4v'];
export const IMAGE_EXTENSIONS: readonly string[] = ['jpg', 'jpeg', 'png', 'webp', 'bmp'];

/** Backslashes to '/', no leading './' or '/', no empty or '.' segments. */
export function normalizePath(path: string): string {
  return path
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

export function basename(path: string): string {
  const p = normalizePath(path);
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Folder part of a path ('' when none). */
export function dirname(path: string): string {
  const p = normalizePath(path);
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** Lower-case extension without the dot ('' when none). */
export function extension(path: string): string {
  const b = basename(path);
  const i = b.lastIndexOf('.');
  return i <= 0 ? '' : b.slice(i + 1).toLowerCase();
}

/** Basename without its extension. */
export function stem(path: string): string {
  const b = basename(path);
  const i = b.lastIndexOf('.');
  return i <= 0 ? b : b.slice(0, i);
}

export const isVideoPath = (path: string): boolean => VIDEO_EXTENSIONS.includes(extension(path));
export const isImagePath = (path: string): boolean => IMAGE_EXTENSIONS.includes(extension(path));

/** OS litter that is never data: macOS resource forks and folders, Finder/Explorer metadata. */
export function isJunk(path: string): boolean {
  const p = normalizePath(path);
  const b = basename(p).toLowerCase();
  return p.split('/').includes('__MACOSX') || b.startsWith('._') || b === '.ds_store' || b === 'thumbs.db';
}

/** Plain codepoint order, as Python's sorted() (not locale order). */
export function codepointCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface TextLine {
  /** Line content without line ending and trailing whitespace. */
  readonly text: string;
  /** 1-based line number. */
  readonly line: number;
}

/** Non-blank lines of a text file; tolerates a BOM and LF, CRLF or CR endings. */
export function textLines(text: string): TextLine[] {
  const out: TextLine[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\n|\r/)
    .forEach((raw, i) => {
      const t = raw.trimEnd();
      if (t.trim() !== '') out.push({ text: t.trimStart(), line: i + 1 });
    });
  return out;
}

/** Split role named by a folder or file-name word (train/training, val/valid/validation/validate, test/testing). */
export function roleOfWord(word: string): SplitRole | null {
  const w = word.toLowerCase();
  if (w === 'train' || w === 'training') return 'train';
  if (w === 'val' || w === 'valid' || w === 'validation' || w === 'validate') return 'val';
  if (w === 'test' || w === 'testing') return 'test';
  return null;
}

/**
 * Split role named in a file name: a whole word ('ucf101_train_split_1_videos.txt', 'validate.csv'),
 * else a word prefix ('trainlist01.txt', 'testlist02.txt', 'vallist.txt').
 */
export function roleInName(name: string): SplitRole | null {
  const words = stem(name).split(/[^a-zA-Z]+/);
  for (const word of words) {
    const role = roleOfWord(word);
    if (role) return role;
  }
  for (const word of words.map((w) => w.toLowerCase())) {
    if (word.startsWith('train')) return 'train';
    if (word.startsWith('test')) return 'test';
    if (word.startsWith('val')) return 'val';
  }
  return null;
}

/** Fold named in a list file name ('split_2', 'split02', 'trainlist03'); 1 when none. */
export function foldInName(name: string): 1 | 2 | 3 {
  const m = /(?:split|list)[_-]?0*([123])(?!\d)/i.exec(stem(name));
  return m?.[1] === '2' ? 2 : m?.[1] === '3' ? 3 : 1;
}

export interface Resolution {
  readonly file: DroppedFile;
  /** The best match differs from the listed path in letter case only. */
  readonly caseOnly: boolean;
  /** How many files matched equally well (> 1 means ambiguous). */
  readonly ties: number;
}

/** Appends to the list under `key`, creating it. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

interface Entry {
  readonly file: DroppedFile;
  readonly segs: readonly string[];
  readonly lower: readonly string[];
}

/**
 * Dropped files indexed for list resolution. A listed path matches a file whose path ends with the
 * most trailing segments of it (so 'UCF-101/' or '/data/kinetics/' prefixes on either side do not
 * matter); case is ignored but an exact-case match wins ties, then the shorter path.
 */
export class FileIndex {
  readonly files: readonly DroppedFile[];
  private readonly byBase = new Map<string, Entry[]>();
  private readonly byStem = new Map<string, DroppedFile[]>();
  private readonly claimed = new Set<DroppedFile>();

  constructor(files: readonly DroppedFile[]) {
    this.files = files;
    for (const file of files) {
      const segs = normalizePath(file.path).split('/');
      const entry: Entry = { file, segs, lower: segs.map((s) => s.toLowerCase()) };
      pushTo(this.byBase, entry.lower[entry.lower.length - 1] ?? '', entry);
      pushTo(this.byStem, stem(file.path), file);
    }
  }

  /** The best file for a listed path, or null when no file has that basename. */
  resolve(listed: string): Resolution | null {
    const want = normalizePath(listed).split('/');
    const wantLower = want.map((s) => s.toLowerCase());
    const entries = this.byBase.get(wantLower[wantLower.length - 1] ?? '') ?? [];
    const scored = entries.map((e) => {
      let score = 0;
      let exact = true;
      while (score < want.length && score < e.segs.length) {
        const i = want.length - 1 - score;
        const j = e.segs.length - 1 - score;
        if (wantLower[i] !== e.lower[j]) break;
        if (want[i] !== e.segs[j]) exact = false;
        score++;
      }
      return { e, score, exact };
    });
    // Most matching segments, then exact case, then the shorter path, then path order.
    scored.sort(
      (a, b) =>
        b.score - a.score ||
        Number(b.exact) - Number(a.exact) ||
        a.e.segs.length - b.e.segs.length ||
        codepointCompare(a.e.file.path, b.e.file.path),
    );
    const best = scored[0];
    if (!best) return null;
    const ties = scored.filter((x) => x.score === best.score && x.exact === best.exact).length;
    return { file: best.e.file, caseOnly: !best.exact, ties };
  }

  /** Files whose basename without extension is exactly `s` (case-sensitive, e.g. YouTube ids). */
  withStem(s: string): readonly DroppedFile[] {
    return this.byStem.get(s) ?? [];
  }

  claim(file: DroppedFile): void {
    this.claimed.add(file);
  }

  isClaimed(file: DroppedFile): boolean {
    return this.claimed.has(file);
  }

  /** Files no list claimed, in path order. */
  unclaimed(): DroppedFile[] {
    return this.files.filter((f) => !this.claimed.has(f)).sort((a, b) => codepointCompare(a.path, b.path));
  }
}

/** Usable files of a drop: no OS litter. */
export function usableFiles(files: readonly DroppedFile[]): DroppedFile[] {
  return files.filter((f) => !isJunk(f.path));
}

/** The file among `files` whose basename matches `pattern` (case-insensitive via the regex flags). */
export function filesNamed(files: readonly DroppedFile[], pattern: RegExp): DroppedFile[] {
  return files.filter((f) => pattern.test(basename(f.path)));
}
