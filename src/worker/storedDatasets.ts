// Stored-dataset jobs (compute worker): list datasets with per-class/per-split counts and failures, delete a
// dataset (its record, videos and chunks only), and read one sampled clip of a stored video for thumbnails.
import { TubeletError } from '../shared/errors.ts';
import type {
  IngestFailure,
  SampleClipSpec,
  SampledClip,
  StoredDatasetSummary,
  StoredVideoSummary,
} from '../shared/protocol.ts';
import { Rng } from '../shared/random.ts';
import { failureReason } from '../data/decode/failures.ts';
import { countVideos, datasetStore } from '../data/store/datasets.ts';
import { frameStore } from '../data/store/frames.ts';
import { sampleFrames } from '../data/sampling/sampleFrames.ts';

const MAX_FAILURES_LISTED = 200;

export async function listStoredDatasets(dbName?: string): Promise<StoredDatasetSummary[]> {
  const frames = frameStore(dbName);
  const records = await datasetStore(dbName).listDatasets();
  return Promise.all(
    records.map(async (d) => {
      const videos = await frames.listVideos(d.id);
      const counts = countVideos(d.classes.length, videos);
      const failures: IngestFailure[] = videos
        .filter((v) => v.status === 'failed' && v.error !== null)
        .slice(0, MAX_FAILURES_LISTED)
        .map((v) => {
          const error = v.error ?? { code: 'INTERNAL' as const, message: 'unknown failure' };
          return {
            file: v.sourceName,
            code: error.code,
            reason: failureReason(error),
            message: error.message,
          };
        });
      return {
        id: d.id,
        name: d.name,
        format: d.format,
        classes: d.classes,
        folds: d.folds,
        shortSide: d.shortSide,
        status: d.status,
        videoCount: d.videoCount,
        ...counts,
        failures,
      };
    }),
  );
}

/** Every stored video of dataset `datasetId` in path order, with the chunk records the store really holds. */
export async function listStoredVideos(datasetId: string, dbName?: string): Promise<StoredVideoSummary[]> {
  if (!(await datasetStore(dbName).getDataset(datasetId))) {
    throw new TubeletError('INVALID_ARGUMENT', `No stored dataset has the id '${datasetId}'.`, {
      hint: 'List the stored datasets (tubelet datasets) to see their ids.',
    });
  }
  const frames = frameStore(dbName);
  const videos = (await frames.listVideos(datasetId)).sort((a, b) =>
    a.sourceName < b.sourceName ? -1 : a.sourceName > b.sourceName ? 1 : 0,
  );
  return Promise.all(
    videos.map(async (v) => ({
      file: v.sourceName,
      status: v.status,
      label: v.label,
      splits: v.splits,
      container: v.container,
      codec: v.codec,
      frames: v.frameCount,
      sourceFrames: v.sourceFrameCount,
      width: v.width,
      height: v.height,
      chunkCount: v.chunkCount,
      storedChunks: v.storedChunks,
      chunksInStore: await frames.countChunks(v.id),
    })),
  );
}

export async function deleteStoredDataset(
  id: string,
  dbName?: string,
): Promise<{ id: string; videosDeleted: number }> {
  const store = datasetStore(dbName);
  if (!(await store.getDataset(id))) {
    throw new TubeletError('INVALID_ARGUMENT', `No stored dataset has the id '${id}'.`, {
      hint: 'List the stored datasets (tubelet datasets) to see their ids.',
    });
  }
  return { id, videosDeleted: await store.deleteDataset(id) };
}

/** One train-mode SampleFrames clip of the dataset's `videoIndex`-th done video, seeded by `spec.seed`. */
export async function sampleStoredClip(spec: SampleClipSpec, dbName?: string): Promise<SampledClip> {
  const dataset = await datasetStore(dbName).getDataset(spec.datasetId);
  if (!dataset)
    throw new TubeletError('INVALID_ARGUMENT', `No stored dataset has the id '${spec.datasetId}'.`);
  const frames = frameStore(dbName);
  const done = (await frames.listVideos(spec.datasetId))
    .filter((v) => v.status === 'done')
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (done.length === 0) {
    throw new TubeletError('VIDEO_NOT_FOUND', `Dataset ${dataset.name} has no stored videos yet.`);
  }
  const video = done[((spec.videoIndex % done.length) + done.length) % done.length];
  if (!video) throw new TubeletError('INTERNAL', 'video index out of range');
  const sampled = sampleFrames(
    video.frameCount,
    { clipLen: spec.clipLen, frameInterval: spec.frameInterval, numClips: 1 },
    new Rng(spec.seed),
  );
  const rgb = await frames.readFrames(video.id, sampled.frameInds);
  return {
    videoId: video.id,
    className: video.label === null ? null : (dataset.classes[video.label] ?? null),
    frameInds: [...sampled.frameInds],
    width: video.width,
    height: video.height,
    frames: rgb,
  };
}
