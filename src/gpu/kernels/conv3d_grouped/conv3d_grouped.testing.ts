// Test support for the grouped/depthwise Conv3D kernels (GPU tests only, in a page): the parity case grid and a
// runner that encodes one kernel on seeded random inputs and compares it with the CPU reference.
import { conv3dGeometry, type Conv3DGeometry, type Conv3DOptions } from '../conv3d/geometry.ts';
import { conv3dBackpropFilterRef, conv3dBackpropInputRef, conv3dRef } from '../conv3d/conv3d.ref.ts';
import { readFloat32, uploadStorage } from '../../buffers.ts';
import { Rng } from '../../../shared/random.ts';
import { maxAbsDiff, parityTolerance } from '../parity.ts';
import { pickDirect, pickGemm, vec4Eligible, type GroupedConvTile, type KernelLimits } from './common.ts';
import { defaultGroupedConv3dTile, encodeGroupedConv3d, groupedConv3dTileProblem } from './conv3d_grouped.ts';
import {
  defaultGroupedConv3dBackpropInputTile,
  encodeGroupedConv3dBackpropInput,
  groupedConv3dBackpropInputTileProblem,
} from '../conv3d_grouped_dgrad/conv3d_grouped_dgrad.ts';
import {
  defaultGroupedConv3dBackpropFilterTile,
  encodeGroupedConv3dBackpropFilter,
  groupedConv3dBackpropFilterTileProblem,
} from '../conv3d_grouped_wgrad/conv3d_grouped_wgrad.ts';

type Shape5 = readonly [number, number, number, number, number];

export interface ConvCase {
  readonly name: string;
  /** x: [N, D, H, W, C] */
  readonly x: Shape5;
  /** [kD, kH, kW] */
  readonly k: readonly [number, number, number];
  readonly outC: number;
  readonly opts: Conv3DOptions & { readonly groups: number };
}

export const caseGeometry = (c: ConvCase): Conv3DGeometry =>
  conv3dGeometry(c.x, [...c.k, c.x[4] / c.opts.groups, c.outC], c.opts);

const asym = [
  [0, 0],
  [1, 2],
  [2, 0],
] as const;

/** Groups 1, 2, 4, C; channels 3, 4, 5, 8, 64; every kernel shape, stride, dilation and padding mode we support. */
export const PARITY_CASES: readonly ConvCase[] = [
  {
    name: 'dense C3→8 k3×7×7 s1,2,2 same',
    x: [1, 4, 11, 13, 3],
    k: [3, 7, 7],
    outC: 8,
    opts: { groups: 1, strides: [1, 2, 2], pad: 'same' },
  },
  {
    name: 'depthwise C3 k3 same, batch 2',
    x: [2, 3, 5, 6, 3],
    k: [3, 3, 3],
    outC: 3,
    opts: { groups: 3, pad: 'same' },
  },
  {
    name: 'depthwise ×2 C4 k3 s2 same',
    x: [1, 5, 7, 6, 4],
    k: [3, 3, 3],
    outC: 8,
    opts: { groups: 4, strides: 2, pad: 'same' },
  },
  {
    name: 'groups 2 C4→6 k3×1×1 dil 2,1,1 valid',
    x: [1, 7, 4, 5, 4],
    k: [3, 1, 1],
    outC: 6,
    opts: { groups: 2, dilations: [2, 1, 1] },
  },
  {
    name: 'depthwise C5 k1×3×3 s1,2,2 asymmetric pad',
    x: [1, 3, 7, 9, 5],
    k: [1, 3, 3],
    outC: 5,
    opts: { groups: 5, strides: [1, 2, 2], pad: asym },
  },
  {
    name: 'dense C5→7 k1 s2 valid, batch 2',
    x: [2, 3, 5, 5, 5],
    k: [1, 1, 1],
    outC: 7,
    opts: { groups: 1, strides: 2 },
  },
  {
    name: 'groups 4 C8 k3 dil 2 same',
    x: [1, 5, 6, 7, 8],
    k: [3, 3, 3],
    outC: 8,
    opts: { groups: 4, dilations: 2, pad: 'same' },
  },
  {
    name: 'depthwise C8 k3 s2 dil 2 pad 1',
    x: [1, 6, 7, 9, 8],
    k: [3, 3, 3],
    outC: 8,
    opts: { groups: 8, strides: 2, dilations: 2, pad: 1 },
  },
  {
    name: 'groups 2 C8→16 k1×3×3 s2,1,2 same',
    x: [1, 4, 6, 5, 8],
    k: [1, 3, 3],
    outC: 16,
    opts: { groups: 2, strides: [2, 1, 2], pad: 'same' },
  },
  {
    name: 'depthwise C64 k3 s1,2,2 same',
    x: [1, 3, 5, 6, 64],
    k: [3, 3, 3],
    outC: 64,
    opts: { groups: 64, strides: [1, 2, 2], pad: 'same' },
  },
  {
    name: 'groups 2 C64 (32/group) k3 same',
    x: [1, 2, 4, 5, 64],
    k: [3, 3, 3],
    outC: 64,
    opts: { groups: 2, pad: 'same' },
  },
  { name: 'dense C64→16 k1', x: [1, 2, 3, 5, 64], k: [1, 1, 1], outC: 16, opts: { groups: 1 } },
  {
    name: 'depthwise C4 k3×7×7 same',
    x: [1, 3, 9, 10, 4],
    k: [3, 7, 7],
    outC: 4,
    opts: { groups: 4, pad: 'same' },
  },
  {
    name: 'depthwise ×2 C8 k3×1×1 s2,1,1 pad [1,0]',
    x: [1, 6, 3, 4, 8],
    k: [3, 1, 1],
    outC: 16,
    opts: {
      groups: 8,
      strides: [2, 1, 1],
      pad: [
        [1, 0],
        [0, 0],
        [0, 0],
      ],
    },
  },
  {
    name: 'dense C3→4 k3 s2 dil 1,2,2 valid',
    x: [1, 5, 9, 8, 3],
    k: [3, 3, 3],
    outC: 4,
    opts: { groups: 1, strides: 2, dilations: [1, 2, 2] },
  },
];

/** A shape that is a multiple of no tile, with strides, dilation and asymmetric padding, for the candidate sweeps. */
export const AWKWARD_CASES: readonly ConvCase[] = [
  {
    name: 'awkward groups 3 C12→18 k3 s1,2,2',
    x: [2, 3, 5, 7, 12],
    k: [3, 3, 3],
    outC: 18,
    opts: { groups: 3, strides: [1, 2, 2], dilations: [1, 1, 2], pad: asym },
  },
  {
    name: 'awkward depthwise C12 k3 s2',
    x: [1, 4, 7, 5, 12],
    k: [3, 3, 3],
    outC: 12,
    opts: { groups: 12, strides: 2, pad: 'same' },
  },
];

export type KernelKind = 'fwd' | 'dgrad' | 'wgrad';

const KERNELS = {
  fwd: { defaultTile: defaultGroupedConv3dTile, problem: groupedConv3dTileProblem },
  dgrad: {
    defaultTile: defaultGroupedConv3dBackpropInputTile,
    problem: groupedConv3dBackpropInputTileProblem,
  },
  wgrad: {
    defaultTile: defaultGroupedConv3dBackpropFilterTile,
    problem: groupedConv3dBackpropFilterTileProblem,
  },
} as const;

/** The default tile of the regime `kind` would not pick for `g` (GEMM ↔ direct), so both regimes see every case. */
export function alternateTile(g: Conv3DGeometry, kind: KernelKind, limits: KernelLimits): GroupedConvTile {
  const { defaultTile, problem } = KERNELS[kind];
  const ok = (t: GroupedConvTile): boolean => problem(g, t, limits) === null;
  if (defaultTile(g, limits).kind === 'gemm') return pickDirect(vec4Eligible(g), g.outC, ok);
  const cols = kind === 'dgrad' ? g.inC / g.groups : g.outC / g.groups;
  const tile = pickGemm(cols, ok);
  if (!tile) throw new Error(`no GEMM tile for ${kind}`);
  return tile;
}

export interface ParityResult {
  readonly err: number;
  readonly tol: number;
}

/** Runs one kernel of `c` on seeded inputs (with `tile` or the default) and measures it against the reference. */
export async function runParity(
  device: GPUDevice,
  c: ConvCase,
  kind: KernelKind,
  tile?: GroupedConvTile,
  slices?: number,
): Promise<ParityResult> {
  const g = caseGeometry(c);
  const rng = new Rng(c.name.length * 7919 + c.x.reduce((a, b) => a * 31 + b, 0));
  const x = rng.float32(g.batch * g.inD * g.inH * g.inW * g.inC);
  const w = rng.float32(g.kD * g.kH * g.kW * (g.inC / g.groups) * g.outC);
  const dy = rng.float32(g.batch * g.outD * g.outH * g.outW * g.outC);
  const [a, b] = kind === 'fwd' ? [x, w] : kind === 'dgrad' ? [dy, w] : [x, dy];
  const ref =
    kind === 'fwd'
      ? conv3dRef(x, w, g)
      : kind === 'dgrad'
        ? conv3dBackpropInputRef(dy, w, g)
        : conv3dBackpropFilterRef(x, dy, g);
  const aBuf = uploadStorage(device, `test:${kind}:a`, a);
  const bBuf = uploadStorage(device, `test:${kind}:b`, b);
  const temps: GPUBuffer[] = [];
  const encoder = device.createCommandEncoder({ label: `test:${kind}` });
  const opts = { temps, ...(tile ? { tile } : {}) };
  const out =
    kind === 'fwd'
      ? encodeGroupedConv3d(device, encoder, aBuf, bBuf, g, opts)
      : kind === 'dgrad'
        ? encodeGroupedConv3dBackpropInput(device, encoder, aBuf, bBuf, g, opts)
        : encodeGroupedConv3dBackpropFilter(device, encoder, aBuf, bBuf, g, {
            ...opts,
            ...(slices ? { slices } : {}),
          });
  device.queue.submit([encoder.finish()]);
  try {
    const gpu = await readFloat32(device, out, ref.length * 4);
    return { err: maxAbsDiff(gpu, ref), tol: parityTolerance(ref) };
  } finally {
    for (const buffer of [aBuf, bBuf, out, ...temps]) buffer.destroy();
  }
}
