// What MMAction2 VideoDataset and RawframeDataset annotation lists share: finding list and label-map
// files, splitting a line into path + numbers, and naming classes. Pure; compute worker and tests.
import type { ManifestBuilder } from './builder.ts';
import { readList, type Where } from './builder.ts';
import {
  basename,
  codepointCompare,
  dirname,
  isVideoPath,
  normalizePath,
  textLines,
  type TextLine,
} from './paths.ts';
import type { DroppedFile, ParseOptions } from '../../shared/datasets.ts';

export type ListKind = 'video' | 'rawframe';

/** A list line split into its path and the whitespace- (or delimiter-) separated fields after it. */
export interface SplitLine {
  readonly path: string;
  readonly tokens: readonly string[];
}

/**
 * Splits a list line. With a delimiter, fields are delimiter-separated. Without one, the trailing
 * integer fields are the numbers and everything before them is the path, so paths may hold spaces
 * ('abseiling/clip 1.mp4 0').
 */
export function splitListLine(text: string, delimiter?: string): SplitLine {
  if (delimiter !== undefined && delimiter !== '' && delimiter.trim() !== '') {
    const [path = '', ...tokens] = text.split(delimiter).map((s) => s.trim());
    return { path, tokens: tokens.filter((t) => t !== '') };
  }
  const m = /^(.*?\S)((?:\s+-?\d+)+)$/.exec(text.trim());
  if (!m?.[1] || !m[2]) return { path: text.trim(), tokens: [] };
  return { path: m[1], tokens: m[2].trim().split(/\s+/) };
}

export const isIntToken = (t: string): boolean => /^-?\d+$/.test(t);

/** Whether a line fits a list kind: video = `video.ext label…`; rawframe = `dir total label…`. */
export function lineFits(kind: ListKind, line: SplitLine): boolean {
  if (!line.tokens.every(isIntToken)) return false;
  return kind === 'video'
    ? isVideoPath(line.path) && line.tokens.length >= 1
    : !isVideoPath(line.path) && line.tokens.length >= 2;
}

const LABEL_MAP_NAME = /(label_?map|class_?names?|classes|labels?|classind)[^/]*\.txt$/i;
const LIST_EXT = /\.(txt|lst|list)$/i;

/**
 * List files of a kind: `options.listFiles` when given, else every .txt/.lst/.list file whose first
 * lines mostly fit the kind. Only accepted files are recorded as sources.
 */
export async function findLists(
  b: ManifestBuilder,
  usable: readonly DroppedFile[],
  options: ParseOptions,
  kind: ListKind,
): Promise<{ file: DroppedFile; lines: TextLine[] }[]> {
  const wanted = options.listFiles?.map(normalizePath);
  const candidates = usable
    .filter((f) => (wanted ? wanted.includes(normalizePath(f.path)) : LIST_EXT.test(f.path)))
    .sort((x, y) => codepointCompare(x.path, y.path));
  const out: { file: DroppedFile; lines: TextLine[] }[] = [];
  for (const file of candidates) {
    const text = await readList(b, file, false);
    if (text === null) continue;
    const lines = textLines(text);
    const head = lines.slice(0, 5).map((l) => splitListLine(l.text, options.delimiter));
    const fits = head.filter((l) => lineFits(kind, l)).length;
    if (!wanted && (head.length === 0 || fits * 2 <= head.length)) continue;
    b.sources.push(file.path);
    out.push({ file, lines });
  }
  return out;
}

/** Class names from a label-map file ('label_map_k400.txt': one name per line, or "id name" lines). */
export async function findLabelMap(
  b: ManifestBuilder,
  usable: readonly DroppedFile[],
): Promise<string[] | null> {
  const file = usable
    .filter((f) => LABEL_MAP_NAME.test(basename(f.path)))
    .sort((x, y) => x.path.length - y.path.length)[0];
  if (!file) return null;
  const text = await readList(b, file, false);
  if (text === null) return null;
  const lines = textLines(text).map((l) => l.text);
  if (lines.length === 0 || lines.some((l) => isVideoPath(splitListLine(l).path))) return null;
  b.sources.push(file.path);
  const numbered = lines.map((l) => /^(\d+)[\s,:;]+(.+)$/.exec(l));
  if (!numbered.every((m) => m?.[1] !== undefined && m[2] !== undefined)) return lines;
  const byId = new Map(numbered.map((m) => [Number(m?.[1]), (m?.[2] ?? '').trim()] as const));
  const base = byId.has(0) ? 0 : 1;
  let count = 0;
  for (const id of byId.keys()) count = Math.max(count, id - base + 1);
  return Array.from({ length: count }, (_, i) => byId.get(i + base) ?? `#${i + base}`);
}

export interface LabelledEntry {
  /** 0-based label id. */
  readonly label: number;
  /** Listed path (video file or frame folder). */
  readonly path: string;
}

/**
 * Class names when a list has only ids: the folder all of a label's paths share ('ApplyEyeMakeup'),
 * else 'class_{id}' (also for names two ids would share).
 */
export function inferClassNames(entries: readonly LabelledEntry[]): string[] {
  let count = 0;
  const folders = new Map<number, Set<string>>();
  for (const e of entries) {
    count = Math.max(count, e.label + 1);
    const folder = basename(dirname(e.path));
    const set = folders.get(e.label) ?? new Set<string>();
    set.add(folder);
    folders.set(e.label, set);
  }
  const names = Array.from({ length: count }, (_, i) => {
    const set = folders.get(i);
    const only = set?.size === 1 ? [...set][0] : undefined;
    return only ? only : `class_${i}`;
  });
  const uses = new Map<string, number>();
  for (const n of names) uses.set(n.toLowerCase(), (uses.get(n.toLowerCase()) ?? 0) + 1);
  return names.map((n, i) => ((uses.get(n.toLowerCase()) ?? 0) > 1 ? `class_${i}` : n));
}

/** Reads label tokens: first one (others warn MULTI_LABEL_IGNORED), shifted by labelBase. */
export function firstLabel(
  b: ManifestBuilder,
  tokens: readonly string[],
  labelBase: number,
  where: Where,
): number | null {
  const [first] = tokens;
  if (first === undefined) return null;
  if (tokens.length > 1) {
    b.issues.warn('MULTI_LABEL_IGNORED', `labels ${tokens.join(' ')}: only ${first} is used`, where);
  }
  const label = Number(first) - labelBase;
  if (label < 0) {
    b.issues.error('UNKNOWN_CLASS', `label ${first} is below the first label id ${labelBase}`, where);
    return null;
  }
  return label;
}

/** Class names for list formats: options, then a label-map file, then folder names. */
export async function listClassNames(
  b: ManifestBuilder,
  usable: readonly DroppedFile[],
  options: ParseOptions,
  entries: readonly LabelledEntry[],
): Promise<string[]> {
  if (options.classNames) return [...options.classNames];
  const map = await findLabelMap(b, usable);
  if (map) return map;
  let min = Infinity;
  for (const e of entries) min = Math.min(min, e.label);
  if ((options.labelBase ?? 0) === 0 && entries.length > 0 && min >= 1) {
    b.issues.warn(
      'LABEL_BASE_SUSPECT',
      'no video has label 0; if the list is 1-based, parse it with labelBase 1',
    );
  }
  return inferClassNames(entries);
}
