// Builds Toy Actions (compute worker): plans the dataset folder, renders and encodes the clips that are not
// stored yet, parses the folder with the user-dataset parser and ingests the files through ingest.ts, as a
// dropped folder would be. Idempotent: a complete dataset returns at once; a half-made one resumes.
import { TubeletError } from '../../shared/errors.ts';
import { Rng } from '../../shared/random.ts';
import type { DroppedFile } from '../../shared/datasets.ts';
import type { ToyActionsResult, TOY_ACTIONS_STAGES } from '../../shared/protocol.ts';
import { parseDataset } from '../datasets/detect.ts';
import { ingestAll, type IngestItem } from '../decode/ingest.ts';
import { frameStore, type VideoRecord } from '../store/frames.ts';
import { datasetStore } from '../store/datasets.ts';
import { TOY_CLASSES, TOY_DATASET_NAME, toyDatasetId, type ToyConfig } from './classes.ts';
import { encodeToyClip, toyContainers } from './encode.ts';
import {
  droppedText,
  planToyVideos,
  splitTags,
  toyListFiles,
  TOY_ROOT,
  type ToyContainer,
  type ToyVideoPlan,
} from './layout.ts';
import { renderBackground, renderClip, sampleClipParams } from './render.ts';

export type ToyStage = (typeof TOY_ACTIONS_STAGES)[number];

export interface ToyBuildOptions {
  readonly dbName?: string | undefined;
  /** Containers to alternate (default: what the browser can encode, MP4 then WebM). */
  readonly containers?: readonly ToyContainer[] | undefined;
  /** Videos encoded ahead of the ingest (default 24). */
  readonly batch?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((stage: ToyStage, done: number, total: number) => void) | undefined;
}

/** What a build reports (the toy-actions job's result). */
export type ToyBuildResult = ToyActionsResult;

const isComplete = (r: VideoRecord | undefined, v: ToyVideoPlan, config: ToyConfig): boolean =>
  r !== undefined &&
  r.status === 'done' &&
  r.label === v.label &&
  r.splits.join() === `${v.split}1` &&
  r.width === config.size &&
  r.height === config.size &&
  r.frameCount === config.frames;

/** Renders and encodes one planned clip into a File named like the list entry. */
async function makeFile(v: ToyVideoPlan, config: ToyConfig, signal?: AbortSignal): Promise<File> {
  const params = sampleClipParams(new Rng(v.seed), config.size, config.frames);
  const rgba = renderClip(params, v.label, { background: renderBackground(params) });
  const bytes = await encodeToyClip(rgba, config.size, config.frames, {
    container: v.container,
    fps: config.fps,
    ...(signal ? { signal } : {}),
  });
  const name = v.path.slice(v.path.lastIndexOf('/') + 1);
  return new File([bytes], name, { type: v.container === 'mp4' ? 'video/mp4' : 'video/webm' });
}

/** Creates (or completes) the Toy Actions dataset of `config` in the frame store and summarises it. */
export async function buildToyActions(
  config: ToyConfig,
  options: ToyBuildOptions = {},
): Promise<ToyBuildResult> {
  const started = performance.now();
  const { signal, onProgress } = options;
  const datasetId = toyDatasetId(config);
  const store = frameStore(options.dbName);
  const containers = options.containers ?? (await toyContainers(config.size, config.fps));
  if (containers.length === 0) {
    throw new TubeletError('ENCODE_FAILED', 'This browser can encode neither H.264 nor VP9 with WebCodecs.', {
      hint: 'Toy Actions is made in the browser; use a recent Chrome or Edge.',
    });
  }
  onProgress?.('check', 0, 1);
  const existing = new Map((await store.listVideos(datasetId)).map((r) => [r.id, r]));
  // A video already stored keeps its container, whatever this browser encodes now.
  const planned = planToyVideos(config, containers).map((v) => {
    const other: ToyContainer = v.container === 'mp4' ? 'webm' : 'mp4';
    const otherPath = v.path.replace(/\.(mp4|webm)$/, `.${other}`);
    return existing.get(`${datasetId}/${otherPath}`)?.status === 'done' &&
      !existing.has(`${datasetId}/${v.path}`)
      ? { ...v, container: other, path: otherPath }
      : v;
  });
  const idOf = (v: ToyVideoPlan): string => `${datasetId}/${v.path}`;
  const pending = planned.filter((v) => !isComplete(existing.get(idOf(v)), v, config));
  onProgress?.('check', 1, 1);

  let encodedBytes = 0;
  if (pending.length > 0) {
    // The folder as a drop: list files plus every video (sizes are not read by the parser).
    const files: DroppedFile[] = [
      ...toyListFiles(planned).map((l) => droppedText(l.path, l.text)),
      ...planned.map((v) => ({
        path: `${TOY_ROOT}/${v.path}`,
        size: existing.get(idOf(v))?.sourceSize ?? 1,
      })),
    ];
    const manifest = await parseDataset(files, 'video-list');
    const problems = manifest.issues.filter((i) => i.level === 'error');
    if (problems.length > 0 || manifest.videos.length !== planned.length) {
      throw new TubeletError(
        'INTERNAL',
        `The Toy Actions lists do not parse cleanly: ${problems[0]?.message ?? 'video count'}.`,
      );
    }
    const listed = new Map(manifest.videos.map((m) => [m.id, m]));
    const batch = Math.max(1, options.batch ?? 24);
    let encodedCount = 0;
    let ingestedCount = 0;
    const encodeOne = async (v: ToyVideoPlan): Promise<IngestItem> => {
      onProgress?.('generate', encodedCount, pending.length);
      const file = await makeFile(v, config, signal);
      encodedBytes += file.size;
      encodedCount++;
      onProgress?.('encode', encodedCount, pending.length);
      const m = listed.get(v.path);
      if (!m || m.label === null) {
        throw new TubeletError('INTERNAL', `${v.path} is missing from the Toy Actions lists.`);
      }
      const meta = { id: idOf(v), datasetId, label: m.label, splits: splitTags(m.splits) };
      return { file, meta: { ...meta, name: `${TOY_ROOT}/${v.path}` } };
    };
    // Two clips at a time: one renders (JavaScript) while the other is in the encoder's own thread.
    const encodeBatch = async (videos: readonly ToyVideoPlan[]): Promise<IngestItem[]> => {
      const items: IngestItem[] = [];
      for (let i = 0; i < videos.length; i += 2) {
        items.push(...(await Promise.all(videos.slice(i, i + 2).map(encodeOne))));
      }
      return items;
    };
    const ingestBatch = async (items: readonly IngestItem[]): Promise<void> => {
      const summary = await ingestAll(
        items,
        { shortSide: config.size, dbName: options.dbName, concurrency: 2 },
        (p) => {
          if (p.stage === 'done' || p.stage === 'skipped')
            onProgress?.('ingest', ++ingestedCount, pending.length);
        },
        signal,
      );
      const failed =
        summary.failed[0] ?? (summary.stoppedBy ? { id: '', error: summary.stoppedBy } : undefined);
      if (failed) {
        throw new TubeletError(
          failed.error.code,
          `Toy Actions: ${failed.id} was not stored: ${failed.error.message}`,
          {
            ...(failed.error.hint ? { hint: failed.error.hint } : {}),
          },
        );
      }
    };
    // Double buffering: the next batch is rendered and encoded while the previous one is ingested.
    let ingesting: Promise<void> = Promise.resolve();
    try {
      for (let i = 0; i < pending.length; i += batch) {
        const items = await encodeBatch(pending.slice(i, i + batch));
        await ingesting;
        ingesting = ingestBatch(items);
        // Handled here so a failure while the next batch encodes is not an unhandled rejection.
        ingesting.catch(() => undefined);
      }
      await ingesting;
    } catch (error) {
      await ingesting.catch(() => undefined);
      throw error;
    }
  }

  const records = await store.listVideos(datasetId);
  const byId = new Map(records.map((r) => [r.id, r]));
  const missing = planned.filter((v) => !isComplete(byId.get(idOf(v)), v, config));
  if (missing.length > 0) {
    throw new TubeletError(
      'INTERNAL',
      `Toy Actions is incomplete: ${missing.length} videos are not stored (first ${missing[0]?.path}).`,
      {
        hint: 'Run it again; finished videos are kept.',
      },
    );
  }
  // Listed with the user's datasets (Datasets panel, `tubelet datasets`, training) like any ingested drop.
  const catalogue = datasetStore(options.dbName);
  const previous = await catalogue.getDataset(datasetId);
  const now = Date.now();
  await catalogue.putDataset({
    id: datasetId,
    name: TOY_DATASET_NAME,
    format: 'video-list',
    classes: TOY_CLASSES.map((c) => c.name),
    folds: [1],
    shortSide: config.size,
    videoCount: planned.length,
    status: 'ready',
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  });
  const count = (split: ToyVideoPlan['split']): number => planned.filter((v) => v.split === split).length;
  const mine = planned.map((v) => byId.get(idOf(v)));
  const containerCounts: Partial<Record<ToyContainer, number>> = {};
  for (const v of planned) containerCounts[v.container] = (containerCounts[v.container] ?? 0) + 1;
  return {
    dataset: datasetId,
    name: TOY_DATASET_NAME,
    classes: TOY_CLASSES.map((c) => c.name),
    videos: planned.length,
    splits: { train: count('train'), val: count('val'), test: count('test') },
    frames: mine.reduce((s, r) => s + (r?.frameCount ?? 0), 0),
    bytes: mine.reduce((s, r) => s + (r ? r.frameCount * r.width * r.height * 3 : 0), 0),
    encodedBytes,
    containers: containerCounts,
    created: pending.length,
    seconds: (performance.now() - started) / 1000,
  };
}
