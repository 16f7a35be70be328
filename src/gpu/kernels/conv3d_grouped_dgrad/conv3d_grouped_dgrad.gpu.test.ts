// Parity of the grouped/depthwise Conv3D input-gradient kernels (GEMM over stride phases, and direct) against the
// CPU reference on the browser's real WebGPU adapter, over the case grid and every tile candidate.
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../device.ts';
import { tileKey } from '../conv3d_grouped/common.ts';
import {
  defaultGroupedConv3dBackpropInputTile,
  groupedConv3dBackpropInputCandidates,
} from './conv3d_grouped_dgrad.ts';
import {
  AWKWARD_CASES,
  PARITY_CASES,
  alternateTile,
  caseGeometry,
  runParity,
} from '../conv3d_grouped/conv3d_grouped.testing.ts';

describe('grouped conv3d input gradient (WGSL)', () => {
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
        defaultGroupedConv3dBackpropInputTile(g, device.limits),
        alternateTile(g, 'dgrad', device.limits),
      ];
      for (const tile of tiles) {
        const { err, tol } = await runParity(device, c, 'dgrad', tile);
        expect(err, tileKey(tile)).toBeLessThanOrEqual(tol);
      }
    });
  }

  for (const c of AWKWARD_CASES) {
    it(`every tile candidate is correct: ${c.name}`, async () => {
      const { device } = await acquireGpu();
      const tiles = groupedConv3dBackpropInputCandidates(caseGeometry(c), device.limits);
      expect(tiles.length).toBeGreaterThanOrEqual(5);
      for (const tile of tiles) {
        const { err, tol } = await runParity(device, c, 'dgrad', tile);
        expect(err, tileKey(tile)).toBeLessThanOrEqual(tol);
      }
    });
  }
});
