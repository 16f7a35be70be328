// Something-Something v2 parser: labels.json (template -> "index"), train.json / validation.json
// (records with id + template), test.json (ids only), optional test-answers.csv ("id;Template"),
// over flat `{id}.webm` videos. Pure; compute worker and Node tests.
import { ClassTable, ManifestBuilder, pickOne, readList, sortedDistinct, type Where } from './builder.ts';
import {
  FileIndex,
  codepointCompare,
  filesNamed,
  isVideoPath,
  stem,
  textLines,
  usableFiles,
} from './paths.ts';
import type { DatasetManifest, DroppedFile, ParseOptions, SplitRole } from '../../shared/datasets.ts';

export const STHV2_FILES = {
  labels: /(^|[-_])labels\.json$/i,
  train: /(^|[-_])train\.json$/i,
  validation: /(^|[-_])(validation|val)\.json$/i,
  test: /(^|[-_])test\.json$/i,
  answers: /(^|[-_])test-answers\.csv$/i,
} as const;

/** The class name of a template: brackets removed ('Holding [something]' -> 'Holding something'). */
export const stripTemplate = (template: string): string => template.replace(/[[\]]/g, '');

interface SthRecord {
  readonly id: string;
  /** Bracket-free template, or null for test records. */
  readonly cls: string | null;
  readonly where: Where;
}

/** Parsed JSON, or undefined (already reported) when unreadable; JSON itself never yields undefined. */
async function readJson(b: ManifestBuilder, file: DroppedFile): Promise<unknown> {
  const text = await readList(b, file);
  if (text === null) return undefined;
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    b.issues.error('LIST_UNREADABLE', `${file.path} is not valid JSON: ${why}`, { file: file.path });
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** labels.json -> class names by index; bad entries are BAD_CLASS_INDEX errors. */
function parseLabels(b: ManifestBuilder, file: DroppedFile, json: unknown): string[] | null {
  if (json === undefined) return null;
  if (!isObject(json)) {
    b.issues.error('LIST_UNREADABLE', `${file.path} is not an object of template -> index`, {
      file: file.path,
    });
    return null;
  }
  const byIndex = new Map<number, string>();
  for (const [template, value] of Object.entries(json)) {
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\d+$/.test(value.trim())
          ? Number(value)
          : NaN;
    if (!Number.isInteger(n) || n < 0 || byIndex.has(n)) {
      b.issues.error('BAD_CLASS_INDEX', `"${template}": ${JSON.stringify(value)} is not a new class index`, {
        file: file.path,
      });
      continue;
    }
    byIndex.set(n, stripTemplate(template));
  }
  const count = byIndex.size === 0 ? 0 : Math.max(...byIndex.keys()) + 1;
  const names = Array.from({ length: count }, (_, i) => byIndex.get(i) ?? `#${i}`);
  if (names.length !== byIndex.size) {
    b.issues.error('BAD_CLASS_INDEX', `class indices of ${file.path} have gaps`, { file: file.path });
  }
  return names;
}

/** train/validation/test JSON -> records; malformed records are BAD_LINE errors (line = record number). */
function parseRecords(b: ManifestBuilder, file: DroppedFile, json: unknown, labelled: boolean): SthRecord[] {
  if (json === undefined) return [];
  if (!Array.isArray(json)) {
    b.issues.error('LIST_UNREADABLE', `${file.path} is not a JSON array of records`, { file: file.path });
    return [];
  }
  const out: SthRecord[] = [];
  json.forEach((rec: unknown, i) => {
    const where = { file: file.path, line: i + 1 };
    const id =
      isObject(rec) && (typeof rec.id === 'string' || typeof rec.id === 'number')
        ? String(rec.id).trim()
        : '';
    const template = isObject(rec) && typeof rec.template === 'string' ? rec.template : null;
    if (id === '' || (labelled && template === null)) {
      b.issues.error(
        'BAD_LINE',
        `record ${i + 1} needs an "id"${labelled ? ' and a "template"' : ''}`,
        where,
      );
      return;
    }
    out.push({ id, cls: labelled && template !== null ? stripTemplate(template) : null, where });
  });
  return out;
}

/** test-answers.csv ("1420;Throwing something") -> id -> class name. */
function parseAnswers(
  b: ManifestBuilder,
  file: DroppedFile,
  text: string,
): Map<string, { cls: string; where: Where }> {
  const out = new Map<string, { cls: string; where: Where }>();
  for (const { text: t, line } of textLines(text)) {
    const i = t.indexOf(';');
    if (i <= 0) {
      b.issues.error('BAD_LINE', `"${t}" is not "<id>;<template>"`, { file: file.path, line });
      continue;
    }
    out.set(t.slice(0, i).trim(), {
      cls: stripTemplate(t.slice(i + 1).trim()),
      where: { file: file.path, line },
    });
  }
  return out;
}

/**
 * Parses a Something-Something v2 drop. Classes come from labels.json (index order); without it,
 * the sorted templates seen in train/validation. Roles: train.json 'train', validation.json 'val',
 * test.json 'test' (labels from test-answers.csv when present). Ids are the numeric video ids.
 */
export async function parseSthv2(
  files: readonly DroppedFile[],
  options: ParseOptions = {},
): Promise<DatasetManifest> {
  const usable = usableFiles(files);
  const index = new FileIndex(usable.filter((f) => isVideoPath(f.path)));
  const b = new ManifestBuilder('sthv2', index, options);
  const find = (re: RegExp): DroppedFile | undefined => pickOne(b, filesNamed(usable, re));

  const labelsFile = find(STHV2_FILES.labels);
  const labelNames = labelsFile ? parseLabels(b, labelsFile, await readJson(b, labelsFile)) : null;
  if (!labelsFile) b.issues.warn('LIST_MISSING', 'labels.json not found; class ids are the sorted templates');

  const sets: { role: SplitRole; records: SthRecord[] }[] = [];
  for (const [role, re, labelled] of [
    ['train', STHV2_FILES.train, true],
    ['val', STHV2_FILES.validation, true],
    ['test', STHV2_FILES.test, false],
  ] as const) {
    const file = find(re);
    if (!file) {
      if (role !== 'test')
        b.issues.warn('LIST_MISSING', `${role === 'train' ? 'train' : 'validation'}.json not found`);
      continue;
    }
    sets.push({ role, records: parseRecords(b, file, await readJson(b, file), labelled) });
  }
  const answersFile = find(STHV2_FILES.answers);
  const answersText = answersFile ? await readList(b, answersFile) : null;
  const answers =
    answersFile && answersText !== null
      ? parseAnswers(b, answersFile, answersText)
      : new Map<string, { cls: string; where: Where }>();

  const classes =
    labelNames ??
    sortedDistinct(sets.flatMap((s) => s.records.map((r) => r.cls)).filter((c): c is string => c !== null));
  const table = new ClassTable(classes);
  const labelOf = (cls: string, id: string, where: Where): number | null => {
    const label = table.find(cls);
    if (label === undefined)
      b.issues.error('UNKNOWN_CLASS', `${id}: template "${cls}" is not in labels.json`, where);
    return label ?? null;
  };

  for (const { role, records } of sets) {
    for (const rec of records) {
      let video = b.get(rec.id);
      if (!video) {
        const answer = rec.cls === null ? answers.get(rec.id) : undefined;
        const cls = rec.cls ?? answer?.cls ?? null;
        const label = cls === null ? null : labelOf(cls, rec.id, answer?.where ?? rec.where);
        const candidates = [...index.withStem(rec.id)].sort(
          (x, y) => x.path.length - y.path.length || codepointCompare(x.path, y.path),
        );
        const file = candidates[0];
        if (file) {
          index.claim(file);
          if (candidates.length > 1) {
            b.issues.warn(
              'AMBIGUOUS_MATCH',
              `${rec.id} matches ${candidates.length} files; using ${file.path}`,
              rec.where,
            );
          }
        } else {
          b.issues.error('VIDEO_MISSING', `${rec.id}.webm is listed but not in the drop`, rec.where);
        }
        video = b.add(rec.id, { id: rec.id, path: file?.path ?? null, size: file?.size ?? null, label });
      }
      b.setSplit(video, 1, role, rec.where);
    }
  }

  b.addUnlisted((file) => ({ id: stem(file.path), label: null }));
  return b.build(classes, sets.length > 0 ? [1] : []);
}
