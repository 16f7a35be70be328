// The ingest-dataset job (compute worker): parses a drop's lists, records the dataset (classes, folds, short
// side), then ingests every listed video into the frame store. Video ids are `${datasetId}/${manifest id}`, so
// running it again after a crash or a closed tab resumes partial videos, skips finished ones and stores each
// video exactly once. A bad file becomes a per-file failure; the others go on.
import type { DroppedFile, ManifestVideo, SplitFold } from '../shared/datasets.ts';
import { TubeletError, type SerializedError } from '../shared/errors.ts';
import type { IngestDatasetResult, IngestDatasetSpec, IngestFailure, JobEvent } from '../shared/protocol.ts';
import { parseDataset } from '../data/datasets/detect.ts';
import { failureReason } from '../data/decode/failures.ts';
import { ingestAll, type IngestItem, type IngestOptions } from '../data/decode/ingest.ts';
import { DEFAULT_SHORT_SIDE } from '../data/decode/openVideo.ts';
import { datasetStore, type DatasetRecord } from '../data/store/datasets.ts';
import { frameStore } from '../data/store/frames.ts';
import type { JobContext } from './jobs.ts';

export interface IngestDatasetDeps {
  /** Scratch database for tests. */
  readonly dbName?: string;
  readonly ingest?: Partial<IngestOptions>;
}

/** A stable dataset id from its name: lower-case letters, digits and dashes. */
export function datasetIdFor(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return slug || 'dataset';
}

/** The drop's single top folder ('UCF-101/…' → 'UCF-101'), else null. */
export function topFolder(paths: readonly string[]): string | null {
  const tops = new Set(paths.map((p) => (p.includes('/') ? (p.split('/')[0] ?? '') : '')));
  const [only] = tops;
  return tops.size === 1 && only ? only : null;
}

/** Split names as the frame store keeps them: { 1: 'train', 2: 'test' } → ['train1', 'test2']. */
export function splitNames(video: ManifestVideo): string[] {
  return Object.entries(video.splits)
    .map(([fold, role]) => `${role}${fold}`)
    .sort();
}

function checkShortSide(value: number): number {
  if (!Number.isInteger(value) || value < 16 || value > 1024) {
    throw new TubeletError(
      'INVALID_ARGUMENT',
      `The short side must be an integer from 16 to 1024, got ${value}.`,
    );
  }
  return value;
}

export async function ingestDataset(
  spec: IngestDatasetSpec,
  job: JobContext,
  emit: (event: JobEvent) => void,
  deps: IngestDatasetDeps = {},
): Promise<IngestDatasetResult> {
  const started = performance.now();
  if (spec.files.length === 0) {
    throw new TubeletError('INVALID_ARGUMENT', 'The drop holds no files.', {
      hint: 'Drop the dataset folder itself (with its videos and list files).',
    });
  }
  const shortSide = checkShortSide(spec.shortSide ?? DEFAULT_SHORT_SIDE);
  const byPath = new Map(spec.files.map((f) => [f.path, f.file]));
  const dropped: DroppedFile[] = spec.files.map(({ path, file }) => ({
    path,
    size: file.size,
    read: () => file.text(),
  }));
  job.progress('reading lists', 0, 1);
  const manifest = await parseDataset(dropped, spec.format);
  job.checkpoint();
  const name = spec.name?.trim() || topFolder(spec.files.map((f) => f.path)) || manifest.format;
  const id = datasetIdFor(name);
  const datasets = datasetStore(deps.dbName);
  const frames = frameStore(deps.dbName);
  const previous = await datasets.getDataset(id);
  const fold: SplitFold | undefined = spec.fold;
  const wanted = manifest.videos.filter(
    (v): v is ManifestVideo & { path: string } =>
      v.path !== null &&
      (fold === undefined || (v.splits[fold] !== undefined && v.splits[fold] !== 'unused')),
  );
  const now = Date.now();
  const record: DatasetRecord = {
    id,
    name,
    format: manifest.format,
    classes: [...manifest.classes],
    folds: [...manifest.folds],
    shortSide,
    videoCount: wanted.length,
    status: 'ingesting',
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
  if (previous && previous.shortSide !== shortSide) {
    job.log(
      `${name} was stored at short side ${previous.shortSide}; its videos are re-ingested at ${shortSide}.`,
      'warn',
    );
  }
  await datasets.putDataset(record);

  const videoId = (v: ManifestVideo): string => `${id}/${v.id}`;
  const items: IngestItem[] = [];
  const pathOf = new Map<string, string>();
  let skipped = 0;
  for (const v of wanted) {
    const file = byPath.get(v.path);
    if (!file) continue;
    const meta = { id: videoId(v), datasetId: id, label: v.label, splits: splitNames(v), name: v.path };
    pathOf.set(meta.id, v.path);
    // A finished video of the same file at the same short side is kept without even opening the file again.
    const stored = await frames.getVideo(meta.id);
    if (
      stored?.status === 'done' &&
      previous?.shortSide === shortSide &&
      stored.sourceSize === file.size &&
      stored.sourceName === v.path
    ) {
      if (stored.label !== meta.label || stored.splits.join() !== meta.splits.join()) {
        await frames.updateVideo(meta.id, { label: meta.label, splits: meta.splits });
      }
      skipped++;
      continue;
    }
    items.push({ file, meta });
  }

  const failures: IngestFailure[] = [];
  let framesThisRun = 0;
  let bytesThisRun = 0;
  const seenFrames = new Map<string, number>();
  let videosDone = skipped;
  const total = wanted.length;
  const toFailure = (vid: string, error: SerializedError): IngestFailure => ({
    file: pathOf.get(vid) ?? vid,
    code: error.code,
    reason: failureReason(error),
    message: error.message,
  });
  const send = (currentFile: string | null, failure: IngestFailure | null): void => {
    emit({
      type: 'ingest-progress',
      jobId: job.id,
      videosDone,
      videosTotal: total,
      videosFailed: failures.length,
      frames: framesThisRun,
      bytes: bytesThisRun,
      currentFile,
      failure,
    });
    job.progress('ingesting', videosDone + failures.length, total);
  };
  send(null, null);
  const summary = await ingestAll(
    items,
    {
      concurrency: 2,
      ffmpegFallback: true, // AVI (Xvid/DivX) and codecs WebCodecs lacks decode through ffmpeg.wasm
      ...deps.ingest,
      shortSide,
      rejectTruncated: true,
      dbName: deps.dbName,
      onFailure: (vid, error) => {
        const failure = toFailure(vid, error);
        failures.push(failure);
        send(null, failure);
      },
    },
    (p) => {
      if (p.stage === 'chunk' || p.stage === 'done') {
        const delta = Math.max(0, p.framesDone - (seenFrames.get(p.videoId) ?? 0));
        framesThisRun += delta;
        bytesThisRun += delta * p.frameBytes;
        seenFrames.set(p.videoId, p.framesDone);
      }
      if (p.stage === 'done' || p.stage === 'skipped') videosDone++;
      send(p.stage === 'done' || p.stage === 'skipped' ? null : (pathOf.get(p.videoId) ?? p.videoId), null);
    },
    job.signal,
  );

  const stored = await frames.listVideos(id);
  const okIds = new Set(wanted.map(videoId));
  let framesOk = 0;
  let bytesOk = 0;
  let videosOk = 0;
  for (const v of stored) {
    if (!okIds.has(v.id) || v.status !== 'done') continue;
    videosOk++;
    framesOk += v.frameCount;
    bytesOk += v.frameCount * v.width * v.height * 3;
  }
  await datasets.putDataset({ ...record, status: 'ready', updatedAt: Date.now() });
  const seconds = (performance.now() - started) / 1000;
  return {
    dataset: id,
    name,
    videosOk,
    videosFailed: failures.length,
    videosSkipped: skipped + summary.skipped.length,
    failures,
    frames: framesOk,
    bytes: bytesOk,
    framesThisRun,
    seconds,
    framesPerSecond: seconds > 0 ? framesThisRun / seconds : 0,
  };
}
