// PyTorch ↔ TF.js weight and activation layouts (transposes on plain typed arrays), strided copies, and 2-D → 3-D
// inflation of ImageNet conv weights. Pure; compute worker (and Node for tests).
import { TubeletError } from '../../shared/errors.ts';
import { numelOf, toFloat32, wordsOf, type TypedArray, type WeightTensor } from './dtypes.ts';

/** Row-major strides (in elements) of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) strides[d] = (strides[d + 1] ?? 1) * (shape[d + 1] ?? 1);
  return strides;
}

/** True when `stride` is row-major for `shape` (size-1 dimensions may have any stride). */
export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  const want = contiguousStrides(shape);
  return shape.every((d, i) => d <= 1 || stride[i] === want[i]);
}

/**
 * A new row-major array of `shape` whose element i₀…iₙ is `src[offset + Σ iₖ·stride[k]]` (a torch view made
 * contiguous). Bounds are the caller's business; typed arrays stop any read past the end (it reads 0).
 */
export function stridedCopy(
  src: TypedArray,
  shape: readonly number[],
  stride: readonly number[],
  offset: number,
): TypedArray {
  const numel = numelOf(shape) ?? 0;
  const size = src.BYTES_PER_ELEMENT;
  const buffer = new ArrayBuffer(numel * size);
  const { words: from, perElement: per } = wordsOf(src);
  const out =
    size === 1 ? new Uint8Array(buffer) : size === 2 ? new Uint16Array(buffer) : new Uint32Array(buffer);
  if (numel === 0) return rewrap(src, buffer, numel);
  const nd = shape.length;
  if (nd === 0) {
    for (let k = 0; k < per; k++) out[k] = from[offset * per + k] ?? 0;
    return rewrap(src, buffer, numel);
  }
  const inner = shape[nd - 1] ?? 1;
  const innerStride = stride[nd - 1] ?? 0;
  const index = new Array<number>(nd).fill(0);
  let base = offset;
  let o = 0;
  for (;;) {
    for (let j = 0; j < inner; j++) {
      const s = (base + j * innerStride) * per;
      for (let k = 0; k < per; k++) out[o++] = from[s + k] ?? 0;
    }
    let d = nd - 2;
    for (; d >= 0; d--) {
      const extent = shape[d] ?? 1;
      const step = stride[d] ?? 0;
      index[d] = (index[d] ?? 0) + 1;
      base += step;
      if ((index[d] ?? 0) < extent) break;
      base -= step * extent;
      index[d] = 0;
    }
    if (d < 0) break;
  }
  return rewrap(src, buffer, numel);
}

/** A typed array of the same class as `like` over `buffer`. */
function rewrap(like: TypedArray, buffer: ArrayBuffer, length: number): TypedArray {
  if (like instanceof Float32Array) return new Float32Array(buffer, 0, length);
  if (like instanceof Float64Array) return new Float64Array(buffer, 0, length);
  if (like instanceof BigInt64Array) return new BigInt64Array(buffer, 0, length);
  if (like instanceof Int32Array) return new Int32Array(buffer, 0, length);
  if (like instanceof Int16Array) return new Int16Array(buffer, 0, length);
  if (like instanceof Int8Array) return new Int8Array(buffer, 0, length);
  if (like instanceof Uint16Array) return new Uint16Array(buffer, 0, length);
  return new Uint8Array(buffer, 0, length);
}

function invalid(message: string): TubeletError {
  return new TubeletError('INVALID_ARGUMENT', message);
}

/** out.shape[k] = t.shape[perm[k]] (a transpose, copied to row-major), dtype kept. */
export function permute(t: WeightTensor, perm: readonly number[]): WeightTensor {
  const nd = t.shape.length;
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== nd || sorted.some((p, i) => p !== i)) {
    throw invalid(`permute: [${perm.join(', ')}] is not a permutation of ${nd} axes`);
  }
  if (numelOf(t.shape) !== t.data.length)
    throw invalid(`permute: shape [${t.shape.join(', ')}] ≠ data length`);
  const strides = contiguousStrides(t.shape);
  const shape = perm.map((p) => t.shape[p] ?? 1);
  const stride = perm.map((p) => strides[p] ?? 1);
  return { dtype: t.dtype, shape, data: stridedCopy(t.data, shape, stride, 0) };
}

function checkRank(t: WeightTensor, rank: number, what: string, layout: string): void {
  if (t.shape.length !== rank) throw invalid(`${what} must be ${layout}, got shape [${t.shape.join(', ')}]`);
}

/** Conv3d weight: PyTorch [out, in/groups, t, h, w] → TF.js [t, h, w, in/groups, out]. */
export function conv3dWeightToTf(w: WeightTensor): WeightTensor {
  checkRank(w, 5, 'conv3d weight', '[out, in, t, h, w]');
  return permute(w, [2, 3, 4, 1, 0]);
}
/** Conv3d weight: TF.js [t, h, w, in/groups, out] → PyTorch [out, in/groups, t, h, w]. */
export function conv3dWeightFromTf(w: WeightTensor): WeightTensor {
  checkRank(w, 5, 'conv3d weight', '[t, h, w, in, out]');
  return permute(w, [4, 3, 0, 1, 2]);
}

/**
 * Grouped Conv3d weight [out, in/g, t, h, w] → [t, h, w, in/g, out]: the same transpose as conv3dWeightToTf (the
 * output channels of group k are out[k·out/g … (k+1)·out/g) in both layouts); checks out is divisible by g.
 */
export function groupedConv3dWeightToTf(w: WeightTensor, groups: number): WeightTensor {
  checkRank(w, 5, 'grouped conv3d weight', '[out, in/groups, t, h, w]');
  if (!Number.isInteger(groups) || groups < 1 || (w.shape[0] ?? 0) % groups !== 0) {
    throw invalid(`grouped conv3d: ${w.shape[0]} output channels do not split into ${groups} groups`);
  }
  return permute(w, [2, 3, 4, 1, 0]);
}
/** Grouped Conv3d weight [t, h, w, in/g, out] → [out, in/g, t, h, w]. */
export function groupedConv3dWeightFromTf(w: WeightTensor, groups: number): WeightTensor {
  checkRank(w, 5, 'grouped conv3d weight', '[t, h, w, in/groups, out]');
  if (!Number.isInteger(groups) || groups < 1 || (w.shape[4] ?? 0) % groups !== 0) {
    throw invalid(`grouped conv3d: ${w.shape[4]} output channels do not split into ${groups} groups`);
  }
  return permute(w, [4, 3, 0, 1, 2]);
}

/** Conv2d weight: PyTorch [out, in, h, w] → TF.js [h, w, in, out]. */
export function conv2dWeightToTf(w: WeightTensor): WeightTensor {
  checkRank(w, 4, 'conv2d weight', '[out, in, h, w]');
  return permute(w, [2, 3, 1, 0]);
}
/** Conv2d weight: TF.js [h, w, in, out] → PyTorch [out, in, h, w]. */
export function conv2dWeightFromTf(w: WeightTensor): WeightTensor {
  checkRank(w, 4, 'conv2d weight', '[h, w, in, out]');
  return permute(w, [3, 2, 0, 1]);
}

/** Linear weight: PyTorch [out, in] ↔ TF.js dense kernel [in, out] (its own inverse). Biases are [out] in both. */
export function linearWeightToTf(w: WeightTensor): WeightTensor {
  checkRank(w, 2, 'linear weight', '[out, in]');
  return permute(w, [1, 0]);
}
export const linearWeightFromTf = linearWeightToTf;

/** Video activations: PyTorch x: [N, C, T, H, W] → TF.js x: [N, T, H, W, C]. */
export function activationsToTf(x: WeightTensor): WeightTensor {
  checkRank(x, 5, 'activations', '[N, C, T, H, W]');
  return permute(x, [0, 2, 3, 4, 1]);
}
/** Video activations: TF.js x: [N, T, H, W, C] → PyTorch x: [N, C, T, H, W]. */
export function activationsFromTf(x: WeightTensor): WeightTensor {
  checkRank(x, 5, 'activations', '[N, T, H, W, C]');
  return permute(x, [0, 4, 1, 2, 3]);
}
// BatchNorm weight, bias, running_mean and running_var are [C] in both frameworks: copy them unchanged
// (TF.js batchNorm takes them as mean, variance, offset = bias, scale = weight; eps stays PyTorch's 1e-5).

export type InflateMode = 'average' | 'centre';

/**
 * Inflates a 2-D conv weight w2: [out, in, h, w] to w3: [out, in, t, h, w] (PyTorch layout, float32 out):
 * - 'average' (I3D, Carreira & Zisserman 2017): w3[o, i, τ, y, x] = w2[o, i, y, x] / t for every τ;
 * - 'centre': w3[o, i, τ, y, x] = w2[o, i, y, x] if τ = ⌊t / 2⌋, else 0.
 * Both give a clip of t identical frames the 2-D response (at temporal positions whose window is all in the clip).
 */
export function inflateConv2dWeight(w2: WeightTensor, t: number, mode: InflateMode): WeightTensor {
  checkRank(w2, 4, 'conv2d weight', '[out, in, h, w]');
  if (!Number.isInteger(t) || t < 1) throw invalid(`inflate: temporal size ${t} is not a positive integer`);
  const src = toFloat32(w2);
  const [out = 0, inC = 0, h = 0, w = 0] = w2.shape;
  const plane = h * w;
  const data = new Float32Array(out * inC * t * plane);
  const centre = Math.floor(t / 2);
  for (let oi = 0; oi < out * inC; oi++) {
    const from = src.subarray(oi * plane, (oi + 1) * plane);
    for (let tau = 0; tau < t; tau++) {
      const at = (oi * t + tau) * plane;
      if (mode === 'average') for (let k = 0; k < plane; k++) data[at + k] = (from[k] ?? 0) / t;
      else if (tau === centre) data.set(from, at);
    }
  }
  return { dtype: 'float32', shape: [out, inC, t, h, w], data };
}

/**
 * The export direction of inflation: w2[o, i, y, x] = Σ_τ w3[o, i, τ, y, x] (float32 out). It undoes both modes
 * exactly (up to float rounding), and for a trained 3-D kernel it is the 2-D kernel with the same response to a
 * clip of identical frames.
 */
export function deflateConv3dWeight(w3: WeightTensor): WeightTensor {
  checkRank(w3, 5, 'conv3d weight', '[out, in, t, h, w]');
  const src = toFloat32(w3);
  const [out = 0, inC = 0, t = 0, h = 0, w = 0] = w3.shape;
  const plane = h * w;
  const data = new Float32Array(out * inC * plane);
  for (let oi = 0; oi < out * inC; oi++) {
    for (let tau = 0; tau < t; tau++) {
      const at = (oi * t + tau) * plane;
      for (let k = 0; k < plane; k++) data[oi * plane + k] = (data[oi * plane + k] ?? 0) + (src[at + k] ?? 0);
    }
  }
  return { dtype: 'float32', shape: [out, inC, h, w], data };
}
