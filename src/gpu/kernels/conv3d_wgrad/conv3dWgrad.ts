// Conv3D filter gradient (Conv3DBackpropFilterV2) on WebGPU: the GEMM im2col(x)^T · dy parallelised over the
// filter (rows kD·kH·kW·Cin × columns Cout) and, by split-K, over the N·D'·H'·W' reduction; a second pass sums
// the slices. Batch chunks accumulate. Command recording; runs wherever the GPUDevice lives.
// x: f32[N,D,H,W,Cin], dy: f32[N,D',H',W',Cout] → dw: f32[kD,kH,kW,Cin,Cout].
import reduceSource from './conv3dWgradReduce.wgsl?raw';
import { createStorage, storageUsage } from '../../buffers.ts';
import { getPipeline } from '../../pipelines.ts';
import { createTransient, uniformTransient } from '../../transient.ts';
import {
  assertTile,
  bucket,
  gemmTraits,
  validTiles,
  DEFAULT_GEMM_TRAITS,
  type GemmDeviceTraits,
  type GemmTile,
} from '../gemmTile.ts';
import { batchChunks, chunkWindow, windowBinding, type BatchChunk } from '../conv3d/chunking.ts';
import { assertDense, gemmCandidates } from '../conv3d/conv3d.ts';
import type { Conv3DGeometry } from '../conv3d/geometry.ts';
import { wgradShader } from './wgradCodegen.ts';

/** A filter-gradient tile with its split-K factor (slices of the reduction, each its own workgroup layer). */
export interface WgradTile extends GemmTile {
  readonly splitK: number;
}

export interface Conv3dWgradOptions {
  readonly tile?: GemmTile;
  /** Slices of the N·D'·H'·W' reduction; defaults to the tile's `splitK` or a heuristic. */
  readonly splitK?: number;
  /** Output buffer (at least kD·kH·kW·Cin·Cout f32); allocated when absent. */
  readonly out?: GPUBuffer;
  /** Pretend storage bindings hold at most this many bytes (tests of batch chunking). */
  readonly maxBindingBytes?: number;
}

const filterRows = (g: Conv3DGeometry): number => g.kD * g.kH * g.kW * g.inC;
const positions = (g: Conv3DGeometry): number => g.outD * g.outH * g.outW;
/** Partials are capped at this many bytes (and one binding). */
const MAX_PARTIAL_BYTES = 64 * 1024 * 1024;

/**
 * Split-K slices for a tile: enough workgroups to fill the device (a few per core on CPU adapters, ~512 on
 * GPUs), while each slice keeps at least 64 positions and the partials stay under 64 MiB.
 */
export function wgradSplitK(
  g: Conv3DGeometry,
  t: GemmTile,
  traits: GemmDeviceTraits = DEFAULT_GEMM_TRAITS,
): number {
  const base = Math.ceil(filterRows(g) / t.tileM) * Math.ceil(g.outC / t.tileN);
  const target = traits.cpuEmulated ? 8 : 512;
  const bySize = Math.floor((g.batch * positions(g)) / 64);
  const byMemory = Math.floor(MAX_PARTIAL_BYTES / (filterRows(g) * g.outC * 4));
  return Math.max(1, Math.min(Math.ceil(target / base), bySize, byMemory, 64));
}

export function conv3dBackpropFilterCandidates(
  g: Conv3DGeometry,
  traits: GemmDeviceTraits = DEFAULT_GEMM_TRAITS,
): WgradTile[] {
  const tiles = gemmCandidates(filterRows(g), g.outC, traits);
  const withSplit = tiles.map((t) => ({ ...t, splitK: wgradSplitK(g, t, traits) }));
  const first = withSplit[0];
  const alternatives = first
    ? [{ ...first, splitK: first.splitK > 1 ? 1 : Math.min(4, wgradSplitK(g, first)) }]
    : [];
  return validTiles([...withSplit.slice(0, 1), ...alternatives, ...withSplit.slice(1)], traits);
}

export function conv3dBackpropFilterShapeClass(g: Conv3DGeometry): string {
  const vec = `a${g.inC % 4 === 0 ? 4 : 1}b${g.outC % 4 === 0 ? 4 : 1}`;
  return `wgrad_R${bucket(filterRows(g))}_N${bucket(g.outC)}_M${bucket(g.batch * positions(g))}_${vec}`;
}

interface Pass {
  readonly device: GPUDevice;
  readonly encoder: GPUCommandEncoder;
  readonly g: Conv3DGeometry;
  readonly tile: GemmTile;
  readonly slices: number;
  readonly align: number;
}

/** Records the GEMM of one batch chunk; returns the slices written (fewer than asked for short chunks). */
function encodeGemm(
  p: Pass,
  chunk: BatchChunk,
  x: GPUBuffer,
  dy: GPUBuffer,
  out: GPUBufferBinding,
  add: boolean,
): number {
  const { device, encoder, g, tile } = p;
  const xItem = g.inD * g.inH * g.inW * g.inC * 4;
  const dyItem = positions(g) * g.outC * 4;
  const xw = chunkWindow(chunk.start * xItem, chunk.count * xItem, p.align);
  const dyw = chunkWindow(chunk.start * dyItem, chunk.count * dyItem, p.align);
  const m = chunk.count * positions(g);
  const sliceLen = Math.ceil(m / p.slices / 4) * 4;
  const slices = Math.ceil(m / sliceLen);
  const shader = wgradShader(tile, g.inC, g.outC);
  const pipeline = getPipeline(device, shader);
  const words = new Int32Array([
    g.inD, g.inH, g.inW, g.inC,
    g.outD, g.outH, g.outW, g.outC,
    g.strideD, g.strideH, g.strideW, 0,
    g.padD[0], g.padH[0], g.padW[0], 0,
    g.dilD, g.dilH, g.dilW, 0,
    g.kD, g.kH, g.kW, filterRows(g),
    m, sliceLen, slices, add ? 1 : 0,
    xw.elementOffset, dyw.elementOffset, 0, 0,
  ]); // prettier-ignore
  const label = `conv3d_wgrad[${chunk.start}+${chunk.count}]`;
  const uniforms = uniformTransient(device, encoder, `${label}:params`, words);
  const pass = encoder.beginComputePass({ label });
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      label,
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: uniforms } },
        { binding: 1, resource: windowBinding(x, xw) },
        { binding: 2, resource: windowBinding(dy, dyw) },
        { binding: 3, resource: out },
      ],
    }),
  );
  pass.dispatchWorkgroups(Math.ceil(g.outC / tile.tileN), Math.ceil(filterRows(g) / tile.tileM), slices);
  pass.end();
  return slices;
}

function encodeReduce(
  p: Pass,
  partials: GPUBuffer,
  slices: number,
  out: GPUBuffer,
  size: number,
  add: boolean,
): void {
  const { device, encoder } = p;
  const groups = Math.ceil(size / 256);
  const gx = Math.min(groups, device.limits.maxComputeWorkgroupsPerDimension);
  const gy = Math.ceil(groups / gx);
  const dims = new Uint32Array([size, slices, add ? 1 : 0, gx * 256]);
  const uniforms = uniformTransient(device, encoder, 'conv3d_wgrad:reduce-dims', dims);
  const pipeline = getPipeline(device, { key: 'conv3d_wgrad_reduce', code: reduceSource });
  const pass = encoder.beginComputePass({ label: 'conv3d_wgrad:reduce' });
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      label: 'conv3d_wgrad:reduce',
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: uniforms } },
        { binding: 1, resource: { buffer: partials, offset: 0, size: slices * size * 4 } },
        { binding: 2, resource: { buffer: out, offset: 0, size: size * 4 } },
      ],
    }),
  );
  pass.dispatchWorkgroups(gx, gy);
  pass.end();
}

/** Encodes dw = ∂L/∂w of conv3d given x and dy; returns dw (allocated unless `opts.out`). */
export function encodeConv3dBackpropFilter(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  x: GPUBuffer,
  dy: GPUBuffer,
  g: Conv3DGeometry,
  opts: Conv3dWgradOptions = {},
): GPUBuffer {
  assertDense(g, 'conv3d_wgrad');
  const traits = gemmTraits(device);
  const first = conv3dBackpropFilterCandidates(g, traits)[0];
  const tile = opts.tile ?? first;
  if (!tile) throw new RangeError('conv3d_wgrad: no tile fits this device');
  assertTile(tile, traits, 'conv3d_wgrad');
  const size = filterRows(g) * g.outC;
  const dw =
    opts.out ??
    createStorage(device, `conv3d_wgrad:dw[${g.kD},${g.kH},${g.kW},${g.inC},${g.outC}]`, size * 4);
  if (dw.size < size * 4) throw new RangeError(`conv3d_wgrad: out holds ${dw.size} bytes, needs ${size * 4}`);
  const maxBinding = Math.min(opts.maxBindingBytes ?? Infinity, device.limits.maxStorageBufferBindingSize);
  const fromTile = 'splitK' in tile && typeof tile.splitK === 'number' ? tile.splitK : undefined;
  let slices = Math.max(1, Math.floor(opts.splitK ?? fromTile ?? wgradSplitK(g, tile, traits)));
  slices = Math.min(slices, Math.max(1, Math.floor(maxBinding / (size * 4))));
  if (size * 4 > maxBinding)
    throw new RangeError(`conv3d_wgrad: the filter (${size * 4} bytes) exceeds one binding`);
  const align = device.limits.minStorageBufferOffsetAlignment;
  const xItem = g.inD * g.inH * g.inW * g.inC * 4;
  const chunks = batchChunks(g.batch, [xItem, positions(g) * g.outC * 4], maxBinding, align);
  const p: Pass = { device, encoder, g, tile, slices, align };
  const partials =
    slices > 1
      ? createTransient(device, encoder, 'conv3d_wgrad:partials', slices * size * 4, storageUsage())
      : null;
  chunks.forEach((chunk, i) => {
    if (partials) {
      const used = encodeGemm(
        p,
        chunk,
        x,
        dy,
        { buffer: partials, offset: 0, size: slices * size * 4 },
        false,
      );
      encodeReduce(p, partials, used, dw, size, i > 0);
    } else {
      encodeGemm(p, chunk, x, dy, { buffer: dw, offset: 0, size: size * 4 }, i > 0);
    }
  });
  return dw;
}
