// Clip augmentation on the GPU (compute worker): one crop box, flip and colour transform per clip, applied to every
// frame alike, then MMAction2-style mean/std normalisation. Input f32 0..255 [N,T,H,W,3] → f32 [N,T,S,S,3].
import { tf } from '../models/tf.ts';
import type { ClipAugParams } from './augmentParams.ts';
import { LUMA } from './augmentParams.ts';

export interface NormaliseConfig {
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/**
 * One axis of a crop: `size` samples at pixel centres (half-pixel convention, as PyTorch's align_corners=False
 * and OpenCV), start + (i + ½)·len/size − ½, mapped onto frames average-pooled by `f` and normalised for
 * tf.image.cropAndResize (which spaces samples evenly from the first corner to the second). Clamped to the frame.
 */
function axisCorners(start: number, len: number, dim: number, size: number, f: number): [number, number] {
  const d = len / size;
  const first = start + d / 2 - 0.5;
  const last = first + d * (size - 1);
  const pooled = Math.floor(dim / f);
  const toPooled = (v: number): number => Math.min(pooled - 1, Math.max(0, (v - (f - 1) / 2) / f));
  const norm = (v: number): number => (pooled > 1 ? v / (pooled - 1) : 0);
  return [norm(toPooled(first)), norm(toPooled(last))];
}

/** Crop-box corners normalised for tf.image.cropAndResize; a flip swaps the x corners (mirrored sampling). */
function boxCorners(
  p: ClipAugParams,
  h: number,
  w: number,
  size: number,
  f: number,
): [number, number, number, number] {
  const [y0, y1] = axisCorners(p.box.top, p.box.height, h, size, f);
  const [x0, x1] = axisCorners(p.box.left, p.box.width, w, size, f);
  return [y0, p.flip ? x1 : x0, y1, p.flip ? x0 : x1];
}

/**
 * Integer factor to average-pool frames by before resampling: when every box shrinks by 2× or more, bilinear
 * sampling alone would alias (skip pixels); pooling first makes a 2× shrink an exact area average.
 */
export function antialiasFactor(params: readonly ClipAugParams[], size: number): number {
  const smallest = Math.min(...params.map((p) => Math.min(p.box.height, p.box.width)));
  return Math.max(1, Math.floor(smallest / size));
}

/**
 * x: f32[N,T,H,W,3] in 0..255 → f32[N,T,S,S,3]: bilinear crop-resize (and flip) of each clip's box (after an
 * area pre-average when every box shrinks 2× or more), brightness,
 * contrast around the clip's mean gray, the colour matrix, clamping to 0..255 after each colour step, then
 * (x − mean)/std. `params[i]` is clip i's; every frame of a clip gets the same box and colour transform.
 */
export function augmentClips(
  x: tf.Tensor5D,
  params: readonly ClipAugParams[],
  size: number,
  norm: NormaliseConfig,
): tf.Tensor5D {
  const [n, t, h, w, c] = x.shape;
  if (c !== 3) throw new RangeError(`augmentClips: expected 3 channels, got ${c}`);
  if (params.length !== n)
    throw new RangeError(`augmentClips: ${params.length} parameter sets for ${n} clips`);
  return tf.tidy(() => {
    const f = antialiasFactor(params, size);
    const boxes: number[] = [];
    for (const p of params) {
      const corners = boxCorners(p, h, w, size, f);
      for (let i = 0; i < t; i++) boxes.push(...corners);
    }
    let frames = tf.reshape<tf.Rank.R4>(x, [n * t, h, w, 3]);
    if (f > 1) frames = tf.avgPool(frames, f, f, 'valid');
    const crops = tf.image.cropAndResize(
      frames,
      tf.tensor2d(boxes, [n * t, 4]),
      tf.range(0, n * t, 1, 'int32'),
      [size, size],
      'bilinear',
    );
    let v = tf.reshape<tf.Rank.R3>(crops, [n, t * size * size, 3]);
    if (params.some((p) => !isColourIdentity(p))) v = colourTransform(v, params);
    // (v − mean)/std as one scale and one shift
    const scale = norm.std.map((s) => 1 / s);
    v = tf.add(tf.mul(v, tf.tensor1d(scale)), tf.tensor1d(norm.mean.map((m, i) => -m * (scale[i] ?? 1))));
    return tf.reshape<tf.Rank.R5>(v, [n, t, size, size, 3]);
  });
}

const IDENTITY3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

function isColourIdentity(p: ClipAugParams): boolean {
  return p.brightness === 1 && p.contrast === 1 && p.colorMatrix.every((m, i) => m === IDENTITY3[i]);
}

/**
 * Brightness, contrast around the clip's mean gray and the colour matrix on v f32[N,P,3], clamping to 0..255
 * after each step. Written with reductions over the long pixel axis and elementwise ops only: TF.js's webgpu
 * reduction over a last axis of 3 (2.5 s) and its batched matMul with K = 3 (0.27 s) for one 8-clip batch on the software
 * adapter (measured), where these take milliseconds. The mean gray is the luma of the mean colour (linear).
 */
function colourTransform(v0: tf.Tensor3D, params: readonly ClipAugParams[]): tf.Tensor3D {
  const n = params.length;
  const perClip = (get: (p: ClipAugParams) => number): tf.Tensor3D => tf.tensor3d(params.map(get), [n, 1, 1]);
  let v: tf.Tensor3D = tf.clipByValue(
    tf.mul<tf.Tensor3D>(
      v0,
      perClip((p) => p.brightness),
    ),
    0,
    255,
  );
  const meanRgb = tf.mean(v, 1, true); // [N,1,3]
  const meanGray = tf.sum(tf.mul(meanRgb, tf.tensor1d([...LUMA])), -1, true); // [N,1,1]
  const cf = perClip((p) => p.contrast);
  v = tf.clipByValue(tf.add<tf.Tensor3D>(tf.mul(v, cf), tf.mul(tf.sub(1, cf), meanGray)), 0, 255);
  // out_c = Σ_k M[c,k]·v_k: column k of every clip's M as [N,1,3] times channel k of v
  const column = (k: number): tf.Tensor3D =>
    tf.tensor3d(
      params.flatMap((p) => [0, 1, 2].map((c) => p.colorMatrix[3 * c + k] ?? 0)),
      [n, 1, 3],
    );
  const channel = (k: number): tf.Tensor3D => v.slice([0, 0, k], [-1, -1, 1]);
  const mixed = tf.addN([0, 1, 2].map((k) => tf.mul<tf.Tensor3D>(channel(k), column(k))));
  return tf.clipByValue(mixed, 0, 255);
}

/** Uploads raw pixels [N,T,H,W,3] (u8 or f32 in 0..255) as an f32 tensor. */
export function clipsToTensor(
  data: Float32Array | Uint8Array,
  shape: readonly [number, number, number, number, number],
): tf.Tensor5D {
  const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
  return tf.tensor5d(f32, [...shape]);
}
