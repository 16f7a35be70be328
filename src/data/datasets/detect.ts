// Dataset layout detection (ranked guesses with reasons) and the one entry point that turns a dropped
// folder into a DatasetManifest. Pure; compute worker and Node tests.
import { TubeletError } from '../../shared/errors.ts';
import { parseFolderPerClass, placeVideo } from './folderPerClass.ts';
import { HMDB_SPLIT_FILE, parseHmdb51 } from './hmdb51.ts';
import { KINETICS_CLIP_STEM, kineticsColumns, parseKinetics } from './kinetics.ts';
import { parseCsv } from './csv.ts';
import { lineFits, splitListLine, type ListKind } from './lists.ts';
import { basename, extension, isImagePath, isVideoPath, stem, textLines, usableFiles } from './paths.ts';
import { frameFolders, parseRawframeList } from './rawframeList.ts';
import { STHV2_FILES, parseSthv2 } from './sthv2.ts';
import {
  DATASET_FORMATS,
  type DatasetFormat,
  type DatasetManifest,
  type DroppedFile,
  type ParseOptions,
} from '../../shared/datasets.ts';
import { UCF_LIST_FILE, UCF_VIDEO_NAME, parseUcf101 } from './ucf101.ts';
import { parseVideoList } from './videoList.ts';

export interface LayoutGuess {
  readonly format: DatasetFormat;
  /** 0..1; only comparable between guesses of one call. */
  readonly confidence: number;
  /** Human-readable evidence, e.g. 'classInd.txt found'. */
  readonly reasons: readonly string[];
}

type Scores = Map<DatasetFormat, { score: number; reasons: string[] }>;

function bump(scores: Scores, format: DatasetFormat, by: number, reason: string): void {
  const s = scores.get(format) ?? { score: 0, reasons: [] };
  s.score += by;
  s.reasons.push(reason);
  scores.set(format, s);
}

function ranked(scores: Scores): LayoutGuess[] {
  return [...scores]
    .map(([format, s]) => ({
      format,
      confidence: Math.round(Math.min(1, s.score) * 100) / 100,
      reasons: s.reasons,
    }))
    .filter((g) => g.confidence > 0)
    .sort(
      (a, b) =>
        b.confidence - a.confidence || DATASET_FORMATS.indexOf(a.format) - DATASET_FORMATS.indexOf(b.format),
    );
}

const pct = (n: number, of: number): string => `${Math.round((100 * n) / of)}%`;
const isDatasetList = (name: string): boolean =>
  UCF_LIST_FILE.test(name) || HMDB_SPLIT_FILE.test(name) || /^(test|train|val)\.csv$/i.test(name);
const LIST_TXT = /\.(txt|lst|list)$/i;

/** Name-only evidence shared by detectLayout and detectLayoutDeep. */
function nameScores(files: readonly DroppedFile[]): Scores {
  const usable = usableFiles(files);
  const names = usable.map((f) => basename(f.path));
  const videos = usable.filter((f) => isVideoPath(f.path));
  const scores: Scores = new Map();
  const count = (re: RegExp): number => names.filter((n) => re.test(n)).length;

  if (count(/^classind\.txt$/i) > 0) bump(scores, 'ucf101', 0.4, 'classInd.txt found');
  const ucfLists = count(/^(train|test)list0?[123]\.txt$/i);
  if (ucfLists > 0) bump(scores, 'ucf101', 0.4, `${ucfLists} of 6 trainlist/testlist files`);
  const ucfVideos = videos.filter((f) => UCF_VIDEO_NAME.test(basename(f.path))).length;
  if (ucfVideos > 0)
    bump(
      scores,
      'ucf101',
      (0.2 * ucfVideos) / videos.length,
      `${pct(ucfVideos, videos.length)} of videos named v_Class_gXX_cYY.avi`,
    );

  const hmdbLists = count(HMDB_SPLIT_FILE);
  if (hmdbLists > 0) bump(scores, 'hmdb51', 0.7, `${hmdbLists} {class}_test_splitN.txt files`);
  const avi = videos.filter((f) => extension(f.path) === 'avi').length;
  if (hmdbLists > 0 && avi > 0)
    bump(scores, 'hmdb51', (0.2 * avi) / videos.length, `${pct(avi, videos.length)} of videos are .avi`);

  const csvs = names.filter((n) => /\.csv$/i.test(n) && !STHV2_FILES.answers.test(n));
  const kineticsCsvs = csvs.filter((n) => /kinetics|train|val|test/i.test(n));
  if (kineticsCsvs.length > 0)
    bump(scores, 'kinetics', 0.3, `CSV files ${kineticsCsvs.slice(0, 3).join(', ')}`);
  else if (csvs.length > 0) bump(scores, 'kinetics', 0.1, `${csvs.length} CSV files`);
  const clips = videos.filter((f) => KINETICS_CLIP_STEM.test(stem(f.path))).length;
  if (clips > 0)
    bump(
      scores,
      'kinetics',
      (0.5 * clips) / videos.length,
      `${pct(clips, videos.length)} of videos named {youtube_id}_{start}_{end}`,
    );

  if (count(STHV2_FILES.labels) > 0) bump(scores, 'sthv2', 0.35, 'labels.json found');
  const sthSets = [STHV2_FILES.train, STHV2_FILES.validation, STHV2_FILES.test].filter(
    (re) => count(re) > 0,
  ).length;
  if (sthSets > 0) bump(scores, 'sthv2', 0.35, `${sthSets} of train/validation/test.json found`);
  const numbered = videos.filter((f) => /^\d+$/.test(stem(f.path))).length;
  if (numbered > 0)
    bump(
      scores,
      'sthv2',
      (0.3 * numbered) / videos.length,
      `${pct(numbered, videos.length)} of videos named {id}.webm`,
    );

  const txt = names.filter((n) => LIST_TXT.test(n) && !isDatasetList(n));
  const rawNamed = txt.filter((n) => /rawframe|frames/i.test(n)).length;
  if (rawNamed > 0) bump(scores, 'rawframe-list', 0.5, `${rawNamed} *rawframes*.txt lists`);
  const folders = frameFolders(usable).filter((f) => f.frames > 0).length;
  if (folders > 0) bump(scores, 'rawframe-list', 0.3, `${folders} folders of img_00001.jpg-style frames`);
  const videoNamed = txt.filter((n) => /video|list|split/i.test(n) && !/rawframe|frames/i.test(n)).length;
  if (videoNamed > 0) bump(scores, 'video-list', 0.4, `${videoNamed} *videos*/*list*.txt files`);
  else if (txt.length > 0) bump(scores, 'video-list', 0.15, `${txt.length} .txt files`);
  if (videoNamed + txt.length > 0 && videos.length > 0)
    bump(scores, 'video-list', 0.1, `${videos.length} videos`);

  const classes = new Set(
    videos.map((f) => placeVideo(f.path).cls?.toLowerCase()).filter((c) => c !== undefined),
  );
  if (classes.size >= 2) bump(scores, 'folder-per-class', 0.3, `videos in ${classes.size} class folders`);
  else if (videos.length > 0) bump(scores, 'folder-per-class', 0.1, `${videos.length} videos`);
  if (classes.size >= 2 && videos.some((f) => placeVideo(f.path).role !== null)) {
    bump(scores, 'folder-per-class', 0.1, 'train/val/test folders');
  }
  if (usable.some((f) => isImagePath(f.path)) && videos.length === 0 && folders === 0) {
    bump(scores, 'rawframe-list', 0.05, 'image files but no videos');
  }
  return scores;
}

/**
 * Ranks the formats a drop may be in from file names alone (no reads): best first, confidence 0..1,
 * formats with no evidence left out. Cheap enough to run on every drop.
 */
export function detectLayout(files: readonly DroppedFile[]): LayoutGuess[] {
  return ranked(nameScores(files));
}

/**
 * detectLayout refined by reading up to `maxReads` small list files: a CSV header with youtube_id
 * confirms Kinetics; list lines decide between VideoDataset and RawframeDataset lists.
 */
export async function detectLayoutDeep(files: readonly DroppedFile[], maxReads = 12): Promise<LayoutGuess[]> {
  const scores = nameScores(files);
  const usable = usableFiles(files);
  const candidates = usable
    .filter(
      (f) => f.read && (/\.csv$/i.test(f.path) || LIST_TXT.test(f.path)) && !isDatasetList(basename(f.path)),
    )
    .sort((a, b) => a.size - b.size)
    .slice(0, maxReads);
  for (const file of candidates) {
    let text: string;
    try {
      text = (await file.read?.()) ?? '';
    } catch {
      continue;
    }
    if (/\.csv$/i.test(file.path)) {
      if (kineticsColumns(parseCsv(text.slice(0, 4096))[0]?.fields ?? [])) {
        bump(scores, 'kinetics', 0.4, `${basename(file.path)} has Kinetics columns`);
      }
      continue;
    }
    const head = textLines(text.slice(0, 8192))
      .slice(0, 5)
      .map((l) => splitListLine(l.text));
    for (const [kind, format] of [
      ['video', 'video-list'],
      ['rawframe', 'rawframe-list'],
    ] as [ListKind, DatasetFormat][]) {
      if (head.length > 0 && head.filter((l) => lineFits(kind, l)).length * 2 > head.length) {
        bump(scores, format, 0.4, `${basename(file.path)} has ${kind} list lines`);
      }
    }
  }
  return ranked(scores);
}

function memo(read: () => Promise<string>): () => Promise<string> {
  let text: Promise<string> | undefined;
  return () => (text ??= read());
}

type Parser = (
  files: readonly DroppedFile[],
  options: ParseOptions,
) => DatasetManifest | Promise<DatasetManifest>;

const PARSERS: Readonly<Record<DatasetFormat, Parser>> = {
  ucf101: parseUcf101,
  hmdb51: parseHmdb51,
  kinetics: parseKinetics,
  sthv2: parseSthv2,
  'folder-per-class': parseFolderPerClass,
  'video-list': parseVideoList,
  'rawframe-list': parseRawframeList,
};

/**
 * Parses a dropped folder into a manifest. With no `format`, the best detectLayoutDeep guess is
 * used (folder-per-class when nothing fits). Problems in the data become manifest issues; only
 * invalid arguments throw (TubeletError INVALID_ARGUMENT).
 */
export async function parseDataset(
  files: readonly DroppedFile[],
  format?: DatasetFormat,
  options: ParseOptions = {},
): Promise<DatasetManifest> {
  if (format !== undefined && !DATASET_FORMATS.includes(format)) {
    throw new TubeletError('INVALID_ARGUMENT', `Unknown dataset format "${format}"`, {
      hint: `Use one of ${DATASET_FORMATS.join(', ')}`,
    });
  }
  const max = options.maxIssuesPerCode;
  if (max !== undefined && (!Number.isInteger(max) || max < 0)) {
    throw new TubeletError('INVALID_ARGUMENT', `maxIssuesPerCode must be a non-negative integer, got ${max}`);
  }
  // Detection may read a list the parser reads again: read each file once.
  const once = files.map((f) => (f.read ? { ...f, read: memo(f.read) } : f));
  const chosen = format ?? (await detectLayoutDeep(once))[0]?.format ?? 'folder-per-class';
  return PARSERS[chosen](once, options);
}
