// MMAction2 VideoDataset list parser: `path label` lines (configurable delimiter; extra labels are
// ignored with a warning), split and fold from the list's file name. Pure; compute worker and tests.
import { ClassTable, ManifestBuilder, type Where } from './builder.ts';
import { findLists, firstLabel, isIntToken, listClassNames, splitListLine } from './lists.ts';
import {
  FileIndex,
  basename,
  dirname,
  foldInName,
  isVideoPath,
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
  readonly label: number | null;
  readonly role: SplitRole | null;
  readonly fold: SplitFold;
  readonly where: Where;
}

/**
 * Parses MMAction2 VideoDataset lists ('ucf101_train_split_1_videos.txt', 'kinetics400_val_list_videos.txt').
 * Each list is one split: its role and fold come from its name ('train'/'val'/'test', 'split_2').
 * Labels are 0-based unless `options.labelBase` is 1; class names come from `options.classNames`,
 * a label-map file, or the folder shared by each label's videos. Ids are the listed paths.
 */
export async function parseVideoList(
  files: readonly DroppedFile[],
  options: ParseOptions = {},
): Promise<DatasetManifest> {
  const usable = usableFiles(files);
  const b = new ManifestBuilder(
    'video-list',
    new FileIndex(usable.filter((f) => isVideoPath(f.path))),
    options,
  );
  const labelBase = options.labelBase ?? 0;

  const entries: Entry[] = [];
  const lists = await findLists(b, usable, options, 'video');
  if (lists.length === 0) b.issues.error('LIST_MISSING', 'No list of "<video> <label>" lines found');
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
      if (path === '' || tokens.length === 0 || !tokens.every(isIntToken)) {
        b.issues.error('BAD_LINE', `"${text}" is not "<video> <label>"`, where);
        continue;
      }
      entries.push({
        listed: normalizePath(path),
        label: firstLabel(b, tokens, labelBase, where),
        role,
        fold,
        where,
      });
    }
  }

  const labelled = entries.flatMap((e) => (e.label === null ? [] : [{ label: e.label, path: e.listed }]));
  const classes = await listClassNames(b, usable, options, labelled);
  const table = new ClassTable(classes);
  const folds = new Set<SplitFold>();

  for (const e of entries) {
    let video = b.get(e.listed);
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
      const file = b.resolve(e.listed, e.where);
      video = b.add(e.listed, { id: e.listed, path: file?.path ?? null, size: file?.size ?? null, label });
    }
    if (e.role) {
      folds.add(e.fold);
      b.setSplit(video, e.fold, e.role, e.where);
    }
  }

  b.addUnlisted((file) => ({
    id: normalizePath(file.path),
    label: table.find(basename(dirname(file.path))) ?? null,
  }));
  return b.build(classes, folds);
}
