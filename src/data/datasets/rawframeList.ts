// MMAction2 RawframeDataset list parser: `frame_dir total_frames label` lines (or `frame_dir offset
// total_frames label` with_offset) over folders of extracted frames. Pure; compute worker and tests.
import { ManifestBuilder, type Where } from './builder.ts';
import { findLists, firstLabel, isIntToken, listClassNames, splitListLine } from './lists.ts';
import {
  FileIndex,
  basename,
  dirname,
  foldInName,
  isImagePath,
  normalizePath,
  roleInName,
  usableFiles,
} from './paths.ts';
import type {
  DatasetManifest,
  DroppedFile,
  ParseOptions,
  SplitFold,
  SplitRole,
} from '../../shared/datasets.ts';

interface Entry {
  readonly listed: string;
  readonly offset: number | null;
  readonly total: number;
  readonly label: number | null;
  readonly role: SplitRole | null;
  readonly fold: SplitFold;
  readonly where: Where;
}

interface FrameFolder {
  /** Synthetic file standing for the folder: path = folder, size = bytes of its images. */
  readonly dir: DroppedFile;
  /** Files named like the frame template. */
  readonly frames: number;
}

/** Folders holding images, with the number of files that fit `filenameTmpl` ('img_{:05}.jpg'). */
export function frameFolders(files: readonly DroppedFile[], filenameTmpl = 'img_{:05}.jpg'): FrameFolder[] {
  const m = /^(.*)\{[^}]*\}(.*)$/.exec(filenameTmpl);
  const prefix = m?.[1] ?? '';
  const suffix = (m?.[2] ?? '').toLowerCase();
  const fits = (name: string): boolean =>
    m ? name.startsWith(prefix) && name.toLowerCase().endsWith(suffix) : isImagePath(name);
  const acc = new Map<string, { size: number; frames: number }>();
  for (const f of files) {
    if (!isImagePath(f.path)) continue;
    const dir = dirname(f.path);
    const a = acc.get(dir) ?? { size: 0, frames: 0 };
    a.size += f.size;
    if (fits(basename(f.path))) a.frames++;
    acc.set(dir, a);
  }
  return [...acc].map(([path, a]) => ({ dir: { path, size: a.size }, frames: a.frames }));
}

/**
 * Parses MMAction2 RawframeDataset lists ('ucf101_train_split_1_rawframes.txt'). The manifest path
 * of a video is its frame folder in the drop; FRAME_COUNT_MISMATCH warns when the folder holds fewer
 * template-named frames than offset + total_frames. Split, fold, labels and class names as parseVideoList.
 */
export async function parseRawframeList(
  files: readonly DroppedFile[],
  options: ParseOptions = {},
): Promise<DatasetManifest> {
  const usable = usableFiles(files);
  const folders = frameFolders(usable, options.filenameTmpl);
  const frameCount = new Map(folders.map((f) => [f.dir.path, f.frames] as const));
  const b = new ManifestBuilder('rawframe-list', new FileIndex(folders.map((f) => f.dir)), options);
  const labelBase = options.labelBase ?? 0;
  const need = options.withOffset ? 3 : 2;

  const entries: Entry[] = [];
  const lists = await findLists(b, usable, options, 'rawframe');
  if (lists.length === 0)
    b.issues.error('LIST_MISSING', 'No list of "<frame_dir> <total_frames> <label>" lines found');
  for (const { file, lines } of lists) {
    const role = roleInName(file.path);
    const fold = foldInName(file.path);
    if (role === null) {
      b.issues.warn('UNKNOWN_SPLIT', `cannot tell the split of ${basename(file.path)} from its name`, {
        file: file.path,
      });
    }
    for (const { text, line } of lines) {
      const where = { file: file.path, line };
      const { path, tokens } = splitListLine(text, options.delimiter);
      const nums = tokens.map(Number);
      if (
        path === '' ||
        tokens.length < need ||
        !tokens.every(isIntToken) ||
        nums.slice(0, need - 1).some((n) => n < 0)
      ) {
        const shape = options.withOffset
          ? '<frame_dir> <offset> <total_frames> <label>'
          : '<frame_dir> <total_frames> <label>';
        b.issues.error('BAD_LINE', `"${text}" is not "${shape}"`, where);
        continue;
      }
      entries.push({
        listed: normalizePath(path),
        offset: options.withOffset ? (nums[0] ?? 0) : null,
        total: nums[need - 2] ?? 0,
        label: firstLabel(b, tokens.slice(need - 1), labelBase, where),
        role,
        fold,
        where,
      });
    }
  }

  const labelled = entries.flatMap((e) => (e.label === null ? [] : [{ label: e.label, path: e.listed }]));
  const classes = await listClassNames(b, usable, options, labelled);
  const folds = new Set<SplitFold>();

  for (const e of entries) {
    const key = e.offset === null ? e.listed : `${e.listed}\n${e.offset}\n${e.total}`;
    let video = b.get(key);
    if (!video) {
      let label = e.label;
      if (label !== null && label >= classes.length) {
        b.issues.error(
          'UNKNOWN_CLASS',
          `label ${label + labelBase} is beyond the ${classes.length} classes`,
          e.where,
        );
        label = null;
      }
      const dir = b.resolve(e.listed, e.where);
      const have = dir ? (frameCount.get(dir.path) ?? 0) : null;
      if (have !== null && have < (e.offset ?? 0) + e.total) {
        b.issues.warn(
          'FRAME_COUNT_MISMATCH',
          `${e.listed} lists ${(e.offset ?? 0) + e.total} frames but holds ${have}`,
          e.where,
        );
      }
      video = b.add(key, {
        id: e.offset === null ? e.listed : `${e.listed}@${e.offset}`,
        path: dir?.path ?? null,
        size: dir?.size ?? null,
        label,
        frameDir: e.listed,
        totalFrames: e.total,
        ...(e.offset === null ? {} : { frameOffset: e.offset }),
      });
    }
    if (e.role) {
      folds.add(e.fold);
      b.setSplit(video, e.fold, e.role, e.where);
    }
  }
  return b.build(classes, folds);
}
