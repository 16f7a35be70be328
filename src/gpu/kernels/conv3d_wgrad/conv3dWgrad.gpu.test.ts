// Parity of the split-K Conv3D filter-gradient kernel against the CPU reference on the browser's WebGPU adapter:
// the shared shape grid, every tile/split-K candidate, and batch chunks accumulating into one result.
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../device.ts';
import { gemmTraits } from '../gemmTile.ts';
import {
  CONV3D_GRID,
  caseData,
  parity,
  refFor,
  runKernel,
  type Conv3dCase,
} from '../conv3d/conv3dTestkit.ts';
import {
  conv3dBackpropFilterCandidates,
  conv3dBackpropFilterShapeClass,
  encodeConv3dBackpropFilter,
} from './conv3dWgrad.ts';

const wLength = (d: ReturnType<typeof caseData>): number => d.w.length;

describe('conv3d filter gradient (WGSL split-K GEMM)', () => {
  afterAll(releaseGpu);

  it('has a WebGPU adapter (fails, never skips, without one)', async () => {
    const { info } = await acquireGpu();
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  CONV3D_GRID.forEach((c, i) => {
    it(`matches the CPU reference: ${c.name}`, async () => {
      const { device } = await acquireGpu();
      const d = caseData(c, 300 + i);
      const splitK = 1 + (i % 3) * 2; // 1, 3, 5: with and without the reduce pass
      const got = await runKernel(device, d, wLength(d), (enc, b) =>
        encodeConv3dBackpropFilter(device, enc, b.x, b.dy, d.g, { splitK }),
      );
      const { err, tol } = parity(got, refFor('wgrad', d));
      expect(err).toBeLessThanOrEqual(tol);
    });
  });

  const awkward: Conv3dCase = {
    name: 'awkward',
    x: [2, 3, 5, 6, 12],
    w: [3, 3, 3, 12, 12],
    opts: { pad: 'same' },
  };

  it('every tile and split-K candidate is correct on an awkward shape', { timeout: 300_000 }, async () => {
    const { device } = await acquireGpu();
    const d = caseData(awkward, 10);
    const ref = refFor('wgrad', d);
    const tiles = conv3dBackpropFilterCandidates(d.g, gemmTraits(device));
    expect(tiles.length).toBeGreaterThanOrEqual(3);
    expect(new Set(tiles.map((t) => t.splitK)).size).toBeGreaterThan(1);
    for (const tile of tiles) {
      const got = await runKernel(device, d, wLength(d), (enc, b) =>
        encodeConv3dBackpropFilter(device, enc, b.x, b.dy, d.g, { tile }),
      );
      const { err, tol } = parity(got, ref);
      expect(err, JSON.stringify(tile)).toBeLessThanOrEqual(tol);
    }
    expect(conv3dBackpropFilterShapeClass(d.g)).toMatch(/^wgrad_R512_N16_M\d+_a4b4$/);
  });

  it('staged tiles handle channel counts that are not multiples of 4', async () => {
    const { device } = await acquireGpu();
    const d = caseData(CONV3D_GRID[1] ?? awkward, 13); // 3 -> 5 channels, stride 2
    const staged = conv3dBackpropFilterCandidates(d.g).find((t) => t.tileK > 0);
    expect(staged).toBeDefined();
    const got = await runKernel(device, d, wLength(d), (enc, b) =>
      encodeConv3dBackpropFilter(device, enc, b.x, b.dy, d.g, {
        ...(staged ? { tile: staged } : {}),
        splitK: 2,
      }),
    );
    const { err, tol } = parity(got, refFor('wgrad', d));
    expect(err).toBeLessThanOrEqual(tol);
  });

  it('accumulates batch chunks when a tensor exceeds one binding', async () => {
    const { device } = await acquireGpu();
    const c: Conv3dCase = { name: 'chunked', x: [3, 4, 5, 6, 4], w: [3, 3, 3, 4, 4], opts: { pad: 'same' } };
    const d = caseData(c, 12);
    const maxBindingBytes = 4 * 5 * 6 * 4 * 4 + 2000; // one batch item, the filter twice over, not the batch
    for (const splitK of [1, 3]) {
      const got = await runKernel(device, d, wLength(d), (enc, b) =>
        encodeConv3dBackpropFilter(device, enc, b.x, b.dy, d.g, { splitK, maxBindingBytes }),
      );
      const { err, tol } = parity(got, refFor('wgrad', d));
      expect(err, `splitK ${splitK}`).toBeLessThanOrEqual(tol);
    }
  });
});
