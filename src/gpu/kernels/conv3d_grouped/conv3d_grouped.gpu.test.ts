// Parity of the grouped/depthwise Conv3D forward kernels (GEMM and direct) against the CPU reference, on the
// browser's real WebGPU adapter, over the case grid and every tile candidate on awkward shapes.
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../device.ts';
import { tileKey } from './common.ts';
import { groupedConv3dCandidates, defaultGroupedConv3dTile } from './conv3d_grouped.ts';
import {
  AWKWARD_CASES,
  PARITY_CASES,
  alternateTile,
  caseGeometry,
  runParity,
} from './conv3d_grouped.testing.ts';

describe('grouped conv3d forward (WGSL)', () => {
  afterAll(releaseGpu);

  it('has a WebGPU adapter (fails, never skips, without one)', async () => {
    const { device } = await acquireGpu();
    expect(device.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThan(0);
  });

  for (const c of PARITY_CASES) {
    it(`matches the reference: ${c.name}`, async () => {
      const { device } = await acquireGpu();
      const g = caseGeometry(c);
      for (const tile of [
        defaultGroupedConv3dTile(g, device.limits),
        alternateTile(g, 'fwd', device.limits),
      ]) {
        const { err, tol } = await runParity(device, c, 'fwd', tile);
        expect(err, tileKey(tile)).toBeLessThanOrEqual(tol);
      }
    });
  }

  for (const c of AWKWARD_CASES) {
    it(`every tile candidate is correct: ${c.name}`, async () => {
      const { device } = await acquireGpu();
      const tiles = groupedConv3dCandidates(caseGeometry(c), device.limits);
      expect(tiles.length).toBeGreaterThanOrEqual(5);
      for (const tile of tiles) {
        const { err, tol } = await runParity(device, c, 'fwd', tile);
        expect(err, tileKey(tile)).toBeLessThanOrEqual(tol);
      }
    });
  }
});
