// Shared dispatch plumbing of the grouped/depthwise Conv3D kernels (forward, dgrad, wgrad): tile configs and their
// validity under device limits, the uniform block (WGSL struct generated from one field list), workgroup folding
// and one-pass encoding. Pure except `encodeKernelPass`/`outputBuffer`; any thread with a GPUDevice.
import type { Conv3DGeometry } from '../conv3d/geometry.ts';
import { getPipeline } from '../../pipelines.ts';
import { createStorage, uploadUniformU32 } from '../../buffers.ts';

/** Per-group implicit GEMM: TM×TN output tile per workgroup, TK-deep reduction steps, RM×RN outputs per thread. */
export interface GemmTile {
  readonly kind: 'gemm';
  readonly tm: number;
  readonly tn: number;
  readonly tk: number;
  readonly rm: number;
  readonly rn: number;
}

/** Direct kernel: CT channel lanes (of VEC channels each) × PT position lanes, RP output positions along W per thread. */
export interface DirectTile {
  readonly kind: 'direct';
  readonly vec: 1 | 4;
  readonly ct: number;
  readonly pt: number;
  readonly rp: number;
}

export type GroupedConvTile = GemmTile | DirectTile;

/** The device limits the kernels depend on (a subset of GPUSupportedLimits). */
export interface KernelLimits {
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxStorageBufferBindingSize: number;
}

/** WebGPU's default limits: candidates valid under these run on every device. */
export const DEFAULT_LIMITS: KernelLimits = {
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeWorkgroupsPerDimension: 65535,
  maxStorageBufferBindingSize: 134217728,
};

export const tileThreads = (t: GroupedConvTile): number =>
  t.kind === 'gemm' ? (t.tm / t.rm) * (t.tn / t.rn) : t.ct * t.pt;

export function tileKey(t: GroupedConvTile): string {
  return t.kind === 'gemm'
    ? `gemm${t.tm}x${t.tn}x${t.tk}r${t.rm}x${t.rn}`
    : `direct_v${t.vec}c${t.ct}p${t.pt}r${t.rp}`;
}

/** Depthwise with channel multiplier 1 and channels divisible by 4: the only case the vec4 direct path handles. */
export const vec4Eligible = (g: Conv3DGeometry): boolean =>
  g.inC === g.groups && g.outC === g.groups && g.inC % 4 === 0;

const isPow2 = (v: number): boolean => Number.isInteger(v) && v > 0 && (v & (v - 1)) === 0;

/**
 * Why a tile cannot run (null when it can). `loadDims` are the extents whose loads map a fixed lane per thread:
 * every GEMM kernel needs NT divisible by them and both staged tiles to split evenly over the NT threads.
 */
export function tileProblem(
  t: GroupedConvTile,
  g: Conv3DGeometry,
  limits: KernelLimits,
  loadDims: (t: GemmTile) => readonly number[],
  sharedBytes: (t: GroupedConvTile) => number,
): string | null {
  const threads = tileThreads(t);
  if (threads > limits.maxComputeInvocationsPerWorkgroup || threads > limits.maxComputeWorkgroupSizeX)
    return `${threads} threads exceed the device's workgroup size`;
  if (sharedBytes(t) > limits.maxComputeWorkgroupStorageSize)
    return `${sharedBytes(t)} bytes of workgroup memory exceed the device's limit`;
  if (t.kind === 'gemm') {
    for (const v of [t.tm, t.tn, t.tk, t.rm, t.rn])
      if (!isPow2(v)) return 'GEMM tile sizes must be powers of 2';
    if (t.tm % t.rm !== 0 || t.tn % t.rn !== 0) return 'RM must divide TM and RN divide TN';
    for (const d of loadDims(t))
      if (threads % d !== 0) return `threads (${threads}) must be a multiple of ${d}`;
    if ((t.tm * t.tk) % threads !== 0 || (t.tn * t.tk) % threads !== 0)
      return 'the staged tiles must split evenly over the threads';
    return null;
  }
  if (![t.ct, t.pt, t.rp].every((v) => Number.isInteger(v) && v >= 1)) return 'direct tile sizes must be ≥ 1';
  if (t.rp > 8) return 'RP above 8 spills registers';
  if (t.vec === 4 && !vec4Eligible(g))
    return 'vec4 needs depthwise, multiplier 1 and channels divisible by 4';
  return null;
}

/** Fields of the uniform block every grouped-conv kernel starts with, in order (all u32). */
const COMMON_FIELDS = [
  'batch',
  'inD',
  'inH',
  'inW',
  'inC',
  'outC',
  'groups',
  'cinG',
  'coutG',
  'outD',
  'outH',
  'outW',
  'kD',
  'kH',
  'kW',
  'sD',
  'sH',
  'sW',
  'dD',
  'dH',
  'dW',
  'padD',
  'padH',
  'padW',
] as const;

/** WGSL for the compile-time constants and `struct Params` (common fields then `extras`, in that order). */
export function wgslHeader(consts: Readonly<Record<string, number>>, extras: readonly string[]): string {
  const constLines = Object.entries(consts).map(([name, v]) => `const ${name} = ${v};`);
  const fields = [...COMMON_FIELDS, ...extras].map((f) => `  ${f}: u32,`);
  return `${constLines.join('\n')}\nstruct Params {\n${fields.join('\n')}\n}\n`;
}

export function paramWords(
  g: Conv3DGeometry,
  extras: readonly string[],
  values: Readonly<Record<string, number>>,
): number[] {
  const common = [
    g.batch,
    g.inD,
    g.inH,
    g.inW,
    g.inC,
    g.outC,
    g.groups,
    g.inC / g.groups,
    g.outC / g.groups,
    g.outD,
    g.outH,
    g.outW,
    g.kD,
    g.kH,
    g.kW,
    g.strideD,
    g.strideH,
    g.strideW,
    g.dilD,
    g.dilH,
    g.dilW,
    g.padD[0],
    g.padH[0],
    g.padW[0],
  ];
  return [
    ...common,
    ...extras.map((name) => {
      const v = values[name];
      if (v === undefined || !Number.isInteger(v) || v < 0 || v > 0xffffffff)
        throw new RangeError(`grouped conv3d: uniform field ${name} = ${String(v)} is not a u32`);
      return v;
    }),
  ];
}

/** Folds a linear workgroup count into [x, y] under the per-dimension limit (shaders decode x + y·numX). */
export function foldWorkgroups(total: number, limits: KernelLimits): [number, number, number] {
  const maxDim = limits.maxComputeWorkgroupsPerDimension;
  if (total <= maxDim) return [Math.max(1, total), 1, 1];
  const y = Math.ceil(total / maxDim);
  if (y > maxDim)
    throw new RangeError(`grouped conv3d: ${total} workgroups exceed what the device can dispatch`);
  return [Math.ceil(total / y), y, 1];
}

/** Element counts must fit one storage binding (and u32 indexing). */
export function checkBindingSize(what: string, elements: number, limits: KernelLimits): void {
  const bytes = elements * 4;
  if (bytes > limits.maxStorageBufferBindingSize || elements >= 2 ** 31)
    throw new RangeError(
      `grouped conv3d: ${what} needs ${bytes} bytes, above the device's storage binding limit ${limits.maxStorageBufferBindingSize}`,
    );
}

/** Options every grouped-conv encoder takes besides its config. */
export interface EncodeCommon {
  /** Write into this buffer (≥ the output's byte size) instead of allocating one. */
  readonly output?: GPUBuffer;
  /** Temporaries (uniform blocks, partial sums) are appended here; destroy them after submitting. */
  readonly temps?: GPUBuffer[];
}

export function outputBuffer(
  device: GPUDevice,
  label: string,
  elements: number,
  opts: EncodeCommon,
): GPUBuffer {
  if (opts.output) {
    if (opts.output.size < elements * 4)
      throw new RangeError(`${label}: output buffer holds ${opts.output.size} bytes, needs ${elements * 4}`);
    return opts.output;
  }
  return createStorage(device, label, elements * 4);
}

export interface KernelPass {
  readonly label: string;
  /** Pipeline key (unique per source + constants). */
  readonly key: string;
  readonly code: string;
  /** Storage buffers at bindings 0.. in order; the uniform block follows them. */
  readonly buffers: readonly GPUBuffer[];
  readonly params: readonly number[];
  readonly workgroups: number;
}

/** Encodes one compute pass: pipeline from the cache, uniform block (pushed to `temps`), folded dispatch. */
export function encodeKernelPass(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  pass: KernelPass,
  temps: GPUBuffer[] | undefined,
): void {
  if (pass.workgroups === 0) return; // an empty output (batch 0): nothing to compute
  const pipeline = getPipeline(device, { key: pass.key, code: pass.code });
  const uniforms = uploadUniformU32(device, `${pass.label}:params`, pass.params);
  temps?.push(uniforms);
  const bindGroup = device.createBindGroup({
    label: pass.label,
    layout: pipeline.getBindGroupLayout(0),
    entries: [...pass.buffers, uniforms].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const compute = encoder.beginComputePass({ label: pass.label });
  compute.setPipeline(pipeline);
  compute.setBindGroup(0, bindGroup);
  compute.dispatchWorkgroups(...foldWorkgroups(pass.workgroups, device.limits));
  compute.end();
}

export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** Shape-class string shared by the three kernels: regime, kernel, stride, dilation, channels per group, size. */
export function groupedShapeClass(kernel: string, g: Conv3DGeometry): string {
  const cinG = g.inC / g.groups;
  const coutG = g.outC / g.groups;
  const regime = cinG === 1 ? (coutG === 1 ? 'dw' : `dw×${coutG}`) : g.groups === 1 ? 'dense' : 'grouped';
  const bucket = (v: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, v)));
  const positions = g.batch * g.outD * g.outH * g.outW;
  return [
    kernel,
    regime,
    `k${g.kD}x${g.kH}x${g.kW}`,
    `s${g.strideD}x${g.strideH}x${g.strideW}`,
    `d${g.dilD}x${g.dilH}x${g.dilW}`,
    `cg${bucket(cinG)}x${bucket(coutG)}`,
    `c${bucket(g.outC)}`,
    `m${bucket(positions)}`,
  ].join('|');
}

/** Compile-time constants of the direct kernels: the filter geometry is baked in so loops unroll. */
export function directConsts(g: Conv3DGeometry, t: DirectTile): Record<string, number> {
  return {
    KD: g.kD,
    KH: g.kH,
    KW: g.kW,
    SD: g.strideD,
    SH: g.strideH,
    SW: g.strideW,
    DD: g.dilD,
    DH: g.dilH,
    DW: g.dilW,
    VEC: t.vec,
    CT: t.ct,
    PT: t.pt,
    RP: t.rp,
  };
}

export const gemmConsts = (t: GemmTile): Record<string, number> => ({
  TM: t.tm,
  TN: t.tn,
  TK: t.tk,
  RM: t.rm,
  RN: t.rn,
});

/** `alias VT` line for the direct kernels (f32 or vec4<f32> lanes). */
export const vtAlias = (t: DirectTile): string => `alias VT = ${t.vec === 4 ? 'vec4<f32>' : 'f32'};\n`;

/** Limits from a device (or the defaults). */
export const limitsOf = (device: GPUDevice | undefined): KernelLimits => device?.limits ?? DEFAULT_LIMITS;

/** GEMM tiles tried by every grouped-conv kernel (each kernel filters them with its own load constraints). */
export const GEMM_TILES: readonly GemmTile[] = [
  { kind: 'gemm', tm: 64, tn: 64, tk: 8, rm: 4, rn: 4 },
  { kind: 'gemm', tm: 64, tn: 32, tk: 8, rm: 4, rn: 2 },
  { kind: 'gemm', tm: 32, tn: 32, tk: 8, rm: 4, rn: 4 },
  { kind: 'gemm', tm: 64, tn: 16, tk: 16, rm: 4, rn: 2 },
  { kind: 'gemm', tm: 16, tn: 8, tk: 8, rm: 2, rn: 1 },
];

/** Direct tiles tried by every grouped-conv kernel (vec4 ones only where `vec4Eligible`). */
export const DIRECT_TILES: readonly DirectTile[] = [
  { kind: 'direct', vec: 4, ct: 8, pt: 8, rp: 4 },
  { kind: 'direct', vec: 4, ct: 16, pt: 4, rp: 2 },
  { kind: 'direct', vec: 1, ct: 16, pt: 4, rp: 4 },
  { kind: 'direct', vec: 1, ct: 32, pt: 2, rp: 2 },
  { kind: 'direct', vec: 1, ct: 4, pt: 16, rp: 4 },
];

/** The widest GEMM tile whose N extent `cols` fills; undefined when none is valid. */
export function pickGemm(cols: number, ok: (t: GemmTile) => boolean): GemmTile | undefined {
  const wanted = cols >= 64 ? 64 : cols >= 32 ? 32 : cols >= 16 ? 16 : 8;
  return GEMM_TILES.find((t) => t.tn <= wanted && ok(t));
}

/** A direct tile for `channels` output lanes: vec4 when allowed, channel lanes not much wider than needed. */
export function pickDirect(vec4: boolean, channels: number, ok: (t: DirectTile) => boolean): DirectTile {
  const vec = vec4 ? 4 : 1;
  const tile =
    DIRECT_TILES.find((t) => t.vec === vec && t.ct <= Math.max(4, channels / vec) && ok(t)) ??
    DIRECT_TILES.find((t) => t.vec === 1 && t.ct <= Math.max(4, channels) && ok(t)) ??
    DIRECT_TILES.find(ok);
  if (!tile) throw new RangeError('grouped conv3d: no direct tile fits this device');
  return tile;
}
