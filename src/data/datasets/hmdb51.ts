// HMDB51 parser: testTrainMulti_7030_splits/{class}_test_split{1,2,3}.txt ("video.avi N";
// 1 train, 2 test, 0 unused) over `{class}/{video}.avi`. Pure; compute worker and Node tests.
import { ClassTable, ManifestBuilder, lastSegments, pickOne, readList, sortedDistinct } from './builder.ts';
import { FileIndex, basename, isVideoPath, normalizePath, pushTo, textLines, usableFiles } from './paths.ts';
import type {
  DatasetManifest,
  DroppedFile,
  ParseOptions,
  SplitFold,
  SplitRole,
} from '../../shared/datasets.ts';

/** `{class}_test_split{N}.txt`; the class is everything before `_test_split` (it may hold underscores). */
export const HMDB_SPLIT_FILE = /^(.+)_test_split([123])\.txt$/i;

const ROLE_OF_CODE: Readonly<Record<string, SplitRole>> = { '0': 'unused', '1': 'train', '2': 'test' };

/**
 * Parses an HMDB51 drop. Classes are the split-file class names in codepoint order (MMAction2 sorts
 * the class folders the same way); ids are `{class}/{video}`.
 */
export async function parseHmdb51(
  files: readonly DroppedFile[],
  options: ParseOptions = {},
): Promise<DatasetManifest> {
  const usable = usableFiles(files);
  const b = new ManifestBuilder('hmdb51', new FileIndex(usable.filter((f) => isVideoPath(f.path))), options);

  // Group split files by (class, fold); the class keeps the spelling of its first file.
  const groups = new Map<string, DroppedFile[]>();
  const spelling = new Map<string, string>();
  for (const file of usable) {
    const m = HMDB_SPLIT_FILE.exec(basename(file.path));
    if (!m?.[1] || !m[2]) continue;
    const cls = m[1];
    if (!spelling.has(cls.toLowerCase())) spelling.set(cls.toLowerCase(), cls);
    pushTo(groups, `${cls.toLowerCase()}\n${m[2]}`, file);
  }
  const classes = sortedDistinct(spelling.values());
  const table = new ClassTable(classes);
  if (classes.length === 0) b.issues.error('LIST_MISSING', 'No {class}_test_split{1,2,3}.txt files found');

  const folds = new Set<SplitFold>();
  const keys = [...groups.keys()].sort();
  for (const key of keys) {
    const [clsLower = '', foldText = '1'] = key.split('\n');
    const cls = spelling.get(clsLower) ?? clsLower;
    const label = table.find(cls) ?? null;
    const fold = Number(foldText) as SplitFold;
    const file = pickOne(b, groups.get(key) ?? []);
    if (!file) continue;
    const text = await readList(b, file);
    if (text === null) continue;
    folds.add(fold);
    for (const { text: t, line } of textLines(text)) {
      const where = { file: file.path, line };
      const m = /^(.*\S)\s+(\S+)$/.exec(t);
      const role = m?.[2] === undefined ? undefined : ROLE_OF_CODE[m[2]];
      if (!m?.[1] || !role) {
        b.issues.error('BAD_LINE', `"${t}" is not "<video> <0|1|2>"`, where);
        continue;
      }
      const id = `${cls}/${normalizePath(m[1])}`;
      let video = b.get(id.toLowerCase());
      if (!video) {
        const found = b.resolve(id, where);
        video = b.add(id.toLowerCase(), { id, path: found?.path ?? null, size: found?.size ?? null, label });
      }
      b.setSplit(video, fold, role, where);
    }
  }

  for (const fold of folds) {
    for (const cls of classes) {
      if (!groups.has(`${cls.toLowerCase()}\n${fold}`)) {
        b.issues.warn(
          'LIST_MISSING',
          `${cls}_test_split${fold}.txt is missing; ${cls} has no fold ${fold} split`,
        );
      }
    }
  }

  b.addUnlisted((file) => {
    const id = lastSegments(normalizePath(file.path), 2);
    const folder = id.includes('/') ? (id.split('/')[0] ?? '') : '';
    return { id, label: table.find(folder) ?? null };
  });
  return b.build(classes, folds);
}
