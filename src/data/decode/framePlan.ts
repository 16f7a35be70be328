// Pure frame planning for ingest (any thread): presentation order, frame-rate subsampling, and which samples
// to decode to resume at a given stored frame. Decoding itself lives in decodeVideo.ts.

export interface PlannedSample {
  readonly ctsUs: number;
  readonly durationUs: number;
  readonly isSync: boolean;
}

export interface FramePlan {
  /** i32[P]: decode index of the sample shown at each presentation position (samples sorted by cts). */
  readonly presentationToDecode: Int32Array;
  /** i32[F], increasing: presentation positions of the frames that are stored (stored frame j = kept[j]). */
  readonly kept: Int32Array;
  /** f64[F]: presentation timestamps (µs) of the stored frames. */
  readonly keptTimestampsUs: Float64Array;
  readonly sourceFrameCount: number;
  readonly sourceFps: number;
  /** Frame rate of the stored frames (equals sourceFps without subsampling). */
  readonly fps: number;
  readonly durationSec: number;
}

export interface PlanOptions {
  /** Keep at most this many frames per second of video (subsampling by frame index); absent keeps all. */
  readonly targetFps?: number | undefined;
  /** Keep at most this many frames (the first ones). */
  readonly maxFrames?: number | undefined;
}

/** Orders samples by presentation time and picks the stored frames. `samples` is in decode order. */
export function planFrames(samples: readonly PlannedSample[], options: PlanOptions = {}): FramePlan {
  const count = samples.length;
  const order = Array.from({ length: count }, (_, i) => i);
  const cts = (i: number): number => samples[i]?.ctsUs ?? 0;
  order.sort((a, b) => cts(a) - cts(b) || a - b);
  const presentationToDecode = Int32Array.from(order);

  const first = order[0];
  const last = order[count - 1];
  let durationUs = 0;
  if (first !== undefined && last !== undefined) {
    durationUs = cts(last) - cts(first) + (samples[last]?.durationUs ?? 0);
    if (durationUs <= 0 && count > 1) durationUs = ((cts(last) - cts(first)) * count) / (count - 1);
  }
  const durationSec = durationUs / 1e6;
  const sourceFps = durationSec > 0 ? count / durationSec : 0;

  const keptList: number[] = [];
  const target = options.targetFps;
  const subsample = target !== undefined && target > 0 && sourceFps > target;
  for (let p = 0; p < count; p++) {
    if (
      subsample &&
      p > 0 &&
      Math.floor((p * target) / sourceFps) === Math.floor(((p - 1) * target) / sourceFps)
    )
      continue;
    keptList.push(p);
  }
  const limit = options.maxFrames;
  if (limit !== undefined && limit >= 0 && keptList.length > limit) keptList.length = limit;
  const kept = Int32Array.from(keptList);
  const keptTimestampsUs = Float64Array.from(keptList, (p) => cts(order[p] ?? 0));
  const fps = subsample && durationSec > 0 ? (sourceFps * kept.length) / Math.max(1, count) : sourceFps;
  return {
    presentationToDecode,
    kept,
    keptTimestampsUs,
    sourceFrameCount: count,
    sourceFps,
    fps,
    durationSec,
  };
}

/** Decode indices [first, last] (inclusive) to feed so that stored frames from `firstStored` on come out. */
export interface DecodeWindow {
  readonly first: number;
  readonly last: number;
}

/**
 * The samples to decode to produce stored frames `firstStored..F-1`: from the sync sample at or before the
 * earliest needed sample (one more GOP back when a needed frame is shown before that sync sample, as open-GOP
 * leading pictures are) to the latest needed sample. Null when nothing is left to produce.
 */
export function decodeWindow(
  samples: readonly PlannedSample[],
  plan: FramePlan,
  firstStored: number,
): DecodeWindow | null {
  if (firstStored >= plan.kept.length) return null;
  let minDecode = Number.POSITIVE_INFINITY;
  let maxDecode = -1;
  for (let j = Math.max(0, firstStored); j < plan.kept.length; j++) {
    const d = plan.presentationToDecode[plan.kept[j] ?? 0] ?? 0;
    if (d < minDecode) minDecode = d;
    if (d > maxDecode) maxDecode = d;
  }
  const firstCts = plan.keptTimestampsUs[Math.max(0, firstStored)] ?? 0;
  const syncAtOrBefore = (index: number): number => {
    for (let i = index; i > 0; i--) if (samples[i]?.isSync) return i;
    return 0;
  };
  let first = syncAtOrBefore(minDecode);
  while (first > 0 && (samples[first]?.ctsUs ?? 0) > firstCts) first = syncAtOrBefore(first - 1);
  return { first, last: maxDecode };
}
