// Test support for the Conv3D GPU kernels: seeded cases, the shared parity grid, and runners that encode one
// kernel, read the result back and compute the CPU reference. Used by *.gpu.test.ts only (browser thread).
import { readFloat32, uploadStorage } from '../../buffers.ts';
import { releaseTransients } from '../../transient.ts';
import { Rng } from '../../../shared/random.ts';
import { maxAbsDiff, parityTolerance } from '../parity.ts';
import { conv3dBackpropFilterRef, conv3dBackpropInputRef, conv3dRef } from './conv3d.ref.ts';
import { conv3dGeometry, type Conv3DGeometry, type Conv3DOptions } from './geometry.ts';

export interface Conv3dCase {
  readonly name: string;
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly opts: Conv3DOptions;
}

/** A representative grid: batch 1–3, channels 3/4/5/64, kernels 1/3/5/7 and anisotropic, strides 1–2,
 * dilation 1–2, 'same'/'valid'/explicit asymmetric padding, sizes that are not tile multiples. */
export const CONV3D_GRID: readonly Conv3dCase[] = [
  { name: 'k3 same 4→8', x: [1, 4, 5, 6, 4], w: [3, 3, 3, 4, 8], opts: { pad: 'same' } },
  {
    name: 'k3 stride2 valid 3→5 b2',
    x: [2, 5, 6, 7, 3],
    w: [3, 3, 3, 3, 5],
    opts: { pad: 'valid', strides: 2 },
  },
  {
    name: 'k(3,1,1) explicit asym 5→4',
    x: [1, 5, 4, 3, 5],
    w: [3, 1, 1, 5, 4],
    opts: {
      pad: [
        [2, 0],
        [0, 1],
        [1, 0],
      ],
    },
  },
  {
    name: 'k(1,3,3) stride(1,2,2) same b3',
    x: [3, 3, 7, 9, 4],
    w: [1, 3, 3, 4, 4],
    opts: { pad: 'same', strides: [1, 2, 2] },
  },
  { name: 'k3 same 64→64', x: [1, 3, 4, 5, 64], w: [3, 3, 3, 64, 64], opts: { pad: 'same' } },
  {
    name: 'k(3,7,7) stride(1,2,2) 3→16',
    x: [1, 3, 9, 9, 3],
    w: [3, 7, 7, 3, 16],
    opts: { pad: 'same', strides: [1, 2, 2] },
  },
  {
    name: 'k5 dilation2 same b2 4→12',
    x: [2, 4, 6, 9, 4],
    w: [5, 5, 5, 4, 12],
    opts: { pad: 'same', dilations: 2 },
  },
  {
    name: 'k7 stride2 explicit asym 8→8',
    x: [1, 7, 8, 9, 8],
    w: [7, 7, 7, 8, 8],
    opts: {
      pad: [
        [3, 3],
        [2, 4],
        [1, 0],
      ],
      strides: 2,
    },
  },
  { name: 'k1 pointwise b2 12→20', x: [2, 3, 5, 7, 12], w: [1, 1, 1, 12, 20], opts: {} },
  { name: 'k1 stride2 8→4', x: [1, 5, 6, 7, 8], w: [1, 1, 1, 8, 4], opts: { strides: 2 } },
  {
    name: 'k3 stride2 dilation2 4→4',
    x: [1, 6, 7, 8, 4],
    w: [3, 3, 3, 4, 4],
    opts: { pad: 'same', strides: 2, dilations: 2 },
  },
  {
    name: 'k3 stride(2,1,2) dilation(1,2,1) 5→8',
    x: [2, 5, 6, 5, 5],
    w: [3, 3, 3, 5, 8],
    opts: { pad: 'valid', strides: [2, 1, 2], dilations: [1, 2, 1] },
  },
];

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export interface CaseData {
  readonly g: Conv3DGeometry;
  readonly x: Float32Array;
  readonly w: Float32Array;
  readonly dy: Float32Array;
}

export function caseData(c: Conv3dCase, seed: number): CaseData {
  const g = conv3dGeometry(c.x, c.w, c.opts);
  const rng = new Rng(seed);
  const x = rng.float32(size(c.x));
  const w = rng.float32(size(c.w));
  const dy = rng.float32(g.batch * g.outD * g.outH * g.outW * g.outC);
  return { g, x, w, dy };
}

export type Conv3dKernel = 'fwd' | 'dgrad' | 'wgrad';

export const refFor = (kernel: Conv3dKernel, d: CaseData): Float32Array =>
  kernel === 'fwd'
    ? conv3dRef(d.x, d.w, d.g)
    : kernel === 'dgrad'
      ? conv3dBackpropInputRef(d.dy, d.w, d.g)
      : conv3dBackpropFilterRef(d.x, d.dy, d.g);

/**
 * Uploads the inputs, lets `encode` record the kernel (it receives x, w and dy buffers), submits, reads back
 * `length` floats and fails on any validation error.
 */
export async function runKernel(
  device: GPUDevice,
  d: CaseData,
  length: number,
  encode: (encoder: GPUCommandEncoder, bufs: { x: GPUBuffer; w: GPUBuffer; dy: GPUBuffer }) => GPUBuffer,
): Promise<Float32Array> {
  const bufs = {
    x: uploadStorage(device, 'test:x', d.x),
    w: uploadStorage(device, 'test:w', d.w),
    dy: uploadStorage(device, 'test:dy', d.dy),
  };
  const encoder = device.createCommandEncoder({ label: 'test' });
  device.pushErrorScope('validation');
  let out: GPUBuffer | undefined;
  let thrown: Error | null = null;
  try {
    out = encode(encoder, bufs);
    device.queue.submit([encoder.finish()]);
  } catch (error) {
    thrown = error instanceof Error ? error : new Error(String(error));
  }
  releaseTransients(encoder);
  const validation = await device.popErrorScope();
  try {
    if (thrown !== null) throw thrown;
    if (validation) throw new Error(`WebGPU validation: ${validation.message}`);
    if (!out) throw new Error('the kernel returned no buffer');
    return await readFloat32(device, out, length * 4);
  } finally {
    for (const b of [bufs.x, bufs.w, bufs.dy]) b.destroy();
    out?.destroy();
  }
}

/** max |gpu − ref| and the project tolerance, for expect(). */
export function parity(got: Float32Array, ref: Float32Array): { err: number; tol: number } {
  return { err: maxAbsDiff(got, ref), tol: parityTolerance(ref) };
}

/** Small M, long K, stride 2: the shapes split-K is for (channels 36 / 29 / 64: vec4 split, scalar, tap-uniform). */
export const SPLIT_K_CASES: readonly Conv3dCase[] = [
  { name: 'split 36→20 s2', x: [1, 3, 4, 5, 36], w: [3, 3, 3, 36, 20], opts: { pad: 'same', strides: 2 } },
  { name: 'split 29→10 s2 b2', x: [2, 2, 3, 3, 29], w: [3, 3, 3, 29, 10], opts: { pad: 'same', strides: 2 } },
  { name: 'split 64→24 s2', x: [1, 2, 4, 4, 64], w: [3, 3, 3, 64, 24], opts: { pad: 'same', strides: 2 } },
];

/** Split-K tiles: unstaged with 1, 2, 4 rows, staged 8 and 16 rows; slice counts that do not divide K. */
export const SPLIT_K_TILES = [
  { tileM: 1, tileN: 8, tileK: 0, threadM: 1, threadN: 8, splitK: 4 },
  { tileM: 2, tileN: 16, tileK: 0, threadM: 2, threadN: 4, splitK: 3 },
  { tileM: 4, tileN: 32, tileK: 0, threadM: 4, threadN: 8, splitK: 5 },
  { tileM: 8, tileN: 16, tileK: 32, threadM: 4, threadN: 4, splitK: 3 },
  { tileM: 16, tileN: 32, tileK: 16, threadM: 4, threadN: 4, splitK: 7 },
] as const;
