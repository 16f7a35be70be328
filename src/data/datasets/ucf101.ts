// UCF101 parser: ucfTrainTestlist (classInd.txt, trainlist0N.txt, testlist0N.txt) over
// `{Class}/v_{Class}_gXX_cYY.avi` videos under any root. Pure; compute worker and Node tests.
import {
  ClassTable,
  ManifestBuilder,
  lastSegments,
  pickOne,
  readList,
  sortedDistinct,
  type Where,
} from './builder.ts';
import { FileIndex, filesNamed, isVideoPath, normalizePath, textLines, usableFiles } from './paths.ts';
import type {
  DatasetManifest,
  DroppedFile,
  ParseOptions,
  SplitFold,
  SplitRole,
} from '../../shared/datasets.ts';

interface ListEntry {
  readonly listed: string;
  /** Class folder of the listed path ('' when the path has none). */
  readonly folder: string;
  /** Label as written (1-based in the official lists), or null (testlists). */
  readonly numeric: number | null;
  readonly fold: SplitFold;
  readonly role: SplitRole;
  readonly where: Where;
}

interface ClassIndex {
  readonly names: string[];
  /** Id of the first class as written: 1 for the official file, 0 for 0-based copies. */
  readonly base: number;
}

const FOLDS: readonly SplitFold[] = [1, 2, 3];

/** Names of the ucfTrainTestlist files. */
export const UCF_LIST_FILE = /^(classind|(train|test)list0?[123])\.txt$/i;
/** Official clip names: v_{Class}_g{group}_c{clip}.avi. */
export const UCF_VIDEO_NAME = /^v_.+_g\d+_c\d+\.avi$/i;

/** Parses classInd.txt ("1 ApplyEyeMakeup"): names by id, gaps filled with '#id'. */
function parseClassInd(b: ManifestBuilder, file: DroppedFile, text: string): ClassIndex {
  const byId = new Map<number, string>();
  for (const { text: t, line } of textLines(text)) {
    const m = /^(\d+)[\s,;]+(.+)$/.exec(t);
    if (!m?.[1] || !m[2]) {
      b.issues.error('BAD_LINE', `classInd line "${t}" is not "<id> <ClassName>"`, { file: file.path, line });
      continue;
    }
    const id = Number(m[1]);
    if (byId.has(id)) {
      b.issues.error('BAD_CLASS_INDEX', `class id ${id} appears twice; keeping the first`, {
        file: file.path,
        line,
      });
      continue;
    }
    byId.set(id, m[2].trim());
  }
  const ids = [...byId.keys()];
  const base = ids.includes(0) ? 0 : 1;
  const count = ids.length === 0 ? 0 : Math.max(...ids) - base + 1;
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = byId.get(i + base);
    if (name === undefined) {
      b.issues.error('BAD_CLASS_INDEX', `class id ${i + base} is missing from classInd`, { file: file.path });
    }
    names.push(name ?? `#${i + base}`);
  }
  return { names, base };
}

/** Parses a trainlist ("Class/v_….avi 1") or testlist ("Class/v_….avi") into entries. */
function parseSplitList(
  b: ManifestBuilder,
  file: DroppedFile,
  text: string,
  fold: SplitFold,
  role: SplitRole,
): ListEntry[] {
  const out: ListEntry[] = [];
  for (const { text: t, line } of textLines(text)) {
    const where = { file: file.path, line };
    const parts = t.split(/\s+/);
    const [path = '', label] = parts;
    if (parts.length > 2 || (label !== undefined && !/^\d+$/.test(label))) {
      b.issues.error('BAD_LINE', `"${t}" is not "<Class>/<video> [label]"`, where);
      continue;
    }
    const listed = normalizePath(path);
    const segs = listed.split('/');
    out.push({
      listed,
      folder: segs.length > 1 ? (segs[segs.length - 2] ?? '') : '',
      numeric: label === undefined ? null : Number(label),
      fold,
      role,
      where,
    });
  }
  return out;
}

/** Classes when classInd.txt is absent: from trainlist (label, folder) pairs, else sorted folders. */
function classesWithoutIndex(entries: readonly ListEntry[]): ClassIndex {
  const byId = new Map<number, string>();
  for (const e of entries)
    if (e.numeric !== null && e.folder && !byId.has(e.numeric)) byId.set(e.numeric, e.folder);
  if (byId.size > 0) {
    const base = byId.has(0) ? 0 : 1;
    const count = Math.max(...byId.keys()) - base + 1;
    return { names: Array.from({ length: count }, (_, i) => byId.get(i + base) ?? `#${i + base}`), base };
  }
  return { names: sortedDistinct(entries.map((e) => e.folder).filter((f) => f !== '')), base: 1 };
}

/**
 * Parses a UCF101 drop. Labels follow the class folder (as MMAction2's parse_ucf101_splits); a
 * disagreeing numeric label warns (LABEL_MISMATCH). Folds 1–3: trainlist0N -> 'train',
 * testlist0N -> 'test'. Folder and file names match ignoring case.
 */
export async function parseUcf101(
  files: readonly DroppedFile[],
  options: ParseOptions = {},
): Promise<DatasetManifest> {
  const usable = usableFiles(files);
  const b = new ManifestBuilder('ucf101', new FileIndex(usable.filter((f) => isVideoPath(f.path))), options);

  const entries: ListEntry[] = [];
  const folds = new Set<SplitFold>();
  for (const fold of FOLDS) {
    for (const role of ['train', 'test'] as const) {
      const file = pickOne(b, filesNamed(usable, new RegExp(`^${role}list0?${fold}\\.txt$`, 'i')));
      if (!file) continue;
      const text = await readList(b, file);
      if (text === null) continue;
      folds.add(fold);
      entries.push(...parseSplitList(b, file, text, fold, role));
    }
  }
  for (const fold of folds) {
    for (const role of ['train', 'test']) {
      if (!entries.some((e) => e.fold === fold && e.role === role)) {
        b.issues.warn(
          'LIST_MISSING',
          `${role}list0${fold}.txt is missing or empty; fold ${fold} has no ${role} videos`,
        );
      }
    }
  }
  if (folds.size === 0) {
    b.issues.error('LIST_MISSING', 'No trainlist0N.txt / testlist0N.txt found; videos get no splits');
  }

  const indexFile = pickOne(b, filesNamed(usable, /^classind\.txt$/i));
  const indexText = indexFile ? await readList(b, indexFile) : null;
  if (!indexFile) b.issues.warn('LIST_MISSING', 'classInd.txt not found; class ids are taken from the lists');
  const { names, base } =
    indexFile && indexText !== null ? parseClassInd(b, indexFile, indexText) : classesWithoutIndex(entries);
  const table = new ClassTable(names);

  for (const e of entries) {
    const key = e.listed.toLowerCase();
    let video = b.get(key);
    if (!video) {
      const byFolder = e.folder ? table.find(e.folder) : undefined;
      const byNumber =
        e.numeric !== null && e.numeric - base >= 0 && e.numeric - base < names.length
          ? e.numeric - base
          : undefined;
      if (byFolder !== undefined && byNumber !== undefined && byFolder !== byNumber) {
        b.issues.warn(
          'LABEL_MISMATCH',
          `${e.listed} is labelled ${e.numeric} (${names[byNumber]}) but sits in ${e.folder}; using ${e.folder}`,
          e.where,
        );
      }
      const label = byFolder ?? byNumber ?? null;
      if (label === null) {
        b.issues.error(
          'UNKNOWN_CLASS',
          `${e.listed}: class "${e.folder || String(e.numeric)}" is not in classInd`,
          e.where,
        );
      }
      const file = b.resolve(e.listed, e.where);
      video = b.add(key, { id: e.listed, path: file?.path ?? null, size: file?.size ?? null, label });
    }
    b.setSplit(video, e.fold, e.role, e.where);
  }

  b.addUnlisted((file) => {
    const id = lastSegments(normalizePath(file.path), 2);
    const folder = id.includes('/') ? (id.split('/')[0] ?? '') : '';
    return { id, label: table.find(folder) ?? null };
  });
  return b.build(names, folds);
}
