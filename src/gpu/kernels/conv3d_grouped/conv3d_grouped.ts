// Dispatch for grouped/depthwise Conv3D forward: tile candidates, default choice and one encoded pass.
// x: f32[N,D,H,W,C] (NDHWC), w: f32[kD,kH,kW,C/groups,Cout] → y: f32[N,D',H',W',Cout]. Any thread with a GPUDevice.
import gemmSource from './conv3d_grouped_gemm.wgsl?raw';
import directSource from './conv3d_grouped_direct.wgsl?raw';
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
  tileKey,
  tileProblem,
  pickDirect,
  pickGemm,
  vec4Eligible,
  vtAlias,
  wgslHeader,
  paramWords,
  type EncodeCommon,
  type GemmTile,
  type GroupedConvTile,
  type KernelLimits,
} from './common.ts';

export type { GroupedConvTile } from './common.ts';

const GEMM_EXTRAS = ['tilesN', 'tilesM'] as const;
const DIRECT_EXTRAS = ['chanTiles', 'segW', 'segments'] as const;

const sharedBytes = (t: GroupedConvTile): number => (t.kind === 'gemm' ? (t.tm + t.tn) * t.tk * 4 : 0);
const loadDims = (t: GemmTile): number[] => [t.tk, t.tn];

/** Why `tile` cannot run the forward pass of `g` on a device with `limits`; null when it can. */
export function groupedConv3dTileProblem(
  g: Conv3DGeometry,
  tile: GroupedConvTile,
  limits: KernelLimits = DEFAULT_LIMITS,
): string | null {
  return tileProblem(tile, g, limits, loadDims, sharedBytes);
}

/** The tiles worth timing for `g` (all valid under `limits`; the default first). */
export function groupedConv3dCandidates(
  g: Conv3DGeometry,
  limits: KernelLimits = DEFAULT_LIMITS,
): GroupedConvTile[] {
  const all: GroupedConvTile[] = [defaultGroupedConv3dTile(g, limits), ...GEMM_TILES, ...DIRECT_TILES];
  const seen = new Set<string>();
  return all.filter((t) => {
    const key = tileKey(t);
    if (seen.has(key) || groupedConv3dTileProblem(g, t, limits) !== null) return false;
    seen.add(key);
    return true;
  });
}

/** Autotune key: geometries with the same class share their best tile. */
export const groupedConv3dShapeClass = (g: Conv3DGeometry): string => groupedShapeClass('fwd', g);

/** GEMM when a group has enough output channels and reduction depth to fill a tile; direct otherwise. */
export function defaultGroupedConv3dTile(
  g: Conv3DGeometry,
  limits: KernelLimits = DEFAULT_LIMITS,
): GroupedConvTile {
  const cinG = g.inC / g.groups;
  const coutG = g.outC / g.groups;
  const taps = g.kD * g.kH * g.kW;
  if (coutG >= 8 && cinG * taps >= 16) {
    const tile = pickGemm(coutG, (t) => groupedConv3dTileProblem(g, t, limits) === null);
    if (tile) return tile;
  }
  return pickDirect(vec4Eligible(g), g.outC, (t) => groupedConv3dTileProblem(g, t, limits) === null);
}

export interface GroupedConv3dOptions extends EncodeCommon {
  /** The tile to run (one of the candidates); the default choice when absent. */
  readonly tile?: GroupedConvTile;
}

/** The pass that computes y for `g` with `tile` (pure: used by the encoder and by tests of the dispatch math). */
export function groupedConv3dPlan(
  g: Conv3DGeometry,
  tile: GroupedConvTile,
): { key: string; code: string; params: number[]; workgroups: number } {
  const key = `conv3d_grouped_fwd_${tileKey(tile)}`;
  if (tile.kind === 'gemm') {
    const tilesN = ceilDiv(g.outC / g.groups, tile.tn);
    const tilesM = ceilDiv(g.batch * g.outD * g.outH * g.outW, tile.tm);
    return {
      key,
      code: wgslHeader(gemmConsts(tile), GEMM_EXTRAS) + gemmSource,
      params: paramWords(g, GEMM_EXTRAS, { tilesN, tilesM }),
      workgroups: tilesN * tilesM * g.groups,
    };
  }
  const consts = directConsts(g, tile);
  const segW = ceilDiv(g.outW, tile.rp);
  const segments = g.batch * g.outD * g.outH * segW;
  const chanTiles = ceilDiv(g.outC / tile.vec, tile.ct);
  return {
    key: `${key}_k${g.kD}x${g.kH}x${g.kW}s${g.strideD}x${g.strideH}x${g.strideW}d${g.dilD}x${g.dilH}x${g.dilW}`,
    code: vtAlias(tile) + wgslHeader(consts, DIRECT_EXTRAS) + directSource,
    params: paramWords(g, DIRECT_EXTRAS, { chanTiles, segW, segments }),
    workgroups: chanTiles * ceilDiv(segments, tile.pt),
  };
}

/** Encodes y = groupedConv3d(x, w) into `encoder`; returns y (caller owns it unless it passed `opts.output`). */
export function encodeGroupedConv3d(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  x: GPUBuffer,
  w: GPUBuffer,
  g: Conv3DGeometry,
  opts: GroupedConv3dOptions = {},
): GPUBuffer {
  const limits = device.limits;
  const tile = opts.tile ?? defaultGroupedConv3dTile(g, limits);
  const problem = groupedConv3dTileProblem(g, tile, limits);
  if (problem) throw new RangeError(`grouped conv3d: tile ${tileKey(tile)} cannot run: ${problem}`);
  const ySize = g.batch * g.outD * g.outH * g.outW * g.outC;
  checkBindingSize('x', g.batch * g.inD * g.inH * g.inW * g.inC, limits);
  checkBindingSize('y', ySize, limits);
  const y = outputBuffer(device, `conv3d_grouped:y[${ySize}]`, ySize, opts);
  const plan = groupedConv3dPlan(g, tile);
  encodeKernelPass(
    device,
    encoder,
    {
      label: plan.key,
      key: plan.key,
      code: plan.code,
      buffers: [x, w, y],
      params: plan.params,
      workgroups: plan.workgroups,
    },
    opts.temps,
  );
  return y;
}
