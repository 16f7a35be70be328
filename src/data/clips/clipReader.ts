// The clip reader (compute worker): turns a list of stored videos into batches of sampled, square-cropped clips
// u8[B·numClips, T, S, S, 3] read from the frame store, with `prefetch` batches read ahead so training does
// not wait on IndexedDB. Every random draw of batch b in epoch e comes from Rng(mix(seed, e, b)), so a run
// resumed at (epoch, batch) reads exactly the clips the uninterrupted run would have read.
import { TubeletError } from '../../shared/errors.ts';
import { Rng } from '../../shared/random.ts';
import { sampleFrames, type SampleFramesConfig } from '../sampling/sampleFrames.ts';
import { cropResizeFrames } from './squareCrop.ts';

export interface ClipItem {
  readonly videoId: string;
  /** Class index, or -1 when unlabelled. */
  readonly label: number;
}

/** The part of the frame store the reader needs. */
export interface ClipFrameSource {
  getVideo(id: string): Promise<
    | {
        readonly frameCount: number;
        readonly width: number;
        readonly height: number;
        readonly status: string;
      }
    | undefined
  >;
  readFrames(videoId: string, indices: Int32Array): Promise<Uint8Array>;
}

export interface ClipReaderOptions {
  /** MMAction2 SampleFrames settings (testMode: evenly spaced clips, centred crops, no shuffling). */
  readonly sampling: SampleFramesConfig;
  /** Output side S in pixels (frames are cropped to their short-side square, then resized to S×S). */
  readonly size: number;
  readonly batchSize: number;
  readonly seed: number;
  /** Reshuffle the items every epoch (training). Default: !sampling.testMode. */
  readonly shuffle?: boolean;
  /** Keep the last, smaller batch (evaluation) or drop it (training). Default: sampling.testMode. */
  readonly keepLast?: boolean;
  /** Batches read ahead. Default 2. */
  readonly prefetch?: number;
}

export interface ClipBatch {
  readonly epoch: number;
  readonly batchIndex: number;
  /** u8[videos·clipsPerVideo, clipLen, size, size, 3], video-major. */
  readonly x: Uint8Array;
  /** i32[videos]: one label per video (its clips share it). */
  readonly labels: Int32Array;
  readonly videos: number;
  readonly clipsPerVideo: number;
  readonly clipLen: number;
  readonly size: number;
  /** Wall-clock ms spent reading and cropping this batch (the speed monitor's "read" time). */
  readonly readMs: number;
}

/** A well-mixed 32-bit seed from (seed, epoch, batch). */
export function batchSeed(seed: number, epoch: number, batch: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  for (const v of [epoch, batch]) {
    h = Math.imul(h ^ (v + 0x7f4a7c15), 0xc2b2ae35) >>> 0;
    h ^= h >>> 15;
  }
  return h >>> 0;
}

/** The seeded visiting order of `n` items in `epoch` (Fisher–Yates), or 0..n-1 without shuffling. */
export function epochOrder(n: number, seed: number, epoch: number, shuffle: boolean): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (!shuffle) return order;
  const rng = new Rng(batchSeed(seed, epoch, -1));
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i] ?? 0;
    order[i] = order[j] ?? 0;
    order[j] = t;
  }
  return order;
}

export class ClipReader {
  private readonly shuffle: boolean;
  private readonly keepLast: boolean;
  private readonly prefetch: number;

  constructor(
    private readonly source: ClipFrameSource,
    private readonly items: readonly ClipItem[],
    private readonly options: ClipReaderOptions,
  ) {
    const test = options.sampling.testMode ?? false;
    this.shuffle = options.shuffle ?? !test;
    this.keepLast = options.keepLast ?? test;
    this.prefetch = Math.max(0, Math.floor(options.prefetch ?? 2));
    for (const [name, v] of [
      ['size', options.size],
      ['batchSize', options.batchSize],
    ] as const) {
      if (!Number.isInteger(v) || v < 1)
        throw new TubeletError(
          'INVALID_ARGUMENT',
          `clip reader: ${name} must be a positive integer, got ${v}`,
        );
    }
    if (items.length === 0)
      throw new TubeletError('INVALID_ARGUMENT', 'clip reader: no videos to read (is the split empty?)', {
        hint: 'Check that the dataset was ingested and that the chosen split has videos.',
      });
  }

  /** Batches per epoch. */
  get batchesPerEpoch(): number {
    const n = this.items.length / this.options.batchSize;
    return this.keepLast ? Math.ceil(n) : Math.max(1, Math.floor(n));
  }

  /** Reads one batch (no prefetching): the unit the iterator schedules ahead. */
  async readBatch(epoch: number, batchIndex: number): Promise<ClipBatch> {
    const t0 = performance.now();
    const { batchSize, size, sampling, seed } = this.options;
    const order = epochOrder(this.items.length, seed, epoch, this.shuffle);
    const start = batchIndex * batchSize;
    const count = Math.max(0, Math.min(batchSize, this.items.length - start));
    if (count === 0 || batchIndex >= this.batchesPerEpoch)
      throw new RangeError(`clip reader: batch ${batchIndex} is past the end of epoch ${epoch}`);
    const rng = new Rng(batchSeed(seed, epoch, batchIndex));
    const clipLen = sampling.clipLen;
    const perVideo = clipLen * size * size * 3;
    const drawn = [];
    for (let i = 0; i < count; i++) {
      const item = this.items[order[start + i] ?? 0];
      if (!item) throw new RangeError('clip reader: item index out of range');
      const video = await this.source.getVideo(item.videoId);
      if (!video || video.status !== 'done')
        throw new TubeletError('VIDEO_NOT_FOUND', `Video ${item.videoId} is not fully stored.`, {
          hint: 'Finish (resume) the ingest in the Datasets panel, then start again.',
        });
      const sampled = sampleFrames(video.frameCount, sampling, rng);
      const offsets = Array.from({ length: sampled.numClips }, () => (sampling.testMode ? 0.5 : rng.next()));
      drawn.push({ item, video, sampled, offsets });
    }
    const clipsPerVideo = drawn[0]?.sampled.numClips ?? 1;
    const x = new Uint8Array(count * clipsPerVideo * perVideo);
    const labels = new Int32Array(count);
    await Promise.all(
      drawn.map(async ({ item, video, sampled, offsets }, i) => {
        const frames = await this.source.readFrames(item.videoId, sampled.frameInds);
        const frameBytes = video.width * video.height * 3;
        for (let c = 0; c < sampled.numClips; c++) {
          cropResizeFrames(
            frames.subarray(c * clipLen * frameBytes, (c + 1) * clipLen * frameBytes),
            clipLen,
            video,
            offsets[c] ?? 0.5,
            size,
            x,
            (i * clipsPerVideo + c) * perVideo,
          );
        }
        labels[i] = item.label;
      }),
    );
    return {
      epoch,
      batchIndex,
      x,
      labels,
      videos: count,
      clipsPerVideo,
      clipLen,
      size,
      readMs: performance.now() - t0,
    };
  }

  /** The batches of `epoch` from `startBatch` on, with `prefetch` batches read ahead of the consumer. */
  async *epoch(epoch: number, startBatch = 0): AsyncGenerator<ClipBatch> {
    const total = this.batchesPerEpoch;
    const ahead: Promise<ClipBatch>[] = [];
    let next = startBatch;
    const fill = (): void => {
      while (next < total && ahead.length <= this.prefetch) {
        const p = this.readBatch(epoch, next++);
        p.catch(() => undefined); // surfaced when awaited below; avoids unhandled-rejection noise meanwhile
        ahead.push(p);
      }
    };
    fill();
    while (ahead.length > 0) {
      const batch = await (ahead.shift() as Promise<ClipBatch>);
      fill();
      yield batch;
    }
  }
}
