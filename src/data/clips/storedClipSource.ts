// Training clips from a stored dataset (compute worker): the train/val videos of one split fold, each read as
// a MMAction2 SampleFrames clip (random offsets for training, evenly spaced for validation) from the frame
// store and cropped to the short-side square (random along the long side for training, centred for validation).
import { TubeletError } from '../../shared/errors.ts';
import type { Rng } from '../../shared/random.ts';
import type { SampleFramesConfig } from '../sampling/sampleFrames.ts';
import { sampleFrames } from '../sampling/sampleFrames.ts';
import { datasetStore } from '../store/datasets.ts';
import { frameStore, type VideoRecord } from '../store/frames.ts';
import { DB_NAME } from '../store/db.ts';
import { cropResizeFrames } from './squareCrop.ts';

export type StoredSplit = 'train' | 'val';

export interface StoredClipBatch {
  /** u8[N, T, S, S, 3] */
  readonly x: Uint8Array;
  readonly shape: readonly [number, number, number, number, number];
  readonly labels: Int32Array;
}

export interface StoredClipSource {
  readonly datasetId: string;
  readonly classes: readonly string[];
  readonly numClasses: number;
  /** Side S of the square clips (the dataset's stored short side). */
  readonly size: number;
  count(split: StoredSplit): number;
  /** `sampling` (train; multigrid) overrides the clip length and gives one frame interval per index. */
  read(
    split: StoredSplit,
    indices: readonly number[],
    rng: Rng,
    sampling?: { readonly clipLen: number; readonly frameIntervals: readonly number[] },
  ): Promise<StoredClipBatch>;
}

export interface StoredClipOptions {
  readonly clipLen: number;
  readonly frameInterval: number;
  readonly temporalJitter: boolean;
  /** Split fold 1–3 (default 1). Validation uses the fold's 'val' videos, else its 'test' videos. */
  readonly fold?: number;
  readonly dbName?: string;
}

const inSplit = (v: VideoRecord, tag: string): boolean =>
  v.status === 'done' && v.label !== null && v.splits.includes(tag);

/** Opens stored dataset `id` (or the one named `id`) for training; fails clearly when it cannot train on it. */
export async function openStoredClipSource(
  idOrName: string,
  options: StoredClipOptions,
): Promise<StoredClipSource> {
  const dbName = options.dbName ?? DB_NAME;
  const catalogue = await datasetStore(dbName).listDatasets();
  const record = catalogue.find((d) => d.id === idOrName) ?? catalogue.find((d) => d.name === idOrName);
  if (!record) {
    throw new TubeletError('DATASET_NOT_FOUND', `No stored dataset is called '${idOrName}'.`, {
      hint: catalogue.length
        ? `Stored datasets: ${catalogue.map((d) => d.id).join(', ')}.`
        : 'Ingest one in the Datasets panel (or `tubelet ingest`), or create Toy Actions (`tubelet toy`).',
    });
  }
  const fold = options.fold ?? 1;
  const store = frameStore(dbName);
  const videos = await store.listVideos(record.id);
  const train = videos.filter((v) => inSplit(v, `train${fold}`));
  let val = videos.filter((v) => inSplit(v, `val${fold}`));
  if (val.length === 0) val = videos.filter((v) => inSplit(v, `test${fold}`));
  for (const [name, list] of [
    ['training', train],
    ['validation', val],
  ] as const) {
    if (list.length === 0) {
      throw new TubeletError(
        'INVALID_ARGUMENT',
        `Dataset ${record.id} has no stored ${name} videos in fold ${fold}.`,
        {
          hint: 'Finish the ingest, or pick a fold whose lists have train and val/test videos.',
        },
      );
    }
  }
  const sides = new Set([...train, ...val].map((v) => Math.min(v.width, v.height)));
  const size = Math.min(...sides);
  const sampling = (test: boolean, clipLen: number, frameInterval: number): SampleFramesConfig => ({
    clipLen,
    frameInterval,
    numClips: 1,
    temporalJitter: !test && options.temporalJitter,
    testMode: test,
  });
  const lists = { train, val };
  return {
    datasetId: record.id,
    classes: record.classes,
    numClasses: record.classes.length,
    size,
    count: (split) => lists[split].length,
    async read(split, indices, rng, override) {
      const test = split === 'val';
      const T = override?.clipLen ?? options.clipLen;
      const perClip = T * size * size * 3;
      const x = new Uint8Array(indices.length * perClip);
      const labels = new Int32Array(indices.length);
      // Draws happen in order before any read, so the batch depends only on the rng's state.
      const plans = indices.map((i, k) => {
        const video = lists[split][i];
        if (!video) throw new RangeError(`clip source: ${split} index ${i} out of ${lists[split].length}`);
        const interval = override?.frameIntervals[k] ?? options.frameInterval;
        const sampled = sampleFrames(video.frameCount, sampling(test, T, interval), rng);
        return { video, frames: sampled.frameInds, offset: test ? 0.5 : rng.next() };
      });
      await Promise.all(
        plans.map(async ({ video, frames, offset }, k) => {
          const pixels = await store.readFrames(video.id, frames);
          cropResizeFrames(pixels, T, video, offset, size, x, k * perClip);
          labels[k] = video.label ?? -1;
        }),
      );
      return { x, shape: [indices.length, T, size, size, 3], labels };
    },
  };
}
