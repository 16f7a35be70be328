// Parity of the Conv3D input-gradient kernel (filter transpose + one implicit GEMM per stride phase) against
// the CPU reference on the browser's WebGPU adapter: the shared shape grid, every tile candidate, chunking.
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../device.ts';
import { DEFAULT_GEMM_TRAITS, gemmTraits, tileSplitK } from '../gemmTile.ts';
import {
  CONV3D_GRID,
  SPLIT_K_CASES,
  SPLIT_K_TILES,
  caseData,
  parity,
  refFor,
  runKernel,
  type Conv3dCase,
} from '../conv3d/conv3dTestkit.ts';
import {
  axisPhase,
  conv3dBackpropInputCandidates,
  conv3dBackpropInputShapeClass,
  encodeConv3dBackpropInput,
} from './conv3dDgrad.ts';

const inLength = (d: ReturnType<typeof caseData>): number =>
  d.g.batch * d.g.inD * d.g.inH * d.g.inW * d.g.inC;

describe('conv3d input gradient (WGSL, phase-decomposed implicit GEMM)', () => {
  afterAll(releaseGpu);

  it('has a WebGPU adapter (fails, never skips, without one)', async () => {
    const { info } = await acquireGpu();
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  it('splits taps by stride phase', () => {
    // kernel 3, stride 2, pad 1: even inputs take taps 1; odd inputs take taps 0 and 2.
    expect(axisPhase(0, 8, 3, 2, 1, 1)).toMatchObject({ rows: 4, count: 1, tap0: 1, off0: 0 });
    expect(axisPhase(1, 8, 3, 2, 1, 1)).toMatchObject({
      rows: 4,
      count: 2,
      tap0: 0,
      tapStep: 2,
      off0: 1,
      offStep: -1,
    });
    // kernel 1, stride 2: odd inputs receive no gradient.
    expect(axisPhase(1, 7, 1, 2, 0, 1)).toMatchObject({ rows: 3, count: 0 });
  });

  CONV3D_GRID.forEach((c, i) => {
    it(`matches the CPU reference: ${c.name}`, async () => {
      const { device } = await acquireGpu();
      const d = caseData(c, 200 + i);
      const got = await runKernel(device, d, inLength(d), (enc, b) =>
        encodeConv3dBackpropInput(device, enc, b.dy, b.w, d.g),
      );
      const { err, tol } = parity(got, refFor('dgrad', d));
      expect(err).toBeLessThanOrEqual(tol);
    });
  });

  // Stride 2 (8 phases, non-contiguous taps), N = Cin = 12 not a tile multiple, Cout = 16 (tap-uniform at tileK 16).
  const awkward: Conv3dCase = {
    name: 'awkward',
    x: [2, 5, 6, 7, 12],
    w: [3, 3, 3, 12, 16],
    opts: { pad: 'same', strides: 2 },
  };

  it('every tile candidate is correct on an awkward shape', { timeout: 300_000 }, async () => {
    const { device } = await acquireGpu();
    const d = caseData(awkward, 8);
    const ref = refFor('dgrad', d);
    const tiles = conv3dBackpropInputCandidates(d.g, gemmTraits(device));
    expect(tiles.length).toBeGreaterThanOrEqual(3);
    for (const tile of tiles) {
      const got = await runKernel(device, d, inLength(d), (enc, b) =>
        encodeConv3dBackpropInput(device, enc, b.dy, b.w, d.g, { tile }),
      );
      const { err, tol } = parity(got, ref);
      expect(err, JSON.stringify(tile)).toBeLessThanOrEqual(tol);
    }
    expect(conv3dBackpropInputShapeClass(d.g)).toBe('dgrad_M512_N16_K512_a4b4_p8');
  });

  it('processes batches in chunks when a tensor exceeds one binding', async () => {
    const { device } = await acquireGpu();
    const c: Conv3dCase = {
      name: 'chunked',
      x: [3, 5, 5, 6, 4],
      w: [3, 3, 3, 4, 4],
      opts: { pad: 'same', strides: 2 },
    };
    const d = caseData(c, 9);
    const got = await runKernel(device, d, inLength(d), (enc, b) =>
      encodeConv3dBackpropInput(device, enc, b.dy, b.w, d.g, { maxBindingBytes: 5 * 5 * 6 * 4 * 4 + 600 }),
    );
    const { err, tol } = parity(got, refFor('dgrad', d));
    expect(err).toBeLessThanOrEqual(tol);
  });

  SPLIT_K_CASES.forEach((c, i) => {
    it(`split-K and small-M tiles match the CPU reference: ${c.name}`, { timeout: 300_000 }, async () => {
      const { device } = await acquireGpu();
      const d = caseData(c, 400 + i);
      const ref = refFor('dgrad', d);
      const candidates = conv3dBackpropInputCandidates(d.g, gemmTraits(device));
      for (const tile of [...SPLIT_K_TILES, ...candidates]) {
        const got = await runKernel(device, d, inLength(d), (enc, b) =>
          encodeConv3dBackpropInput(device, enc, b.dy, b.w, d.g, { tile }),
        );
        const { err, tol } = parity(got, ref);
        expect(err, JSON.stringify(tile)).toBeLessThanOrEqual(tol);
      }
    });
  });

  it('offers split-K when the phases have few rows and a long reduction', () => {
    const d = caseData(
      { name: 'deep', x: [1, 2, 4, 4, 256], w: [3, 3, 3, 256, 512], opts: { pad: 'same', strides: 2 } },
      1,
    );
    const cpu = conv3dBackpropInputCandidates(d.g, { ...DEFAULT_GEMM_TRAITS, cpuEmulated: true });
    expect(tileSplitK(cpu[0] ?? SPLIT_K_TILES[0])).toBeGreaterThan(1);
    expect(cpu[0]?.tileM).toBeLessThanOrEqual(8);
  });
});
