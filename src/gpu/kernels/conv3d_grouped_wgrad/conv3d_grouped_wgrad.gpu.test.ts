// Parity of the grouped/depthwise Conv3D filter-gradient kernels (split reduction + summing pass; GEMM and
// direct) against the CPU reference on the browser's real WebGPU adapter, over the case grid, every tile
// candidate, and explicit slice counts.
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../device.ts';
import { tileKey } from '../conv3d_grouped/common.ts';
import {
  defaultGroupedConv3dBackpropFilterTile,
  groupedConv3dBackpropFilterCandidates,
} from './conv3d_grouped_wgrad.ts';
import {
  AWKWARD_CASES,
  PARITY_CASES,
  alternateTile,
  caseGeometry,
  runParity,
} from '../conv3d_grouped/conv3d_grouped.testing.ts';

describe('grouped conv3d filter gradient (WGSL)', () => {
  afterAll(releaseGpu);

  it('has a WebGPU adapter (fails, never skips, without one)', async () => {
    const { device } = await acquireGpu();
    expect(device.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThan(0);
  });

  for (const c of PARITY_CASES) {
    it(`matches the reference: ${c.name}`, async () => {
      const { device } = await acquireGpu();
      const g = caseGeometry(c);
      const tiles = [
        defaultGroupedConv3dBackpropFilterTile(g, device.limits),
        alternateTile(g, 'wgrad', device.limits),
      ];
      for (const tile of tiles) {
        const { err, tol } = await runParity(device, c, 'wgrad', tile);
        expect(err, tileKey(tile)).toBeLessThanOrEqual(tol);
      }
    });
  }

  for (const c of AWKWARD_CASES) {
    it(`every tile candidate is correct: ${c.name}`, async () => {
      const { device } = await acquireGpu();
      const tiles = groupedConv3dBackpropFilterCandidates(caseGeometry(c), device.limits);
      expect(tiles.length).toBeGreaterThanOrEqual(5);
      for (const tile of tiles) {
        const { err, tol } = await runParity(device, c, 'wgrad', tile);
        expect(err, tileKey(tile)).toBeLessThanOrEqual(tol);
      }
    });
  }

  it('gives the same answer for 1, 2, 7 and 1000 (clamped) reduction slices', async () => {
    const { device } = await acquireGpu();
    for (const c of AWKWARD_CASES) {
      for (const slices of [1, 2, 7, 1000]) {
        const { err, tol } = await runParity(device, c, 'wgrad', undefined, slices);
        expect(err, `${c.name}, ${slices} slices`).toBeLessThanOrEqual(tol);
      }
    }
  });
});
