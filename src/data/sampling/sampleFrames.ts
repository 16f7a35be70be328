// Clip frame-index sampling with MMAction2 v1.2 semantics (SampleFrames, UniformSample) and the
// `clip_len x frame_interval x num_clips` naming. Pure; runs on the compute worker (and in Node tests).
// Reference: open-mmlab/mmaction2 mmaction/datasets/transforms/loading.py @786d570 (read, not copied).
import { TubeletError } from '../../shared/errors.ts';
import type { Rng } from '../../shared/random.ts';

export type OutOfBoundOpt = 'loop' | 'repeat_last';

/** The draws the samplers make; a seeded `Rng` (src/shared/random.ts) in practice, a script in tests. */
export type SamplerRng = Pick<Rng, 'int' | 'uniform'>;

/** MMAction2 `SampleFrames` arguments in camelCase; defaults match MMAction2. */
export interface SampleFramesConfig {
  /** Frames per clip (>= 1). */
  readonly clipLen: number;
  /** Step between adjacent sampled frames, in frames (>= 1). Default 1. */
  readonly frameInterval?: number;
  /** Clips per video (>= 1). Default 1. */
  readonly numClips?: number;
  /** Adds a random 0..frameInterval-1 shift to every frame index (needs an rng). Default false. */
  readonly temporalJitter?: boolean;
  /** Test mode only: also samples the un-shifted (TSM) or extra (3D) clips, doubling the clip count. */
  readonly twiceSample?: boolean;
  /** How indices past the last frame are mapped. Default 'loop'. */
  readonly outOfBoundOpt?: OutOfBoundOpt;
  /** Deterministic evenly spaced clips (val/test) instead of random train offsets. Default false. */
  readonly testMode?: boolean;
  /** Train mode: spread clips over the whole video with float segments, so tail frames can be chosen. */
  readonly keepTailFrames?: boolean;
  /** Added to every index (0 for decoded videos, 1 for `img_00001.jpg` raw frames). Default 0. */
  readonly startIndex?: number;
}

/** Sampled frame indices for one video. */
export interface SampledFrames {
  /** i32[numClips * clipLen], clip-major, already shifted by startIndex. */
  readonly frameInds: Int32Array;
  readonly clipLen: number;
  /**
   * Clips actually present in frameInds. With twiceSample in test mode this is 2 × config.numClips
   * (MMAction2 still reports the configured num_clips in its results dict).
   */
  readonly numClips: number;
}

/** NumPy's `np.round`/`np.around`: round half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new TubeletError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function needRng(rng: SamplerRng | undefined, why: string): SamplerRng {
  if (!rng) throw new TubeletError('INVALID_ARGUMENT', `sampleFrames needs a seeded Rng for ${why}`);
  return rng;
}

/** Train-mode clip start offsets (`_get_train_clips`). Values may be non-integral floats. */
function trainOffsets(
  n: number,
  clipLen: number,
  interval: number,
  numClips: number,
  rng: SamplerRng,
  keepTail: boolean,
) {
  const oriClipLen = clipLen * interval;
  const offsets = new Float64Array(numClips);
  if (keepTail) {
    const avg = (n - oriClipLen + 1) / numClips;
    if (n > oriClipLen - 1) {
      for (let i = 0; i < numClips; i++) offsets[i] = Math.trunc(i * avg + rng.uniform(0, avg));
    }
    return offsets;
  }
  const avg = Math.floor((n - oriClipLen + 1) / numClips);
  if (avg > 0) {
    for (let i = 0; i < numClips; i++) offsets[i] = i * avg + rng.int(avg);
  } else if (n > Math.max(numClips, oriClipLen)) {
    for (let i = 0; i < numClips; i++) offsets[i] = rng.int(n - oriClipLen + 1);
    offsets.sort();
  } else if (avg === 0) {
    const ratio = (n - oriClipLen + 1) / numClips;
    for (let i = 0; i < numClips; i++) offsets[i] = roundHalfEven(i * ratio);
  }
  return offsets;
}

/** Test-mode clip start offsets (`_get_test_clips`, v1.2 without target_fps). */
function testOffsets(n: number, clipLen: number, interval: number, numClips: number, twice: boolean) {
  if (clipLen === 1) {
    // 2D recognisers (TSN/TSM): segment centres, then (twice) the segment starts.
    const avg = n / numClips;
    const out = new Float64Array(twice ? 2 * numClips : numClips);
    for (let i = 0; i < numClips; i++) {
      out[i] = i * avg + avg / 2;
      if (twice) out[numClips + i] = i * avg;
    }
    return out;
  }
  const oriClipLen = (clipLen - 1) * interval + 1;
  const maxOffset = Math.max(n - oriClipLen, 0);
  const total = twice ? 2 * numClips : numClips;
  if (total === 1) return Float64Array.of(Math.floor(maxOffset / 2));
  // MMAction2 divides by the configured num_clips - 1 even when twice_sample doubles the count,
  // so the second half runs past max_offset and is wrapped by out_of_bound_opt.
  if (numClips === 1) {
    throw new TubeletError('INVALID_ARGUMENT', 'twiceSample with clipLen > 1 needs numClips > 1', {
      hint: 'MMAction2 divides by num_clips - 1 here and raises ZeroDivisionError',
    });
  }
  const between = maxOffset / (numClips - 1);
  const out = new Float64Array(total);
  for (let i = 0; i < total; i++) out[i] = roundHalfEven(i * between);
  return out;
}

/**
 * MMAction2 `SampleFrames` for a video of `totalFrames` frames.
 * Train mode (and temporalJitter) draw from `rng`, in MMAction2's order: one draw per clip, then one
 * per frame for jitter. Test mode without jitter is deterministic and ignores `rng`.
 * @returns frameInds i32[numClips * clipLen] (clip-major) plus the clip geometry.
 */
export function sampleFrames(
  totalFrames: number,
  config: SampleFramesConfig,
  rng?: SamplerRng,
): SampledFrames {
  const n = positiveInt('totalFrames', totalFrames);
  const clipLen = positiveInt('clipLen', config.clipLen);
  const interval = positiveInt('frameInterval', config.frameInterval ?? 1);
  const numClips = positiveInt('numClips', config.numClips ?? 1);
  const startIndex = config.startIndex ?? 0;
  if (!Number.isInteger(startIndex)) {
    throw new TubeletError('INVALID_ARGUMENT', `startIndex must be an integer, got ${startIndex}`);
  }
  const offsets = config.testMode
    ? testOffsets(n, clipLen, interval, numClips, config.twiceSample ?? false)
    : trainOffsets(
        n,
        clipLen,
        interval,
        numClips,
        needRng(rng, 'train-mode offsets'),
        config.keepTailFrames ?? false,
      );

  return framesFromOffsets(offsets, n, clipLen, interval, config, rng, startIndex);
}

/** Clip offsets → frame indices, with MMAction2's jitter (one draw per frame) and out-of-bound handling. */
function framesFromOffsets(
  offsets: Float64Array,
  n: number,
  clipLen: number,
  interval: number,
  config: Pick<SampleFramesConfig, 'temporalJitter' | 'outOfBoundOpt'>,
  rng: SamplerRng | undefined,
  startIndex: number,
): SampledFrames {
  const opt = config.outOfBoundOpt ?? 'loop';
  const clips = offsets.length;
  const inds = new Float64Array(clips * clipLen);
  for (let c = 0; c < clips; c++) {
    for (let j = 0; j < clipLen; j++) inds[c * clipLen + j] = (offsets[c] ?? 0) + j * interval;
  }
  if (config.temporalJitter) {
    const jitterRng = needRng(rng, 'temporal jitter');
    for (let k = 0; k < inds.length; k++) inds[k] = (inds[k] ?? 0) + jitterRng.int(interval);
  }

  const out = new Int32Array(inds.length);
  for (let c = 0; c < clips; c++) {
    const base = c * clipLen;
    let last = 0;
    if (opt === 'repeat_last') {
      // Largest in-range index of the clip (0 when none is in range), as `max(safe * inds)`.
      for (let j = 0; j < clipLen; j++) {
        const v = inds[base + j] ?? 0;
        if (v < n && v > last) last = v;
      }
    }
    for (let j = 0; j < clipLen; j++) {
      const v = inds[base + j] ?? 0;
      const mapped = opt === 'loop' ? v % n : v < n ? v : last;
      out[base + j] = Math.trunc(mapped + startIndex);
    }
  }
  return { frameInds: out, clipLen, numClips: clips };
}

/** MMAction2 `DenseSampleFrames` arguments: SampleFrames' plus the dense window. */
export interface DenseSampleFramesConfig extends Omit<SampleFramesConfig, 'twiceSample' | 'keepTailFrames'> {
  /** Frames the clips of one sample spread over (default 64). */
  readonly sampleRange?: number;
  /** Test mode: evenly spaced start positions, each giving numClips clips (default 10). */
  readonly numSamplePositions?: number;
}

/**
 * MMAction2 `DenseSampleFrames` (the I3D/non-local Kinetics sampler): numClips clips spaced
 * sampleRange / numClips apart inside one window of sampleRange frames, from a random start (train: one
 * draw) or from numSamplePositions evenly spaced starts (test: numSamplePositions × numClips clips).
 * Offsets wrap modulo totalFrames; jitter and out-of-bound handling are SampleFrames'.
 */
export function denseSampleFrames(
  totalFrames: number,
  config: DenseSampleFramesConfig,
  rng?: SamplerRng,
): SampledFrames {
  const n = positiveInt('totalFrames', totalFrames);
  const clipLen = positiveInt('clipLen', config.clipLen);
  const interval = positiveInt('frameInterval', config.frameInterval ?? 1);
  const numClips = positiveInt('numClips', config.numClips ?? 1);
  const range = positiveInt('sampleRange', config.sampleRange ?? 64);
  const positions = positiveInt('numSamplePositions', config.numSamplePositions ?? 10);
  const startIndex = config.startIndex ?? 0;
  const samplePosition = Math.max(1, 1 + n - range);
  const spacing = Math.floor(range / numClips);
  let starts: number[];
  if (config.testMode) {
    // np.linspace(0, samplePosition - 1, num=positions, dtype=int)
    const step = positions > 1 ? (samplePosition - 1) / (positions - 1) : 0;
    starts = Array.from({ length: positions }, (_, i) =>
      i === positions - 1 && positions > 1 ? samplePosition - 1 : Math.trunc(i * step),
    );
  } else {
    const r = needRng(rng, 'train-mode dense offsets');
    starts = [samplePosition === 1 ? 0 : r.int(samplePosition - 1)];
  }
  const offsets = new Float64Array(starts.length * numClips);
  starts.forEach((start, p) => {
    for (let c = 0; c < numClips; c++) offsets[p * numClips + c] = (c * spacing + start) % n;
  });
  return framesFromOffsets(offsets, n, clipLen, interval, config, rng, startIndex);
}

/** Views (no copies) of each clip's clipLen indices. */
export function clipsOf(sampled: SampledFrames): Int32Array[] {
  const clips: Int32Array[] = [];
  for (let c = 0; c < sampled.numClips; c++) {
    clips.push(sampled.frameInds.subarray(c * sampled.clipLen, (c + 1) * sampled.clipLen));
  }
  return clips;
}

/** MMAction2 `UniformSample` arguments (the SlowFast SSv2 sampler used by UniFormerV2-style configs). */
export interface UniformSampleConfig {
  /** Segments per clip = frames per clip (>= 1). */
  readonly clipLen: number;
  /** Test mode only: clips per video, each shifted by (k+1)/(numClips+1) of a segment. Default 1. */
  readonly numClips?: number;
  readonly testMode?: boolean;
  /** Added to every index. Default 0. */
  readonly startIndex?: number;
}

/**
 * MMAction2 `UniformSample`: split frames 0..totalFrames-1 into clipLen equal segments and take one
 * frame per segment — uniformly random in train mode (one rng draw per segment), at a fixed fraction
 * of the segment in test mode. Short videos repeat frames instead of looping.
 * @returns frameInds i32[clipLen] in train mode, i32[numClips * clipLen] (clip-major) in test mode.
 */
export function uniformSample(
  totalFrames: number,
  config: UniformSampleConfig,
  rng?: SamplerRng,
): SampledFrames {
  const n = positiveInt('totalFrames', totalFrames);
  const clipLen = positiveInt('clipLen', config.clipLen);
  const numClips = positiveInt('numClips', config.numClips ?? 1);
  const startIndex = config.startIndex ?? 0;
  const segSize = (n - 1) / clipLen;
  const segStart = (i: number): number => roundHalfEven(segSize * i);
  if (!config.testMode) {
    const r = needRng(rng, 'train-mode UniformSample');
    const out = new Int32Array(clipLen);
    for (let i = 0; i < clipLen; i++) {
      const start = segStart(i);
      out[i] = start + r.int(segStart(i + 1) - start + 1) + startIndex;
    }
    // MMAction2 draws one clip in train mode whatever num_clips says.
    return { frameInds: out, clipLen, numClips: 1 };
  }
  const duration = segSize / (numClips + 1);
  const out = new Int32Array(numClips * clipLen);
  for (let k = 0; k < numClips; k++) {
    for (let i = 0; i < clipLen; i++) {
      out[k * clipLen + i] = segStart(i) + Math.trunc(duration * (k + 1)) + startIndex;
    }
  }
  return { frameInds: out, clipLen, numClips };
}

/** The three numbers of MMAction2 config names such as `…_16x4x1_…` or `tsn_…_1x1x8_…`. */
export interface SamplingName {
  readonly clipLen: number;
  readonly frameInterval: number;
  readonly numClips: number;
}

const SAMPLING_NAME = /(?:^|[^0-9a-z])(\d+)x(\d+)x(\d+)(?=$|[^0-9a-z])/i;

/**
 * Parses `clip_len x frame_interval x num_clips` ('16x4x1', or a whole config name such as
 * 'slowfast_r50_8xb8-4x16x1-256e_kinetics400-rgb'). Returns null when no valid triple is present.
 */
export function describeSampling(name: string): SamplingName | null {
  const match = SAMPLING_NAME.exec(name);
  if (!match) return null;
  const [clipLen, frameInterval, numClips] = [match[1], match[2], match[3]].map(Number);
  if (!clipLen || !frameInterval || !numClips) return null;
  return { clipLen, frameInterval, numClips };
}

/** Inverse of describeSampling: `${clipLen}x${frameInterval}x${numClips}`. */
export function formatSampling(config: SampleFramesConfig): string {
  return `${config.clipLen}x${config.frameInterval ?? 1}x${config.numClips ?? 1}`;
}
