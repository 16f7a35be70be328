// Pure dispatch math of the grouped Conv3D kernels: tile validity under limits, candidates, defaults, workgroup
// folding, reduction slicing, shape classes and the generated uniform block.
import { describe, expect, it } from 'vitest';
import { conv3dGeometry } from '../conv3d/geometry.ts';
import {
  DEFAULT_LIMITS,
  foldWorkgroups,
  paramWords,
  tileThreads,
  wgslHeader,
  type GroupedConvTile,
  type KernelLimits,
} from './common.ts';
import {
  defaultGroupedConv3dTile,
  groupedConv3dCandidates,
  groupedConv3dPlan,
  groupedConv3dShapeClass,
  groupedConv3dTileProblem,
} from './conv3d_grouped.ts';
import {
  groupedConv3dBackpropInputCandidates,
  groupedConv3dBackpropInputPlan,
  groupedConv3dBackpropInputTileProblem,
} from '../conv3d_grouped_dgrad/conv3d_grouped_dgrad.ts';
import {
  chooseSlices,
  defaultGroupedConv3dBackpropFilterTile,
  groupedConv3dBackpropFilterCandidates,
  groupedConv3dBackpropFilterPlan,
  groupedConv3dBackpropFilterTileProblem,
} from '../conv3d_grouped_wgrad/conv3d_grouped_wgrad.ts';

const x3dDepthwise = conv3dGeometry([1, 8, 28, 28, 96], [3, 3, 3, 1, 96], { groups: 96, pad: 'same' });
const grouped32 = conv3dGeometry([2, 4, 14, 14, 64], [3, 3, 3, 32, 64], { groups: 2, pad: 'same' });
const stem = conv3dGeometry([1, 8, 56, 56, 3], [3, 7, 7, 3, 24], { strides: [1, 2, 2], pad: 'same' });
const geometries = [x3dDepthwise, grouped32, stem];

describe('grouped conv3d dispatch math', () => {
  it('picks direct vec4 for X3D depthwise and a GEMM tile for 32 channels per group', () => {
    expect(defaultGroupedConv3dTile(x3dDepthwise)).toMatchObject({ kind: 'direct', vec: 4 });
    expect(defaultGroupedConv3dTile(grouped32)).toMatchObject({ kind: 'gemm', tn: 32 });
    expect(defaultGroupedConv3dBackpropFilterTile(x3dDepthwise)).toMatchObject({ kind: 'direct', vec: 4 });
    expect(defaultGroupedConv3dTile(stem).kind).toBe('gemm');
  });

  it('lists only valid candidates, the default first, for every kernel', () => {
    const kernels = [
      [groupedConv3dCandidates, groupedConv3dTileProblem],
      [groupedConv3dBackpropInputCandidates, groupedConv3dBackpropInputTileProblem],
      [groupedConv3dBackpropFilterCandidates, groupedConv3dBackpropFilterTileProblem],
    ] as const;
    for (const g of geometries) {
      for (const [candidates, problem] of kernels) {
        const tiles = candidates(g);
        expect(tiles.length).toBeGreaterThanOrEqual(4);
        for (const t of tiles) expect(problem(g, t)).toBeNull();
      }
    }
    expect(groupedConv3dCandidates(grouped32).some((t) => t.kind === 'direct' && t.vec === 4)).toBe(false);
  });

  it('drops tiles the device cannot run', () => {
    const small: KernelLimits = { ...DEFAULT_LIMITS, maxComputeInvocationsPerWorkgroup: 64 };
    const tiles = groupedConv3dCandidates(grouped32, small);
    expect(tiles.every((t) => tileThreads(t) <= 64)).toBe(true);
    const big: GroupedConvTile = { kind: 'gemm', tm: 64, tn: 64, tk: 8, rm: 4, rn: 4 };
    expect(groupedConv3dTileProblem(grouped32, big, small)).toMatch(/threads/);
    const odd: GroupedConvTile = { kind: 'gemm', tm: 48, tn: 64, tk: 8, rm: 4, rn: 4 };
    expect(groupedConv3dTileProblem(grouped32, odd)).toMatch(/powers of 2/);
    const tinyShared: KernelLimits = { ...DEFAULT_LIMITS, maxComputeWorkgroupStorageSize: 1024 };
    expect(groupedConv3dTileProblem(grouped32, big, tinyShared)).toMatch(/workgroup memory/);
  });

  it('folds workgroup counts under the per-dimension limit', () => {
    expect(foldWorkgroups(0, DEFAULT_LIMITS)).toEqual([1, 1, 1]);
    expect(foldWorkgroups(65535, DEFAULT_LIMITS)).toEqual([65535, 1, 1]);
    const [x, y] = foldWorkgroups(200_001, DEFAULT_LIMITS);
    expect(x * y).toBeGreaterThanOrEqual(200_001);
    expect(Math.max(x, y)).toBeLessThanOrEqual(65535);
    expect(() => foldWorkgroups(65535 * 65535 + 1, DEFAULT_LIMITS)).toThrow(RangeError);
  });

  it('splits the filter-gradient reduction into slices that cover it exactly once', () => {
    for (const [base, steps, min] of [
      [27, 1568, 64],
      [1, 10, 8],
      [5000, 10_000, 8],
      [3, 7, 1],
    ] as const) {
      const { slices, perSlice } = chooseSlices(base, steps, min, 1000, undefined);
      expect(slices * perSlice).toBeGreaterThanOrEqual(steps);
      expect((slices - 1) * perSlice).toBeLessThan(steps);
    }
    expect(chooseSlices(1, 10, 1, 10, 1000).slices).toBe(10);
    expect(chooseSlices(1, 10_000, 1, 4_000_000, undefined).slices).toBeLessThanOrEqual(4); // 64 MiB cap
    const plan = groupedConv3dBackpropFilterPlan(
      x3dDepthwise,
      defaultGroupedConv3dBackpropFilterTile(x3dDepthwise),
    );
    expect(plan.slices).toBeGreaterThan(1);
  });

  it('dispatches one workgroup per tile, phase and group', () => {
    const gemm: GroupedConvTile = { kind: 'gemm', tm: 32, tn: 32, tk: 8, rm: 4, rn: 4 };
    const positions = 2 * 4 * 14 * 14;
    expect(groupedConv3dPlan(grouped32, gemm).workgroups).toBe(Math.ceil(positions / 32) * 1 * 2);
    const s2 = conv3dGeometry([1, 4, 9, 9, 16], [3, 3, 3, 8, 16], {
      groups: 2,
      strides: [1, 2, 2],
      pad: 'same',
    });
    expect(groupedConv3dBackpropInputPlan(s2, gemm).workgroups).toBe(Math.ceil((4 * 5 * 5) / 32) * 4 * 2);
  });

  it('names shape classes by regime, kernel, stride and size', () => {
    expect(groupedConv3dShapeClass(x3dDepthwise)).toBe('fwd|dw|k3x3x3|s1x1x1|d1x1x1|cg1x1|c128|m8192');
    expect(groupedConv3dShapeClass(grouped32)).toContain('|grouped|');
    expect(groupedConv3dShapeClass(stem)).toContain('|dense|k3x7x7|s1x2x2|');
  });

  it('generates the uniform struct from the same field list it packs', () => {
    const header = wgslHeader({ TM: 64 }, ['tilesN']);
    expect(header).toContain('const TM = 64;');
    expect(header.indexOf('batch: u32')).toBeLessThan(header.indexOf('tilesN: u32'));
    const words = paramWords(grouped32, ['tilesN'], { tilesN: 3 });
    expect(words).toHaveLength(25);
    expect(words.slice(0, 9)).toEqual([2, 4, 14, 14, 64, 64, 2, 32, 32]);
    expect(words.at(-1)).toBe(3);
    expect(() => paramWords(grouped32, ['tilesN'], {})).toThrow(/tilesN/);
  });
});
