// Video ingest (compute worker, or an ingest worker that owns its own IndexedDB connection): sniff → demux →
// decode → resize → packed chunks in the frame store. Resumable (continues after the last stored chunk),
// cancellable, quota-checked; `ingestAll` runs many videos through a small concurrency-limited queue.
import { serializeError, TubeletError, type SerializedError } from '../../shared/errors.ts';
import { frameStore, framesPerChunkFor, type FrameStore, type VideoRecord } from '../store/frames.ts';
import { ensureQuota, type StorageEstimator } from '../store/quotaGuard.ts';
import { streamFrames, type DecodeOptions, type DecodeStats } from './decodeVideo.ts';
import { openVideo, type OpenOptions, type OpenedVideo } from './openVideo.ts';

export interface IngestMeta {
  /** Stable id of the video in the studio (e.g. `${datasetId}/${relativePath}`). */
  readonly id: string;
  readonly datasetId: string;
  readonly label: number | null;
  readonly splits: readonly string[];
  /** Name used in messages and stored as the source name; defaults to File.name, else the id. */
  readonly name?: string | undefined;
}

export interface IngestOptions
  extends
    Omit<OpenOptions, 'signal'>,
    Pick<DecodeOptions, 'queueDepth' | 'maxRepairedFraction' | 'createDecoder'> {
  /** Frames per stored chunk (one IndexedDB record). Default: framesPerChunkFor(frame bytes), 4 at 171×128. */
  readonly framesPerChunk?: number | undefined;
  /** Database name (tests use a scratch database). */
  readonly dbName?: string | undefined;
  /** Storage estimate used by the quota check; defaults to navigator.storage.estimate. */
  readonly estimate?: StorageEstimator | undefined;
  /** Fail (CORRUPT_VIDEO, "truncated") instead of storing the frames a cut-short file still holds. */
  readonly rejectTruncated?: boolean | undefined;
}

export interface IngestProgress {
  readonly type: 'ingest';
  readonly videoId: string;
  readonly stage: 'opened' | 'chunk' | 'done' | 'skipped';
  readonly framesDone: number;
  readonly framesTotal: number;
  readonly chunksStored: number;
  readonly chunksTotal: number;
  /** Bytes of one stored frame (u8[height, width, 3]). */
  readonly frameBytes: number;
}

export interface IngestResult {
  readonly record: VideoRecord;
  /** True when the video was already fully stored with the same layout. */
  readonly skipped: boolean;
  /** First chunk written by this call (> 0 when an earlier ingest was resumed). */
  readonly resumedFromChunk: number;
  readonly chunksWritten: number;
  readonly stats: DecodeStats | null;
}

const isCode = (error: unknown, code: string): boolean =>
  error instanceof TubeletError && error.code === code;

/** The record a fresh ingest of `video` starts from (status 'pending', nothing stored). */
function plannedRecord(
  meta: IngestMeta,
  name: string,
  size: number,
  video: OpenedVideo,
  fpc: number,
): VideoRecord {
  const l = video.layout;
  return {
    id: meta.id,
    datasetId: meta.datasetId,
    label: meta.label,
    splits: [...meta.splits],
    sourceName: name,
    sourceSize: size,
    container: l.container,
    codec: l.codec,
    rotation: l.rotation,
    sourceWidth: l.sourceWidth,
    sourceHeight: l.sourceHeight,
    width: l.width,
    height: l.height,
    fps: l.fps,
    sourceFps: l.sourceFps,
    frameCount: l.frameCount,
    sourceFrameCount: l.sourceFrameCount,
    durationSec: l.durationSec,
    encoding: 'rgb8',
    framesPerChunk: fpc,
    chunkCount: Math.ceil(l.frameCount / fpc),
    storedChunks: 0,
    repairedFrames: 0,
    status: 'pending',
    error: null,
    updatedAt: Date.now(),
  };
}

/** A record for a file that could not even be opened (unknown container, codec needing ffmpeg, …). */
function failedRecord(meta: IngestMeta, name: string, size: number, error: SerializedError): VideoRecord {
  return {
    id: meta.id,
    datasetId: meta.datasetId,
    label: meta.label,
    splits: [...meta.splits],
    sourceName: name,
    sourceSize: size,
    container: '',
    codec: '',
    rotation: 0,
    sourceWidth: 0,
    sourceHeight: 0,
    width: 0,
    height: 0,
    fps: 0,
    sourceFps: 0,
    frameCount: 0,
    sourceFrameCount: 0,
    durationSec: 0,
    encoding: 'rgb8',
    framesPerChunk: 0,
    chunkCount: 0,
    storedChunks: 0,
    repairedFrames: 0,
    status: 'failed',
    error,
    updatedAt: Date.now(),
  };
}

/** Whether stored chunks of `old` are valid for `next` (same source and the same stored layout). */
function sameLayout(old: VideoRecord, next: VideoRecord): boolean {
  const keys = [
    'sourceName',
    'sourceSize',
    'codec',
    'rotation',
    'width',
    'height',
    'frameCount',
    'framesPerChunk',
    'chunkCount',
    'encoding',
  ] as const;
  return keys.every((k) => old[k] === next[k]) && Math.abs(old.fps - next.fps) < 1e-6;
}

async function rememberFailure(
  store: FrameStore,
  meta: IngestMeta,
  name: string,
  size: number,
  error: unknown,
): Promise<void> {
  const serialized = serializeError(error);
  await store
    .markFailed(meta.id, serialized, failedRecord(meta, name, size, serialized))
    .catch(() => undefined);
}

/**
 * Ingests one video into the frame store and resolves with its final record. Resumes a partial ingest of the
 * same file and layout, skips one already done, and otherwise starts over. Errors are coded: cancellation
 * (JOB_CANCELLED) and QUOTA_EXCEEDED leave the video resumable; other failures mark it 'failed'.
 */
export async function ingestVideo(
  file: Blob,
  meta: IngestMeta,
  options: IngestOptions = {},
  onProgress?: (progress: IngestProgress) => void,
  signal?: AbortSignal,
): Promise<IngestResult> {
  const name = meta.name ?? (file instanceof File ? file.name : meta.id);
  const store = frameStore(options.dbName);
  const asked = options.framesPerChunk;
  if (asked !== undefined && !(Number.isInteger(asked) && asked > 0)) {
    throw new TubeletError('INVALID_ARGUMENT', `framesPerChunk must be a positive integer, got ${asked}.`);
  }
  let video: OpenedVideo;
  try {
    video = await openVideo(file, name, { ...options, signal });
    const dropped = video.layout.droppedSamples;
    if (options.rejectTruncated === true && dropped > 0) {
      throw new TubeletError(
        'CORRUPT_VIDEO',
        `${name} is truncated: ${dropped} of ${dropped + (video.backend === 'webcodecs' ? video.demuxed.samples.length : video.layout.frameCount)} frames lie past the end of the file.`,
        { hint: 'The file was cut short while downloading or copying; get a complete copy.' },
      );
    }
  } catch (error) {
    if (!isCode(error, 'JOB_CANCELLED')) await rememberFailure(store, meta, name, file.size, error);
    throw error;
  }
  const fpc = asked ?? framesPerChunkFor(video.layout.width * video.layout.height * 3);
  const planned = plannedRecord(meta, name, file.size, video, fpc);
  const existing = await store.getVideo(meta.id);
  const reusable = existing !== undefined && existing.status !== 'failed' && sameLayout(existing, planned);
  const report = (stage: IngestProgress['stage'], chunksStored: number): void => {
    onProgress?.({
      type: 'ingest',
      videoId: meta.id,
      stage,
      framesDone: Math.min(planned.frameCount, chunksStored * fpc),
      framesTotal: planned.frameCount,
      chunksStored,
      chunksTotal: planned.chunkCount,
      frameBytes: planned.width * planned.height * 3,
    });
  };
  if (reusable && existing.status === 'done') {
    if (existing.label !== meta.label || existing.splits.join() !== meta.splits.join()) {
      await store.updateVideo(meta.id, { label: meta.label, splits: [...meta.splits] });
    }
    report('skipped', existing.storedChunks);
    return {
      record: existing,
      skipped: true,
      resumedFromChunk: existing.storedChunks,
      chunksWritten: 0,
      stats: null,
    };
  }
  const resumeFrom = reusable ? existing.storedChunks : 0;
  const frameBytes = planned.width * planned.height * 3;
  const remainingBytes = Math.max(0, planned.frameCount - resumeFrom * fpc) * frameBytes;
  try {
    await ensureQuota(remainingBytes, name, options.estimate);
  } catch (error) {
    if (reusable) await store.updateVideo(meta.id, { error: serializeError(error) });
    else await rememberFailure(store, meta, name, file.size, error);
    throw error;
  }
  if (reusable)
    await store.updateVideo(meta.id, { label: meta.label, splits: [...meta.splits], error: null });
  else await store.resetVideo(planned);
  report('opened', resumeFrom);

  const chunk = new Uint8Array(fpc * frameBytes);
  let chunkIndex = resumeFrom;
  let inChunk = 0;
  let repairedInChunk = 0;
  let chunksWritten = 0;
  let record: VideoRecord | undefined;
  let stats: DecodeStats;
  try {
    stats = await streamFrames(
      video,
      async (frame) => {
        chunk.set(frame.rgb, inChunk * frameBytes);
        inChunk++;
        if (frame.repaired) repairedInChunk++;
        if (inChunk < Math.min(fpc, planned.frameCount - chunkIndex * fpc)) return;
        record = await store.putChunk(
          meta.id,
          chunkIndex,
          chunk.subarray(0, inChunk * frameBytes),
          repairedInChunk,
        );
        chunkIndex++;
        chunksWritten++;
        inChunk = 0;
        repairedInChunk = 0;
        report('chunk', chunkIndex);
      },
      { ...options, signal, startFrame: resumeFrom * fpc },
    );
  } catch (error) {
    if (isCode(error, 'QUOTA_EXCEEDED')) {
      await store.updateVideo(meta.id, { error: serializeError(error) }).catch(() => undefined);
    } else if (!isCode(error, 'JOB_CANCELLED')) {
      await store.markFailed(meta.id, serializeError(error)).catch(() => undefined);
    }
    throw error;
  }
  record ??= await store.getVideo(meta.id);
  if (record?.status !== 'done') {
    throw new TubeletError('INTERNAL', `${name}: decoding ended but the video is not marked done.`);
  }
  report('done', record.storedChunks);
  return { record, skipped: false, resumedFromChunk: resumeFrom, chunksWritten, stats };
}

export interface IngestItem {
  readonly file: Blob;
  readonly meta: IngestMeta;
}

export interface IngestAllOptions extends IngestOptions {
  /** Videos decoded at the same time. Default 2. */
  readonly concurrency?: number | undefined;
  /** Called once for each video that fails, as it fails. */
  readonly onFailure?: ((id: string, error: SerializedError) => void) | undefined;
}

export interface IngestSummary {
  readonly done: string[];
  readonly skipped: string[];
  readonly failed: { readonly id: string; readonly error: SerializedError }[];
  /** Ids never started because the queue stopped (quota exhausted). */
  readonly notStarted: string[];
  /** The error that stopped the queue early (QUOTA_EXCEEDED), else null. */
  readonly stoppedBy: SerializedError | null;
}

/**
 * Ingests `items` with at most `concurrency` videos in flight. A failing video does not stop the others;
 * an exhausted quota stops starting new ones; cancellation rejects with JOB_CANCELLED once in-flight videos
 * have stopped (each stays resumable).
 */
export async function ingestAll(
  items: readonly IngestItem[],
  options: IngestAllOptions = {},
  onProgress?: (progress: IngestProgress, summary: IngestSummary) => void,
  signal?: AbortSignal,
): Promise<IngestSummary> {
  const summary = {
    done: [] as string[],
    skipped: [] as string[],
    failed: [] as { id: string; error: SerializedError }[],
    notStarted: [] as string[],
    stoppedBy: null as SerializedError | null,
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      if (signal?.aborted || summary.stoppedBy) return;
      const item = items[next++];
      if (!item) return;
      try {
        const result = await ingestVideo(
          item.file,
          item.meta,
          options,
          (p) => onProgress?.(p, summary),
          signal,
        );
        (result.skipped ? summary.skipped : summary.done).push(item.meta.id);
      } catch (error) {
        if (isCode(error, 'JOB_CANCELLED')) return;
        const serialized = serializeError(error);
        summary.failed.push({ id: item.meta.id, error: serialized });
        options.onFailure?.(item.meta.id, serialized);
        if (serialized.code === 'QUOTA_EXCEEDED') summary.stoppedBy = serialized;
      }
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency ?? 2, items.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  if (signal?.aborted) throw new TubeletError('JOB_CANCELLED', 'Ingest was cancelled.');
  summary.notStarted.push(...items.slice(next).map((i) => i.meta.id));
  return summary;
}
