// Folder-per-class parser: `{class}/{video}` with optional train/val/test folders above the class
// folder, any root prefix. Pure; compute worker and Node tests.
import { ClassTable, ManifestBuilder, sortedDistinct } from './builder.ts';
import { FileIndex, isVideoPath, normalizePath, roleOfWord, usableFiles } from './paths.ts';
import type { DatasetManifest, DroppedFile, ParseOptions, SplitRole } from '../../shared/datasets.ts';

interface Placed {
  readonly file: DroppedFile;
  readonly segs: readonly string[];
  readonly cls: string | null;
  readonly role: SplitRole | null;
}

/**
 * Class and split of one video path: the class is the parent folder unless that is a split folder
 * ('train/a.mp4' has none); the split is the nearest split-named ancestor ('train/cats/a.mp4').
 */
export function placeVideo(path: string): { cls: string | null; role: SplitRole | null } {
  const dirs = normalizePath(path).split('/').slice(0, -1).reverse();
  const role = dirs.map(roleOfWord).find((r) => r !== null) ?? null;
  const [parent] = dirs;
  return { cls: parent !== undefined && roleOfWord(parent) === null ? parent : null, role };
}

/** Number of leading folders shared by every path (never the file name itself). */
function commonDepth(paths: readonly (readonly string[])[]): number {
  const first = paths[0];
  if (!first) return 0;
  let depth = 0;
  while (depth < first.length - 1 && paths.every((p) => depth < p.length - 1 && p[depth] === first[depth]))
    depth++;
  return depth;
}

/**
 * Parses a folder-per-class drop (torchvision ImageFolder / MMAction2 convention). Classes are the
 * class folder names in codepoint order, merged ignoring case (CASE_MISMATCH warns). Videos under a
 * train/val/test folder get that role in fold 1; without any such folder the manifest has no folds.
 * Ids are paths without the folders all videos share.
 */
export function parseFolderPerClass(
  files: readonly DroppedFile[],
  options: ParseOptions = {},
): DatasetManifest {
  const videos = usableFiles(files).filter((f) => isVideoPath(f.path));
  const index = new FileIndex(videos);
  const b = new ManifestBuilder('folder-per-class', index, options);

  const placed: Placed[] = [...index.files]
    .sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))
    .map((file) => ({ file, segs: normalizePath(file.path).split('/'), ...placeVideo(file.path) }));

  const spelling = new Map<string, string>();
  for (const p of placed) {
    if (p.cls === null) continue;
    const first = spelling.get(p.cls.toLowerCase());
    if (first === undefined) spelling.set(p.cls.toLowerCase(), p.cls);
    else if (first !== p.cls) b.noteCase(first, p.cls, { file: p.file.path }, `${first}\n${p.cls}`);
  }
  const classes = sortedDistinct(spelling.values());
  const table = new ClassTable(classes);
  const depth = commonDepth(placed.map((p) => p.segs));

  for (const p of placed) {
    index.claim(p.file);
    if (p.cls === null) {
      b.issues.warn('NO_CLASS_FOLDER', `${p.file.path} is in no class folder; it has no label`, {
        file: p.file.path,
      });
    }
    const id = p.segs.slice(depth).join('/');
    const video = b.add(`file:${p.file.path}`, {
      id,
      path: p.file.path,
      size: p.file.size,
      label: p.cls === null ? null : (table.find(p.cls) ?? null),
    });
    if (p.role) b.setSplit(video, 1, p.role, { file: p.file.path });
  }
  return b.build(classes, placed.some((p) => p.role) ? [1] : []);
}
