// Conv3D input gradient (Conv3DBackpropInputV2) on WebGPU: the filter is transposed to wT[taps, Cout, Cin], then
// each stride phase of the input (positions with equal coordinate mod stride) is one implicit GEMM over only the
// taps that reach it: rows N·D·H·W/phase, inner taps·Cout, columns Cin. Command recording; any GPUDevice thread.
// dy: f32[N,D',H',W',Cout], w: f32[kD,kH,kW,Cin,Cout] → dx: f32[N,D,H,W,Cin].
import transposeSource from './conv3dDgrad.wgsl?raw';
import { createStorage, storageUsage } from '../../buffers.ts';
import { getPipeline } from '../../pipelines.ts';
import { createTransient, uniformTransient } from '../../transient.ts';
import {
  assertTile,
  bucket,
  gemmTraits,
  tileSplitK,
  DEFAULT_GEMM_TRAITS,
  type GemmDeviceTraits,
  type GemmTile,
  type SplitTile,
} from '../gemmTile.ts';
import { batchChunks, chunkWindow, windowBinding } from '../conv3d/chunking.ts';
import { assertDense, igemmCandidates, isPointwise } from '../conv3d/conv3d.ts';
import type { Conv3DGeometry } from '../conv3d/geometry.ts';
import { encodeIgemm, type IgemmPlan, type Vec3 } from '../conv3d/igemm.ts';

export interface Conv3dDgradOptions {
  readonly tile?: GemmTile;
  /** Output buffer (at least N·D·H·W·Cin f32); allocated when absent. */
  readonly out?: GPUBuffer;
  /** Pretend storage bindings hold at most this many bytes (tests of batch chunking). */
  readonly maxBindingBytes?: number;
}

/** The taps of one filter axis that reach input coordinates ≡ r (mod stride), as an arithmetic progression. */
export interface AxisPhase {
  readonly rows: number; // input coordinates r, r + s, r + 2s, … below the input size
  readonly count: number; // taps reaching them
  readonly tap0: number;
  readonly tapStep: number;
  readonly off0: number; // dy coordinate = row index + off0 + tap index · offStep
  readonly offStep: number;
}

const mod = (a: number, m: number): number => ((a % m) + m) % m;

/** Phase `r` of one axis: input size `size`, filter `k`, stride `s`, front padding `pad`, dilation `dil`. */
export function axisPhase(
  r: number,
  size: number,
  k: number,
  s: number,
  pad: number,
  dil: number,
): AxisPhase {
  const rows = r < size ? Math.ceil((size - r) / s) : 0;
  const taps: number[] = [];
  for (let t = 0; t < k; t++) if (mod(r + pad - t * dil, s) === 0) taps.push(t);
  const tap0 = taps[0] ?? 0;
  const tapStep = taps.length > 1 ? (taps[1] ?? 0) - tap0 : 1;
  return {
    rows,
    count: taps.length,
    tap0,
    tapStep,
    off0: (r + pad - tap0 * dil) / s,
    offStep: -(tapStep * dil) / s,
  };
}

/** The implicit GEMM of phase (rd, rh, rw) for `count` batch items. */
export function phasePlan(
  g: Conv3DGeometry,
  r: Vec3,
  count: number,
  aOffset: number,
  oOffset: number,
): IgemmPlan {
  const d = axisPhase(r[0], g.inD, g.kD, g.strideD, g.padD[0], g.dilD);
  const h = axisPhase(r[1], g.inH, g.kH, g.strideH, g.padH[0], g.dilH);
  const w = axisPhase(r[2], g.inW, g.kW, g.strideW, g.padW[0], g.dilW);
  return {
    rows: [d.rows, h.rows, w.rows],
    m: count * d.rows * h.rows * w.rows,
    aDims: [g.outD, g.outH, g.outW, g.outC],
    aScale: [1, 1, 1],
    aBase: [d.off0, h.off0, w.off0],
    aTapStep: [d.offStep, h.offStep, w.offStep],
    taps: [d.count, h.count, w.count],
    wTap0: [d.tap0, h.tap0, w.tap0],
    wTapStep: [d.tapStep, h.tapStep, w.tapStep],
    wDims: [g.kD, g.kH, g.kW],
    n: g.inC,
    oDims: [g.inD, g.inH, g.inW],
    oScale: [g.strideD, g.strideH, g.strideW],
    oOff: r,
    aOffset,
    oOffset,
  };
}

export function conv3dBackpropInputCandidates(
  g: Conv3DGeometry,
  traits: GemmDeviceTraits = DEFAULT_GEMM_TRAITS,
): SplitTile[] {
  const phases = g.strideD * g.strideH * g.strideW;
  const rowsPerPhase = (g.batch * g.inD * g.inH * g.inW) / phases;
  const kPerPhase = (g.kD * g.kH * g.kW * g.outC) / phases;
  return igemmCandidates(Math.ceil(rowsPerPhase), g.inC, Math.floor(kPerPhase), traits);
}

export function conv3dBackpropInputShapeClass(g: Conv3DGeometry): string {
  const m = g.batch * g.inD * g.inH * g.inW;
  const k = g.kD * g.kH * g.kW * g.outC;
  const vec = `a${g.outC % 4 === 0 ? 4 : 1}b${g.inC % 4 === 0 ? 4 : 1}`;
  const phases = g.strideD * g.strideH * g.strideW;
  return `dgrad_M${bucket(m)}_N${bucket(g.inC)}_K${bucket(k)}_${vec}_p${phases}${isPointwise(g) ? '_pw' : ''}`;
}

function encodeTranspose(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  w: GPUBuffer,
  g: Conv3DGeometry,
): GPUBuffer {
  const taps = g.kD * g.kH * g.kW;
  const bytes = taps * g.inC * g.outC * 4;
  const wT = createTransient(device, encoder, 'conv3d_dgrad:wT', bytes, storageUsage());
  const blocks = g.inC % 4 === 0 && g.outC % 4 === 0;
  const invocations = blocks ? (taps * g.inC * g.outC) / 16 : taps * g.inC * g.outC;
  const groups = Math.ceil(invocations / 64);
  const gx = Math.min(groups, device.limits.maxComputeWorkgroupsPerDimension);
  const gy = Math.ceil(groups / gx);
  const dims = new Uint32Array([taps, g.inC, g.outC, gx * 64]);
  const uniforms = uniformTransient(device, encoder, 'conv3d_dgrad:wT-dims', dims);
  const entryPoint = blocks ? 'blocks' : 'scalar';
  const pipeline = getPipeline(device, {
    key: `conv3d_dgrad_transpose_${entryPoint}`,
    code: transposeSource,
    entryPoint,
  });
  const pass = encoder.beginComputePass({ label: 'conv3d_dgrad:transpose' });
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      label: 'conv3d_dgrad:transpose',
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: uniforms } },
        { binding: blocks ? 3 : 1, resource: { buffer: w, offset: 0, size: bytes } },
        { binding: blocks ? 4 : 2, resource: { buffer: wT, offset: 0, size: bytes } },
      ],
    }),
  );
  pass.dispatchWorkgroups(gx, gy);
  pass.end();
  return wT;
}

/** Encodes dx = ∂L/∂x of conv3d given dy = ∂L/∂y; returns dx (allocated unless `opts.out`). */
export function encodeConv3dBackpropInput(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  dy: GPUBuffer,
  w: GPUBuffer,
  g: Conv3DGeometry,
  opts: Conv3dDgradOptions = {},
): GPUBuffer {
  assertDense(g, 'conv3d_dgrad');
  const traits = gemmTraits(device);
  const tile = opts.tile ?? conv3dBackpropInputCandidates(g, traits)[0];
  if (!tile) throw new RangeError('conv3d_dgrad: no tile fits this device');
  assertTile(tile, traits, 'conv3d_dgrad');
  const dyItem = g.outD * g.outH * g.outW * g.outC * 4;
  const dxItem = g.inD * g.inH * g.inW * g.inC * 4;
  const wBytes = g.kD * g.kH * g.kW * g.inC * g.outC * 4;
  const dx =
    opts.out ??
    createStorage(
      device,
      `conv3d_dgrad:dx[${g.batch},${g.inD},${g.inH},${g.inW},${g.inC}]`,
      g.batch * dxItem,
    );
  if (dx.size < g.batch * dxItem)
    throw new RangeError(`conv3d_dgrad: out holds ${dx.size} bytes, needs ${g.batch * dxItem}`);
  const maxBinding = Math.min(opts.maxBindingBytes ?? Infinity, device.limits.maxStorageBufferBindingSize);
  if (wBytes > maxBinding)
    throw new RangeError(`conv3d_dgrad: the filter (${wBytes} bytes) exceeds one storage binding`);
  const align = device.limits.minStorageBufferOffsetAlignment;
  // Unstaged tiles read the raw filter as B[tap, Cin, Cout] and regroup columns in registers (a transpose pass
  // costs more than the GEMM on CPU adapters); staged tiles get a transposed copy so B loads stay coalesced.
  const bTransposed = tile.tileK === 0;
  const b = bTransposed ? w : encodeTranspose(device, encoder, w, g);
  const unitStride = g.strideD * g.strideH * g.strideW === 1;
  const pass = encoder.beginComputePass({ label: 'conv3d_dgrad' });
  for (const chunk of batchChunks(g.batch, [dyItem, dxItem], maxBinding, align)) {
    const dyw = chunkWindow(chunk.start * dyItem, chunk.count * dyItem, align);
    const dxw = chunkWindow(chunk.start * dxItem, chunk.count * dxItem, align);
    const bindings = {
      a: windowBinding(dy, dyw),
      b: { buffer: b, offset: 0, size: wBytes },
      c: windowBinding(dx, dxw),
    };
    for (let rd = 0; rd < g.strideD; rd++) {
      for (let rh = 0; rh < g.strideH; rh++) {
        for (let rw = 0; rw < g.strideW; rw++) {
          const plan = phasePlan(g, [rd, rh, rw], chunk.count, dyw.elementOffset, dxw.elementOffset);
          if (plan.m === 0) continue;
          const full = plan.taps[0] === g.kD && plan.taps[1] === g.kH && plan.taps[2] === g.kW;
          const variant = {
            tile,
            pointwise: isPointwise(g),
            outContiguous: unitStride,
            bContiguous: full && plan.wTap0.every((t) => t === 0) && plan.wTapStep.every((t) => t === 1),
            bTransposed,
            bias: false,
            relu: false,
            splitK: tileSplitK(tile),
          };
          encodeIgemm(
            device,
            encoder,
            pass,
            variant,
            plan,
            bindings,
            `conv3d_dgrad[${chunk.start}+${chunk.count}]`,
          );
        }
      }
    }
  }
  pass.end();
  return dx;
}
