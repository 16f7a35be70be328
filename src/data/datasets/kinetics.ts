// Kinetics 400/600/700 parser: CSVs `label,youtube_id,time_start,time_end,split[,is_cc…]` (test CSV
// without label) over `{youtube_id}_{start:06d}_{end:06d}.mp4` clips in label folders or flat folders.
// Pure; compute worker and Node tests.
import { ClassTable, ManifestBuilder, readList, sortedDistinct, type Where } from './builder.ts';
import { parseCsv, type CsvRow } from './csv.ts';
import {
  FileIndex,
  basename,
  codepointCompare,
  isVideoPath,
  normalizePath,
  roleInName,
  roleOfWord,
  stem,
  usableFiles,
} from './paths.ts';
import type { DatasetManifest, DroppedFile, ParseOptions, SplitRole } from '../../shared/datasets.ts';

/** YouTube ids are 11 characters of [A-Za-z0-9_-] and may start with '-' or '_'. */
export const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/;
/** A clip file stem, read by fixed slicing: id[0:11], start[12:18], end[19:25]. */
export const KINETICS_CLIP_STEM = /^[A-Za-z0-9_-]{11}_\d{6}_\d{6}$/;

/** Folder-name tolerant class key: 'passing American football (in game)' = 'passing_american_football_in_game'. */
export function kineticsKey(label: string): string {
  const key = label.toLowerCase().replace(/[^a-z0-9]/g, '');
  return key === '' ? label.toLowerCase() : key;
}

interface Columns {
  readonly label: number | null;
  readonly id: number;
  readonly start: number;
  readonly end: number;
  readonly split: number | null;
  readonly headerRows: number;
}

interface ClipRow {
  readonly label: string;
  readonly ytid: string;
  readonly start: number;
  readonly end: number;
  readonly role: SplitRole | null;
  readonly where: Where;
}

const isInt = (s: string | undefined): boolean => s !== undefined && /^\d+(\.0+)?$/.test(s);

/** Column layout of a Kinetics CSV from its header or, headerless, from its first row's shape. */
export function kineticsColumns(first: readonly string[]): Columns | null {
  const names = first.map((f) => f.trim().toLowerCase());
  const id = names.indexOf('youtube_id');
  if (id >= 0) {
    const col = (n: string): number | null => (names.includes(n) ? names.indexOf(n) : null);
    const start = col('time_start');
    const end = col('time_end');
    if (start === null || end === null) return null;
    return { label: col('label'), id, start, end, split: col('split'), headerRows: 1 };
  }
  if (YOUTUBE_ID.test(first[1] ?? '') && isInt(first[2]) && isInt(first[3])) {
    return { label: 0, id: 1, start: 2, end: 3, split: first.length > 4 ? 4 : null, headerRows: 0 };
  }
  if (YOUTUBE_ID.test(first[0] ?? '') && isInt(first[1]) && isInt(first[2])) {
    return { label: null, id: 0, start: 1, end: 2, split: first.length > 3 ? 3 : null, headerRows: 0 };
  }
  return null;
}

function readRows(b: ManifestBuilder, file: DroppedFile, rows: readonly CsvRow[], cols: Columns): ClipRow[] {
  const out: ClipRow[] = [];
  const fileRole = roleInName(file.path);
  let warnedSplit = false;
  for (const row of rows.slice(cols.headerRows)) {
    const where = { file: file.path, line: row.line };
    const f = row.fields;
    const ytid = f[cols.id] ?? '';
    const start = f[cols.start];
    const end = f[cols.end];
    if (row.malformed || !YOUTUBE_ID.test(ytid) || !isInt(start) || !isInt(end)) {
      const why = row.malformed ?? 'needs an 11-character youtube_id and integer time_start/time_end';
      b.issues.error('BAD_LINE', `"${f.join(',')}": ${why}`, where);
      continue;
    }
    const value = cols.split === null ? '' : (f[cols.split] ?? '');
    const role = value === '' ? fileRole : roleOfWord(value);
    if (role === null && value !== '') {
      b.issues.warn('UNKNOWN_SPLIT', `unknown split value "${value}"`, where);
    } else if (role === null && !warnedSplit) {
      b.issues.warn(
        'UNKNOWN_SPLIT',
        `cannot tell the split of ${file.path} (no split column or name)`,
        where,
      );
      warnedSplit = true;
    }
    out.push({
      label: cols.label === null ? '' : (f[cols.label] ?? ''),
      ytid,
      start: Math.trunc(Number(start)),
      end: Math.trunc(Number(end)),
      role,
      where,
    });
  }
  return out;
}

const pad6 = (n: number): string => String(n).padStart(6, '0');

/** Folder names from nearest to farthest of a file's path. */
function folders(file: DroppedFile): string[] {
  return normalizePath(file.path).split('/').slice(0, -1).reverse();
}

/** The clip file for a row: label folder first, then split folder, then the shortest path. */
function pickClip(
  candidates: readonly DroppedFile[],
  row: ClipRow,
): { file: DroppedFile; ties: number } | null {
  if (candidates.length === 0) return null;
  const want = kineticsKey(row.label);
  const rank = (f: DroppedFile): number => {
    const dirs = folders(f);
    return (
      (row.label && kineticsKey(dirs[0] ?? '') === want ? 2 : 0) +
      (dirs.some((d) => roleOfWord(d) === row.role) ? 1 : 0)
    );
  };
  const sorted = [...candidates].sort((a, b) => rank(b) - rank(a) || a.path.length - b.path.length);
  const first = sorted[0];
  if (!first) return null;
  return { file: first, ties: sorted.filter((f) => rank(f) === rank(first)).length };
}

/**
 * Parses a Kinetics drop. Every .csv with a Kinetics header (or headerless Kinetics rows) is read;
 * the split comes from the `split` column ('validate' = val) or the file name. Classes are the sorted
 * train labels (all labels when there is no train CSV), as MMAction2's parse_kinetics_splits.
 * Ids are clip keys `{youtube_id}_{start:06d}_{end:06d}`.
 */
export async function parseKinetics(
  files: readonly DroppedFile[],
  options: ParseOptions = {},
): Promise<DatasetManifest> {
  const usable = usableFiles(files);
  const index = new FileIndex(usable.filter((f) => isVideoPath(f.path)));
  const b = new ManifestBuilder('kinetics', index, options);

  const rows: ClipRow[] = [];
  const csvs = usable.filter((f) => /\.csv$/i.test(f.path)).sort((x, y) => codepointCompare(x.path, y.path));
  for (const file of csvs) {
    const text = await readList(b, file, false);
    if (text === null) continue;
    const parsed = parseCsv(text);
    const cols = kineticsColumns(parsed[0]?.fields ?? []);
    if (!cols) continue;
    b.sources.push(file.path);
    rows.push(...readRows(b, file, parsed, cols));
  }
  if (b.sources.length === 0)
    b.issues.error('LIST_MISSING', 'No Kinetics CSV (label,youtube_id,time_start,time_end,split) found');

  const trainLabels = rows.filter((r) => r.role === 'train' && r.label).map((r) => r.label);
  const classes = sortedDistinct(
    trainLabels.length > 0 ? trainLabels : rows.filter((r) => r.label).map((r) => r.label),
  );
  const table = new ClassTable(classes, kineticsKey);

  for (const row of rows) {
    const id = `${row.ytid}_${pad6(row.start)}_${pad6(row.end)}`;
    let video = b.get(id);
    if (!video) {
      let label: number | null = null;
      if (row.label) {
        label = table.find(row.label) ?? null;
        if (label === null)
          b.issues.error('UNKNOWN_CLASS', `${id}: "${row.label}" is not a training class`, row.where);
      }
      const byKey = index.withStem(id);
      const hit = pickClip(byKey.length > 0 ? byKey : index.withStem(row.ytid), row);
      if (hit) {
        index.claim(hit.file);
        if (hit.ties > 1)
          b.issues.warn(
            'AMBIGUOUS_MATCH',
            `${id} matches ${hit.ties} files; using ${hit.file.path}`,
            row.where,
          );
        const folderLabel = table.find(folders(hit.file)[0] ?? '');
        if (label !== null && folderLabel !== undefined && folderLabel !== label) {
          b.issues.warn(
            'LABEL_MISMATCH',
            `${hit.file.path} sits in a "${classes[folderLabel]}" folder but the CSV says "${row.label}"; using the CSV`,
            row.where,
          );
        }
      } else {
        b.issues.error(
          'VIDEO_MISSING',
          `${id} (${row.label || 'unlabelled'}) is listed but not in the drop`,
          row.where,
        );
      }
      video = b.add(id, {
        id,
        path: hit?.file.path ?? null,
        size: hit?.file.size ?? null,
        label,
        segment: { startSec: row.start, endSec: row.end },
      });
    }
    if (row.role) b.setSplit(video, 1, row.role, row.where);
  }

  b.addUnlisted((file) => {
    const s = stem(file.path);
    return {
      id: KINETICS_CLIP_STEM.test(s) ? s : basename(file.path),
      label: table.find(folders(file)[0] ?? '') ?? null,
    };
  });
  return b.build(classes, rows.some((r) => r.role) ? [1] : []);
}
