// Dispatch for the grouped/depthwise Conv3D filter gradient: the reduction N·D'·H'·W' is split into slices that
// write partial sums, then a second pass adds them (no float atomics). Tile candidates, default choice, encoding.
// x: f32[N,D,H,W,C], dy: f32[N,D',H',W',Cout] → dw: f32[kD,kH,kW,C/groups,Cout]. Any thread with a GPUDevice.
import gemmSource from './conv3d_grouped_wgrad_gemm.wgsl?raw';
import directSource from './conv3d_grouped_wgrad_direct.wgsl?raw';
import reduceSource from './conv3d_grouped_wgrad_reduce.wgsl?raw';
import type { Conv3DGeometry } from '../conv3d/geometry.ts';
import { createStorage } from '../../buffers.ts';
import {
  DEFAULT_LIMITS,
  DIRECT_TILES,
  GEMM_TILES,
  ceilDiv,
  checkBindingSize,
  directConsts,
  encodeKernelPass,
  gemmConsts,
  groupedShapeClass,
  outputBuffer,
  paramWords,
  pickDirect,
  pickGemm,
  tileKey,
  tileProblem,
  vec4Eligible,
  vtAlias,
  wgslHeader,
  type EncodeCommon,
  type GemmTile,
  type GroupedConvTile,
  type KernelLimits,
} from '../conv3d_grouped/common.ts';

const GEMM_EXTRAS = ['tilesN', 'tilesM', 'slices', 'tilesPerSlice', 'wTotal'] as const;
const DIRECT_EXTRAS = ['chanTiles', 'segW', 'segments', 'slices', 'segPerSlice', 'wTotal'] as const;
const REDUCE_EXTRAS = ['total', 'slices'] as const;

/** Workgroups the first pass aims for before splitting the reduction further stops paying. */
const TARGET_WORKGROUPS = 1024;
/** Reduction steps (GEMM K-tiles, or direct segments per position lane) each slice keeps at least. */
const MIN_STEPS_PER_SLICE = 8;
/** Upper bound on the partial-sum buffer. */
const MAX_PARTIAL_BYTES = 64 * 1024 * 1024;

const sharedBytes =
  (g: Conv3DGeometry) =>
  (t: GroupedConvTile): number =>
    t.kind === 'gemm' ? (t.tm + t.tn) * t.tk * 4 : t.ct * t.pt * g.kW * t.vec * 4;
const loadDims = (t: GemmTile): number[] => [t.tm, t.tn];

export const filterSize = (g: Conv3DGeometry): number => g.kD * g.kH * g.kW * (g.inC / g.groups) * g.outC;

export function groupedConv3dBackpropFilterTileProblem(
  g: Conv3DGeometry,
  tile: GroupedConvTile,
  limits: KernelLimits = DEFAULT_LIMITS,
): string | null {
  return tileProblem(tile, g, limits, loadDims, sharedBytes(g));
}

/** GEMM when a group has enough output channels (columns) and filter rows; direct otherwise. */
export function defaultGroupedConv3dBackpropFilterTile(
  g: Conv3DGeometry,
  limits: KernelLimits = DEFAULT_LIMITS,
): GroupedConvTile {
  const ok = (t: GroupedConvTile): boolean => groupedConv3dBackpropFilterTileProblem(g, t, limits) === null;
  const coutG = g.outC / g.groups;
  if (coutG >= 8 && (g.inC / g.groups) * g.kD * g.kH * g.kW >= 16) {
    const tile = pickGemm(coutG, ok);
    if (tile) return tile;
  }
  return pickDirect(vec4Eligible(g), g.outC, ok);
}

export function groupedConv3dBackpropFilterCandidates(
  g: Conv3DGeometry,
  limits: KernelLimits = DEFAULT_LIMITS,
): GroupedConvTile[] {
  const all = [defaultGroupedConv3dBackpropFilterTile(g, limits), ...GEMM_TILES, ...DIRECT_TILES];
  const seen = new Set<string>();
  return all.filter((t) => {
    const key = tileKey(t);
    if (seen.has(key) || groupedConv3dBackpropFilterTileProblem(g, t, limits) !== null) return false;
    seen.add(key);
    return true;
  });
}

export const groupedConv3dBackpropFilterShapeClass = (g: Conv3DGeometry): string =>
  groupedShapeClass('wgrad', g);

export interface GroupedConv3dBackpropFilterOptions extends EncodeCommon {
  readonly tile?: GroupedConvTile;
  /** Number of reduction slices (clamped to the reduction length); chosen from the shape when absent. */
  readonly slices?: number;
}

/** Splits `steps` reduction steps into slices: ≈TARGET workgroups overall, ≥ minimum work per slice. */
export function chooseSlices(
  baseWorkgroups: number,
  steps: number,
  minSteps: number,
  wTotal: number,
  requested: number | undefined,
): { slices: number; perSlice: number } {
  const byMemory = Math.max(1, Math.floor(MAX_PARTIAL_BYTES / (4 * wTotal)));
  const wanted =
    requested ?? Math.min(ceilDiv(TARGET_WORKGROUPS, baseWorkgroups), ceilDiv(steps, minSteps), byMemory);
  const perSlice = ceilDiv(steps, Math.max(1, Math.min(wanted, steps)));
  return { slices: ceilDiv(steps, perSlice), perSlice };
}

export interface WgradPlan {
  readonly key: string;
  readonly code: string;
  readonly params: number[];
  readonly workgroups: number;
  readonly slices: number;
}

export function groupedConv3dBackpropFilterPlan(
  g: Conv3DGeometry,
  tile: GroupedConvTile,
  requestedSlices?: number,
): WgradPlan {
  const key = `conv3d_grouped_wgrad_${tileKey(tile)}`;
  const wTotal = filterSize(g);
  const reduction = g.batch * g.outD * g.outH * g.outW;
  if (tile.kind === 'gemm') {
    const tilesN = ceilDiv(g.outC / g.groups, tile.tn);
    const tilesM = ceilDiv(g.kD * g.kH * g.kW * (g.inC / g.groups), tile.tm);
    const base = tilesN * tilesM * g.groups;
    const s = chooseSlices(base, ceilDiv(reduction, tile.tk), MIN_STEPS_PER_SLICE, wTotal, requestedSlices);
    return {
      key,
      code: wgslHeader(gemmConsts(tile), GEMM_EXTRAS) + gemmSource,
      params: paramWords(g, GEMM_EXTRAS, {
        tilesN,
        tilesM,
        slices: s.slices,
        tilesPerSlice: s.perSlice,
        wTotal,
      }),
      workgroups: base * s.slices,
      slices: s.slices,
    };
  }
  const segW = ceilDiv(g.outW, tile.rp);
  const segments = g.batch * g.outD * g.outH * segW;
  const chanTiles = ceilDiv(g.outC / tile.vec, tile.ct);
  const base = chanTiles * (g.inC / g.groups) * g.kD * g.kH;
  const s = chooseSlices(base, segments, MIN_STEPS_PER_SLICE * tile.pt, wTotal, requestedSlices);
  return {
    key: `${key}_k${g.kD}x${g.kH}x${g.kW}s${g.strideD}x${g.strideH}x${g.strideW}d${g.dilD}x${g.dilH}x${g.dilW}`,
    code: vtAlias(tile) + wgslHeader(directConsts(g, tile), DIRECT_EXTRAS) + directSource,
    params: paramWords(g, DIRECT_EXTRAS, {
      chanTiles,
      segW,
      segments,
      slices: s.slices,
      segPerSlice: s.perSlice,
      wTotal,
    }),
    workgroups: base * s.slices,
    slices: s.slices,
  };
}

/** Encodes dw = ∂L/∂w given x and dy into `encoder`; returns dw (caller owns it unless it passed `opts.output`). */
export function encodeGroupedConv3dBackpropFilter(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  x: GPUBuffer,
  dy: GPUBuffer,
  g: Conv3DGeometry,
  opts: GroupedConv3dBackpropFilterOptions = {},
): GPUBuffer {
  const limits = device.limits;
  const tile = opts.tile ?? defaultGroupedConv3dBackpropFilterTile(g, limits);
  const problem = groupedConv3dBackpropFilterTileProblem(g, tile, limits);
  if (problem) throw new RangeError(`grouped conv3d wgrad: tile ${tileKey(tile)} cannot run: ${problem}`);
  checkBindingSize('x', g.batch * g.inD * g.inH * g.inW * g.inC, limits);
  checkBindingSize('dy', g.batch * g.outD * g.outH * g.outW * g.outC, limits);
  const wTotal = filterSize(g);
  const plan = groupedConv3dBackpropFilterPlan(g, tile, opts.slices);
  checkBindingSize('partial sums', plan.slices * wTotal, limits);
  const dw = outputBuffer(device, `conv3d_grouped_wgrad:dw[${wTotal}]`, wTotal, opts);
  const part =
    plan.slices === 1
      ? dw
      : createStorage(
          device,
          `conv3d_grouped_wgrad:partials[${plan.slices}×${wTotal}]`,
          plan.slices * wTotal * 4,
        );
  if (part !== dw) opts.temps?.push(part);
  encodeKernelPass(
    device,
    encoder,
    {
      label: plan.key,
      key: plan.key,
      code: plan.code,
      buffers: [x, dy, part],
      params: plan.params,
      workgroups: plan.workgroups,
    },
    opts.temps,
  );
  if (part !== dw) {
    encodeKernelPass(
      device,
      encoder,
      {
        label: 'conv3d_grouped_wgrad_reduce',
        key: 'conv3d_grouped_wgrad_reduce',
        code: wgslHeader({}, REDUCE_EXTRAS) + reduceSource,
        buffers: [part, dw],
        params: paramWords(g, REDUCE_EXTRAS, { total: wTotal, slices: plan.slices }),
        workgroups: ceilDiv(wTotal, 256),
      },
      opts.temps,
    );
  }
  return dw;
}
