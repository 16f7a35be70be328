// Conv3D forward pass on WebGPU as an implicit GEMM (rows N·D'·H'·W', inner kD·kH·kW·Cin, columns Cout), with
// a plain-GEMM fast path for 1×1×1 convolutions, fused bias + ReLU, and batch chunking for huge tensors.
// Dispatch math and command recording; runs wherever the GPUDevice lives (compute worker, GPU tests).
// x: f32[N,D,H,W,Cin], w: f32[kD,kH,kW,Cin,Cout], bias: f32[Cout] → y: f32[N,D',H',W',Cout].
import { createStorage } from '../../buffers.ts';
import {
  assertTile,
  bucket,
  gemmTraits,
  tileSplitK,
  validTiles,
  DEFAULT_GEMM_TRAITS,
  type GemmDeviceTraits,
  type GemmTile,
  type SplitTile,
} from '../gemmTile.ts';
import { batchChunks, chunkWindow, windowBinding } from './chunking.ts';
import type { Conv3DGeometry } from './geometry.ts';
import { encodeIgemm, type IgemmPlan, type IgemmVariant } from './igemm.ts';

export interface Conv3dEncodeOptions {
  /** f32[Cout], added before the ReLU. */
  readonly bias?: GPUBuffer;
  readonly relu?: boolean;
  readonly tile?: GemmTile;
  /** Output buffer (at least N·D'·H'·W'·Cout f32); allocated when absent. */
  readonly out?: GPUBuffer;
  /** Pretend storage bindings hold at most this many bytes (tests of batch chunking). */
  readonly maxBindingBytes?: number;
}

const volume = (g: Conv3DGeometry): number => g.kD * g.kH * g.kW;
export const conv3dRows = (g: Conv3DGeometry): number => g.batch * g.outD * g.outH * g.outW;

/** 1×1×1, stride 1, no padding: the convolution is a plain GEMM y[M,Cout] = x[M,Cin]·w[Cin,Cout]. */
export function isPointwise(g: Conv3DGeometry): boolean {
  const pads = [...g.padD, ...g.padH, ...g.padW];
  return volume(g) === 1 && g.strideD * g.strideH * g.strideW === 1 && pads.every((p) => p === 0);
}

export function assertDense(g: Conv3DGeometry, kernel: string): void {
  if (g.groups !== 1)
    throw new RangeError(`${kernel}: grouped convolution (groups=${g.groups}) is not supported`);
}

/** Column tile that wastes least for `n` columns: 4, 8, 16, 32 or 64. */
export const columnTile = (n: number): number => Math.min(64, Math.max(4, 2 ** Math.ceil(Math.log2(n))));

/**
 * Register-blocked GEMM tiles for an M×N output, best guess first for the device: unstaged tiles lead on
 * CPU-emulated adapters, workgroup-memory tiles elsewhere. Small M or N get smaller tiles. All valid for `traits`.
 */
export function gemmCandidates(m: number, n: number, traits: GemmDeviceTraits): GemmTile[] {
  const tn = columnTile(n);
  const wide = Math.min(8, tn);
  const rows = m <= 16 ? 16 : m <= 32 ? 32 : 64;
  const staged: GemmTile[] = [
    { tileM: Math.max(32, rows), tileN: tn, tileK: 16, threadM: 4, threadN: 4 },
    ...(m >= 128 && n >= 128 ? [{ tileM: 128, tileN: 128, tileK: 16, threadM: 8, threadN: 8 }] : []),
    { tileM: 128, tileN: tn, tileK: 16, threadM: 8, threadN: wide },
    { tileM: Math.max(32, rows), tileN: tn, tileK: 32, threadM: 8, threadN: wide },
  ];
  const direct: GemmTile[] = [
    { tileM: rows, tileN: tn, tileK: 0, threadM: 8, threadN: wide },
    { tileM: Math.max(16, rows / 2), tileN: tn, tileK: 0, threadM: 8, threadN: 4 },
  ];
  return validTiles(traits.cpuEmulated ? [...direct, ...staged] : [...staged, ...direct], traits);
}

/** Below this many output rows (per dispatch) a GEMM may get small-M tiles and split-K candidates. */
export const SPLIT_MAX_ROWS = 256;
/** Each split-K slice keeps at least this much of the reduction. */
const SPLIT_MIN_K = 256;

/**
 * Split-K slices for an M×N×K GEMM with tile `t`: enough workgroups to fill the device (a few per core on CPU
 * adapters, ~512 on GPUs), each slice keeping at least SPLIT_MIN_K of the reduction, at most 32.
 */
export function igemmSplitK(m: number, n: number, k: number, t: GemmTile, traits: GemmDeviceTraits): number {
  const base = Math.ceil(m / t.tileM) * Math.ceil(n / t.tileN);
  const target = traits.cpuEmulated ? 32 : 512;
  return Math.max(1, Math.min(Math.ceil(target / base), Math.floor(k / SPLIT_MIN_K), 32));
}

/**
 * Candidates of an implicit GEMM with reduction length `k` (best guess first): when M is small against K, tiles
 * sized to M (unstaged rows 1, 2, 4 or 8; staged 8 or 16; unstaged first on CPU adapters) lead, each with
 * split-K (where `igemmSplitK` finds too few workgroups) followed by itself unsplit; then the general
 * `gemmCandidates` (the first also with split-K). Large M or short K: `gemmCandidates` alone.
 */
export function igemmCandidates(m: number, n: number, k: number, traits: GemmDeviceTraits): SplitTile[] {
  const plain = gemmCandidates(m, n, traits);
  if (m > SPLIT_MAX_ROWS || k < 2 * SPLIT_MIN_K) return plain;
  const tn = Math.min(32, columnTile(n));
  const rows = m <= 1 ? 1 : m <= 2 ? 2 : m <= 4 ? 4 : 8;
  const direct: GemmTile[] = [
    { tileM: rows, tileN: tn, tileK: 0, threadM: rows, threadN: Math.min(8, tn) },
    { tileM: rows, tileN: tn, tileK: 0, threadM: rows, threadN: 4 },
  ];
  const staged: GemmTile[] = [
    { tileM: Math.max(8, rows), tileN: tn, tileK: 32, threadM: 4, threadN: 4 },
    { tileM: 16, tileN: Math.max(tn, Math.min(64, columnTile(n))), tileK: 16, threadM: 4, threadN: 4 },
  ];
  const small = traits.cpuEmulated ? [...direct, ...staged] : [...staged, ...direct];
  const withSplit = (t: GemmTile): SplitTile[] => {
    const splitK = igemmSplitK(m, n, k, t, traits);
    return splitK > 1 ? [{ ...t, splitK }, t] : [t];
  };
  const led = [...small.slice(0, 2).flatMap(withSplit), ...plain.slice(0, 1).flatMap(withSplit)];
  return validTiles<SplitTile>([...led, ...small.slice(2), ...plain], traits, 8);
}

/**
 * The taps of one axis that read the input for at least one output position: [first, count). Taps that only
 * ever land in the padding (late, tiny stages: a 3-tap kernel over a 1- or 2-wide input) are left out of the
 * reduction instead of being multiplied by zeros. No tap reaching the input at all: every tap is kept.
 */
export function liveTaps(
  inLen: number,
  outLen: number,
  k: number,
  s: number,
  pad0: number,
  dil: number,
): Vec2 {
  let lo = -1;
  let hi = -1;
  for (let t = 0; t < k; t++) {
    // Input positions o·s + first for o ∈ [0, outLen): does one fall in [0, inLen)?
    const first = t * dil - pad0;
    const o0 = Math.max(0, Math.ceil(-first / s));
    const reaches = o0 < outLen && o0 * s + first < inLen;
    if (reaches) {
      if (lo < 0) lo = t;
      hi = t;
    }
  }
  return lo < 0 ? [0, k] : [lo, hi - lo + 1];
}
type Vec2 = readonly [number, number];

/** Live taps per axis (D, H, W) of the forward convolution. */
function forwardTaps(g: Conv3DGeometry): readonly [Vec2, Vec2, Vec2] {
  return [
    liveTaps(g.inD, g.outD, g.kD, g.strideD, g.padD[0], g.dilD),
    liveTaps(g.inH, g.outH, g.kH, g.strideH, g.padH[0], g.dilH),
    liveTaps(g.inW, g.outW, g.kW, g.strideW, g.padW[0], g.dilW),
  ];
}

/** Reduction length of the forward GEMM: live taps × Cin. */
export const conv3dReduction = (g: Conv3DGeometry): number =>
  forwardTaps(g).reduce((a, [, n]) => a * n, 1) * g.inC;

export function conv3dCandidates(
  g: Conv3DGeometry,
  traits: GemmDeviceTraits = DEFAULT_GEMM_TRAITS,
): SplitTile[] {
  return igemmCandidates(conv3dRows(g), g.outC, conv3dReduction(g), traits);
}

/** Autotuning key: bucketed GEMM sizes, vector widths and the path taken. */
export function conv3dShapeClass(g: Conv3DGeometry): string {
  const k = conv3dReduction(g);
  const vec = `a${g.inC % 4 === 0 ? 4 : 1}b${g.outC % 4 === 0 ? 4 : 1}`;
  return `fwd_M${bucket(conv3dRows(g))}_N${bucket(g.outC)}_K${bucket(k)}_${vec}_${isPointwise(g) ? 'pw' : 'conv'}`;
}

/** The forward GEMM of batch items [start, start + count), reading x and writing y at element offsets. */
function forwardPlan(g: Conv3DGeometry, count: number, aOffset: number, oOffset: number): IgemmPlan {
  const out = [g.outD, g.outH, g.outW] as const;
  const [d, h, w] = forwardTaps(g);
  return {
    rows: out,
    m: count * g.outD * g.outH * g.outW,
    aDims: [g.inD, g.inH, g.inW, g.inC],
    aScale: [g.strideD, g.strideH, g.strideW],
    aBase: [d[0] * g.dilD - g.padD[0], h[0] * g.dilH - g.padH[0], w[0] * g.dilW - g.padW[0]],
    aTapStep: [g.dilD, g.dilH, g.dilW],
    taps: [d[1], h[1], w[1]],
    wTap0: [d[0], h[0], w[0]],
    wTapStep: [1, 1, 1],
    wDims: [g.kD, g.kH, g.kW],
    n: g.outC,
    oDims: out,
    oScale: [1, 1, 1],
    oOff: [0, 0, 0],
    aOffset,
    oOffset,
  };
}

/** Encodes y = relu?(conv3d(x, w) + bias?) into `encoder`; returns y (allocated unless `opts.out`). */
export function encodeConv3d(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  x: GPUBuffer,
  w: GPUBuffer,
  g: Conv3DGeometry,
  opts: Conv3dEncodeOptions = {},
): GPUBuffer {
  assertDense(g, 'conv3d');
  const traits = gemmTraits(device);
  const tile = opts.tile ?? conv3dCandidates(g, traits)[0];
  if (!tile) throw new RangeError('conv3d: no tile fits this device');
  assertTile(tile, traits, 'conv3d');
  const xItem = g.inD * g.inH * g.inW * g.inC * 4;
  const yItem = g.outD * g.outH * g.outW * g.outC * 4;
  const wBytes = volume(g) * g.inC * g.outC * 4;
  const y =
    opts.out ??
    createStorage(device, `conv3d:y[${g.batch},${g.outD},${g.outH},${g.outW},${g.outC}]`, g.batch * yItem);
  if (y.size < g.batch * yItem)
    throw new RangeError(`conv3d: out holds ${y.size} bytes, needs ${g.batch * yItem}`);
  const maxBinding = Math.min(opts.maxBindingBytes ?? Infinity, device.limits.maxStorageBufferBindingSize);
  if (wBytes > maxBinding)
    throw new RangeError(`conv3d: the filter (${wBytes} bytes) exceeds one storage binding`);
  const align = device.limits.minStorageBufferOffsetAlignment;
  const variant: IgemmVariant = {
    tile,
    pointwise: isPointwise(g),
    outContiguous: true,
    bContiguous: conv3dReduction(g) === volume(g) * g.inC, // trimmed taps: B rows via weightTap

    bTransposed: false,
    bias: opts.bias !== undefined,
    relu: opts.relu ?? false,
    splitK: tileSplitK(tile),
  };
  const pass = encoder.beginComputePass({ label: 'conv3d' });
  for (const chunk of batchChunks(g.batch, [xItem, yItem], maxBinding, align)) {
    const xw = chunkWindow(chunk.start * xItem, chunk.count * xItem, align);
    const yw = chunkWindow(chunk.start * yItem, chunk.count * yItem, align);
    const plan = forwardPlan(g, chunk.count, xw.elementOffset, yw.elementOffset);
    const bindings = {
      a: windowBinding(x, xw),
      b: { buffer: w, offset: 0, size: wBytes },
      c: windowBinding(y, yw),
      ...(opts.bias ? { bias: { buffer: opts.bias, offset: 0, size: g.outC * 4 } } : {}),
    };
    encodeIgemm(device, encoder, pass, variant, plan, bindings, `conv3d[${chunk.start}+${chunk.count}]`);
  }
  pass.end();
  return y;
}
