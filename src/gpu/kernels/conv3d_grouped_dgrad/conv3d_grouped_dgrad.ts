// Dispatch for the grouped/depthwise Conv3D input gradient: tile candidates, default choice and one encoded pass.
// dy: f32[N,D',H',W',Cout], w: f32[kD,kH,kW,C/groups,Cout] → dx: f32[N,D,H,W,C]. Any thread with a GPUDevice.
import gemmSource from './conv3d_grouped_dgrad_gemm.wgsl?raw';
import directSource from './conv3d_grouped_dgrad_direct.wgsl?raw';
import type { Conv3DGeometry } from '../conv3d/geometry.ts';
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

const GEMM_EXTRAS = ['tilesN', 'tilesM', 'phases', 'qD', 'qH', 'qW'] as const;
const DIRECT_EXTRAS = ['chanTiles', 'segW', 'jbCount', 'segments'] as const;

const sharedBytes = (t: GroupedConvTile): number => (t.kind === 'gemm' ? (t.tm + t.tn) * t.tk * 4 : 0);
const loadDims = (t: GemmTile): number[] => [t.tk];

export function groupedConv3dBackpropInputTileProblem(
  g: Conv3DGeometry,
  tile: GroupedConvTile,
  limits: KernelLimits = DEFAULT_LIMITS,
): string | null {
  return tileProblem(tile, g, limits, loadDims, sharedBytes);
}

/** GEMM when a group has enough input channels (columns) and output channels (reduction); direct otherwise. */
export function defaultGroupedConv3dBackpropInputTile(
  g: Conv3DGeometry,
  limits: KernelLimits = DEFAULT_LIMITS,
): GroupedConvTile {
  const ok = (t: GroupedConvTile): boolean => groupedConv3dBackpropInputTileProblem(g, t, limits) === null;
  const cinG = g.inC / g.groups;
  if (cinG >= 8 && g.outC / g.groups >= 8) {
    const tile = pickGemm(cinG, ok);
    if (tile) return tile;
  }
  return pickDirect(vec4Eligible(g), g.inC, ok);
}

export function groupedConv3dBackpropInputCandidates(
  g: Conv3DGeometry,
  limits: KernelLimits = DEFAULT_LIMITS,
): GroupedConvTile[] {
  const all = [defaultGroupedConv3dBackpropInputTile(g, limits), ...GEMM_TILES, ...DIRECT_TILES];
  const seen = new Set<string>();
  return all.filter((t) => {
    const key = tileKey(t);
    if (seen.has(key) || groupedConv3dBackpropInputTileProblem(g, t, limits) !== null) return false;
    seen.add(key);
    return true;
  });
}

export const groupedConv3dBackpropInputShapeClass = (g: Conv3DGeometry): string =>
  groupedShapeClass('dgrad', g);

export interface GroupedConv3dBackpropInputOptions extends EncodeCommon {
  readonly tile?: GroupedConvTile;
}

export function groupedConv3dBackpropInputPlan(
  g: Conv3DGeometry,
  tile: GroupedConvTile,
): { key: string; code: string; params: number[]; workgroups: number } {
  const key = `conv3d_grouped_dgrad_${tileKey(tile)}`;
  if (tile.kind === 'gemm') {
    const qD = ceilDiv(g.inD, g.strideD);
    const qH = ceilDiv(g.inH, g.strideH);
    const qW = ceilDiv(g.inW, g.strideW);
    const phases = g.strideD * g.strideH * g.strideW;
    const tilesN = ceilDiv(g.inC / g.groups, tile.tn);
    const tilesM = ceilDiv(g.batch * qD * qH * qW, tile.tm);
    return {
      key,
      code: wgslHeader(gemmConsts(tile), GEMM_EXTRAS) + gemmSource,
      params: paramWords(g, GEMM_EXTRAS, { tilesN, tilesM, phases, qD, qH, qW }),
      workgroups: tilesN * tilesM * phases * g.groups,
    };
  }
  const jbCount = ceilDiv(ceilDiv(g.inW, g.strideW), tile.rp);
  const segW = g.strideW * jbCount;
  const segments = g.batch * g.inD * g.inH * segW;
  const chanTiles = ceilDiv(g.inC / tile.vec, tile.ct);
  return {
    key: `${key}_k${g.kD}x${g.kH}x${g.kW}s${g.strideD}x${g.strideH}x${g.strideW}d${g.dilD}x${g.dilH}x${g.dilW}`,
    code: vtAlias(tile) + wgslHeader(directConsts(g, tile), DIRECT_EXTRAS) + directSource,
    params: paramWords(g, DIRECT_EXTRAS, { chanTiles, segW, jbCount, segments }),
    workgroups: chanTiles * ceilDiv(segments, tile.pt),
  };
}

/** Encodes dx = ∂L/∂x given dy into `encoder`; returns dx (caller owns it unless it passed `opts.output`). */
export function encodeGroupedConv3dBackpropInput(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  dy: GPUBuffer,
  w: GPUBuffer,
  g: Conv3DGeometry,
  opts: GroupedConv3dBackpropInputOptions = {},
): GPUBuffer {
  const limits = device.limits;
  const tile = opts.tile ?? defaultGroupedConv3dBackpropInputTile(g, limits);
  const problem = groupedConv3dBackpropInputTileProblem(g, tile, limits);
  if (problem) throw new RangeError(`grouped conv3d dgrad: tile ${tileKey(tile)} cannot run: ${problem}`);
  const dxSize = g.batch * g.inD * g.inH * g.inW * g.inC;
  checkBindingSize('dy', g.batch * g.outD * g.outH * g.outW * g.outC, limits);
  checkBindingSize('dx', dxSize, limits);
  const dx = outputBuffer(device, `conv3d_grouped_dgrad:dx[${dxSize}]`, dxSize, opts);
  const plan = groupedConv3dBackpropInputPlan(g, tile);
  encodeKernelPass(
    device,
    encoder,
    {
      label: plan.key,
      key: plan.key,
      code: plan.code,
      buffers: [dy, w, dx],
      params: plan.params,
      workgroups: plan.workgroups,
    },
    opts.temps,
  );
  return dx;
}
