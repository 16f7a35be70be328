// Clip augmentation on the GPU (compute worker): one crop box, flip and colour transform per clip, applied to every
// frame alike, then MMAction2-style mean/std normalisation. Input f32 0..255 [N,T,H,W,3] → f32 [N,T,S,S,3].
import { tf } from '../models/tf.ts';
import type { ClipAugParams } from './augmentParams.ts';
import { LUMA } from './augmentParams.ts';

export interface NormaliseConfig {
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/** Crop-box corners normalised for tf.image.cropAndResize; a flip swaps the x corners (mirrored sampling). */
function boxCorners(p: ClipAugParams, h: number, w: number): [number, number, number, number] {
  const { top, left, height, width } = p.box;
  const ny = (v: number): number => (h > 1 ? v / (h - 1) : 0);
  const nx = (v: number): number => (w > 1 ? v / (w - 1) : 0);
  const x0 = nx(left);
  const x1 = nx(left + width - 1);
  return [ny(top), p.flip ? x1 : x0, ny(top + height - 1), p.flip ? x0 : x1];
}

/**
 * x: f32[N,T,H,W,3] in 0..255 → f32[N,T,S,S,3]: bilinear crop-resize (and flip) of each clip's box, brightness,
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
    const boxes: number[] = [];
    for (const p of params) {
      const corners = boxCorners(p, h, w);
      for (let f = 0; f < t; f++) boxes.push(...corners);
    }
    const frames = tf.reshape<tf.Rank.R4>(x, [n * t, h, w, 3]);
    const crops = tf.image.cropAndResize(
      frames,
      tf.tensor2d(boxes, [n * t, 4]),
      tf.range(0, n * t, 1, 'int32'),
      [size, size],
      'bilinear',
    );
    let v = tf.reshape<tf.Rank.R3>(crops, [n, t * size * size, 3]);
    const perClip = (get: (p: ClipAugParams) => number): tf.Tensor3D =>
      tf.tensor3d(params.map(get), [n, 1, 1]);
    v = tf.clipByValue(
      tf.mul(
        v,
        perClip((p) => p.brightness),
      ),
      0,
      255,
    );
    const gray = tf.sum(tf.mul(v, tf.tensor1d([...LUMA])), -1, true);
    const meanGray = tf.mean(gray, 1, true);
    const cf = perClip((p) => p.contrast);
    v = tf.clipByValue(tf.add(tf.mul(v, cf), tf.mul(tf.sub(1, cf), meanGray)), 0, 255);
    // row-vector pixels: v·Mᵀ applies M to each RGB column vector
    const m = tf.tensor3d(
      params.flatMap((p) => [...p.colorMatrix]),
      [n, 3, 3],
    );
    v = tf.clipByValue(tf.matMul(v, m, false, true), 0, 255);
    v = tf.div(tf.sub(v, tf.tensor1d([...norm.mean])), tf.tensor1d([...norm.std]));
    return tf.reshape<tf.Rank.R5>(v, [n, t, size, size, 3]);
  });
}

/** Uploads raw pixels [N,T,H,W,3] (u8 or f32 in 0..255) as an f32 tensor. */
export function clipsToTensor(
  data: Float32Array | Uint8Array,
  shape: readonly [number, number, number, number, number],
): tf.Tensor5D {
  const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
  return tf.tensor5d(f32, [...shape]);
}
