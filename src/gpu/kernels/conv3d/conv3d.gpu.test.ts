// Parity of the implicit-GEMM Conv3D forward kernel against the CPU reference on the browser's WebGPU adapter:
// a representative shape grid, every tile candidate on an awkward shape, fused bias + ReLU, batch chunking.
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../device.ts';
import { uploadStorage } from '../../buffers.ts';
import { gemmTraits, tileSplitK } from '../gemmTile.ts';
import { conv3dCandidates, conv3dShapeClass, encodeConv3d } from './conv3d.ts';
import {
  CONV3D_GRID,
  SPLIT_K_CASES,
  SPLIT_K_TILES,
  caseData,
  parity,
  refFor,
  runKernel,
  type Conv3dCase,
} from './conv3dTestkit.ts';

const outLength = (c: ReturnType<typeof caseData>): number =>
  c.g.batch * c.g.outD * c.g.outH * c.g.outW * c.g.outC;

describe('conv3d forward (WGSL implicit GEMM)', () => {
  afterAll(releaseGpu);

  it('has a WebGPU adapter (fails, never skips, without one)', async () => {
    const { info } = await acquireGpu();
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  CONV3D_GRID.forEach((c, i) => {
    it(`matches the CPU reference: ${c.name}`, async () => {
      const { device } = await acquireGpu();
      const d = caseData(c, 100 + i);
      const got = await runKernel(device, d, outLength(d), (enc, b) =>
        encodeConv3d(device, enc, b.x, b.w, d.g),
      );
      const { err, tol } = parity(got, refFor('fwd', d));
      expect(err).toBeLessThanOrEqual(tol);
    });
  });

  const awkward: Conv3dCase = {
    name: 'awkward',
    x: [2, 3, 5, 6, 12],
    w: [3, 3, 3, 12, 12],
    opts: { pad: 'same' },
  };

  // Late-stage shapes where most taps only read padding: the reduction keeps the live taps alone.
  const trimmed: readonly Conv3dCase[] = [
    { name: '1×2×2 input s2', x: [1, 1, 2, 2, 16], w: [3, 3, 3, 16, 8], opts: { pad: 'same', strides: 2 } },
    { name: 'depth 2 s2 b2', x: [2, 2, 4, 3, 8], w: [3, 3, 3, 8, 12], opts: { pad: 'same', strides: 2 } },
    { name: 'dilated 1×3×3', x: [1, 1, 3, 3, 4], w: [3, 3, 3, 4, 4], opts: { pad: 'same', dilations: 2 } },
  ];
  it(
    'every tile candidate is correct where padding-only taps are trimmed',
    { timeout: 300_000 },
    async () => {
      const { device } = await acquireGpu();
      for (const [i, c] of trimmed.entries()) {
        const d = caseData(c, 40 + i);
        const ref = refFor('fwd', d);
        for (const tile of conv3dCandidates(d.g, gemmTraits(device))) {
          const got = await runKernel(device, d, outLength(d), (enc, b) =>
            encodeConv3d(device, enc, b.x, b.w, d.g, { tile }),
          );
          const { err, tol } = parity(got, ref);
          expect(err, `${c.name} ${JSON.stringify(tile)}`).toBeLessThanOrEqual(tol);
        }
      }
    },
  );

  it('every tile candidate is correct on an awkward shape', { timeout: 300_000 }, async () => {
    const { device } = await acquireGpu();
    const d = caseData(awkward, 7);
    const ref = refFor('fwd', d);
    const tiles = conv3dCandidates(d.g, gemmTraits(device));
    expect(tiles.length).toBeGreaterThanOrEqual(3);
    for (const tile of tiles) {
      const got = await runKernel(device, d, outLength(d), (enc, b) =>
        encodeConv3d(device, enc, b.x, b.w, d.g, { tile }),
      );
      const { err, tol } = parity(got, ref);
      expect(err, JSON.stringify(tile)).toBeLessThanOrEqual(tol);
    }
    expect(conv3dShapeClass(d.g)).toMatch(/^fwd_M256_N16_K512_a4b4_conv$/);
  });

  it('fuses bias and ReLU, unstaged and staged, with scalar channel loads', async () => {
    const { device } = await acquireGpu();
    const c = CONV3D_GRID[1] ?? awkward; // 3 -> 5 channels: neither is a multiple of 4
    const d = caseData(c, 11);
    const bias = Float32Array.from({ length: d.g.outC }, (_, i) => (i % 3) - 1);
    const ref = refFor('fwd', d).map((v, i) => Math.max(0, v + (bias[i % d.g.outC] ?? 0)));
    const biasBuf = uploadStorage(device, 'test:bias', bias);
    const staged = conv3dCandidates(d.g).find((t) => t.tileK > 0);
    for (const tile of [undefined, staged]) {
      const got = await runKernel(device, d, outLength(d), (enc, b) =>
        encodeConv3d(device, enc, b.x, b.w, d.g, { bias: biasBuf, relu: true, ...(tile ? { tile } : {}) }),
      );
      const { err, tol } = parity(got, ref);
      expect(err, JSON.stringify(tile)).toBeLessThanOrEqual(tol);
    }
    biasBuf.destroy();
  });

  it('runs the 1×1×1 plain-GEMM path with a staged tile too', async () => {
    const { device } = await acquireGpu();
    const d = caseData({ name: 'pointwise', x: [2, 3, 5, 7, 16], w: [1, 1, 1, 16, 20], opts: {} }, 21);
    const tile = conv3dCandidates(d.g).find((t) => t.tileK === 16);
    expect(tile).toBeDefined();
    const got = await runKernel(device, d, outLength(d), (enc, b) =>
      encodeConv3d(device, enc, b.x, b.w, d.g, tile ? { tile } : {}),
    );
    const { err, tol } = parity(got, refFor('fwd', d));
    expect(err).toBeLessThanOrEqual(tol);
  });

  it('runs the 128×128 tile offered for wide outputs', async () => {
    const { device } = await acquireGpu();
    const d = caseData({ name: 'wide', x: [1, 3, 7, 9, 8], w: [1, 3, 3, 8, 132], opts: { pad: 'same' } }, 22);
    const tile = conv3dCandidates(d.g).find((t) => t.tileN === 128);
    expect(tile).toBeDefined();
    const got = await runKernel(device, d, outLength(d), (enc, b) =>
      encodeConv3d(device, enc, b.x, b.w, d.g, tile ? { tile } : {}),
    );
    const { err, tol } = parity(got, refFor('fwd', d));
    expect(err).toBeLessThanOrEqual(tol);
  });

  it('processes batches in chunks when a tensor exceeds one binding', async () => {
    const { device } = await acquireGpu();
    const d = caseData({ name: 'chunked', x: [3, 3, 5, 5, 4], w: [3, 3, 3, 4, 8], opts: { pad: 'same' } }, 5);
    const perItem = 3 * 5 * 5 * 8 * 4; // y bytes per batch item (the larger tensor)
    const got = await runKernel(device, d, outLength(d), (enc, b) =>
      encodeConv3d(device, enc, b.x, b.w, d.g, { maxBindingBytes: perItem + 1600 }),
    );
    const { err, tol } = parity(got, refFor('fwd', d));
    expect(err).toBeLessThanOrEqual(tol);
  });

  SPLIT_K_CASES.forEach((c, i) => {
    it(`split-K and small-M tiles match the CPU reference: ${c.name}`, { timeout: 300_000 }, async () => {
      const { device } = await acquireGpu();
      const d = caseData(c, 300 + i);
      const ref = refFor('fwd', d);
      const candidates = conv3dCandidates(d.g, gemmTraits(device));
      expect(candidates.some((t) => tileSplitK(t) > 1)).toBe(true);
      for (const tile of [...SPLIT_K_TILES, ...candidates]) {
        const got = await runKernel(device, d, outLength(d), (enc, b) =>
          encodeConv3d(device, enc, b.x, b.w, d.g, { tile }),
        );
        const { err, tol } = parity(got, ref);
        expect(err, JSON.stringify(tile)).toBeLessThanOrEqual(tol);
      }
    });
  });

  it('applies bias and ReLU in the split-K reduce pass', async () => {
    const { device } = await acquireGpu();
    for (const [ci, c] of SPLIT_K_CASES.slice(0, 2).entries()) {
      const d = caseData(c, 320 + ci);
      const bias = Float32Array.from({ length: d.g.outC }, (_, i) => ((i % 5) - 2) * 0.7);
      const ref = refFor('fwd', d).map((v, i) => Math.max(0, v + (bias[i % d.g.outC] ?? 0)));
      const biasBuf = uploadStorage(device, 'test:bias', bias);
      for (const tile of [SPLIT_K_TILES[2], SPLIT_K_TILES[3]]) {
        const got = await runKernel(device, d, outLength(d), (enc, b) =>
          encodeConv3d(device, enc, b.x, b.w, d.g, { bias: biasBuf, relu: true, tile }),
        );
        const { err, tol } = parity(got, ref);
        expect(err, `${c.name} ${JSON.stringify(tile)}`).toBeLessThanOrEqual(tol);
      }
      biasBuf.destroy();
    }
  });

  it('splits K within batch chunks', async () => {
    const { device } = await acquireGpu();
    const d = caseData(
      { name: 'split chunked', x: [3, 4, 6, 6, 8], w: [3, 3, 3, 8, 4], opts: { pad: 'same', strides: 2 } },
      330,
    );
    const perItem = 4 * 6 * 6 * 8 * 4; // x bytes per batch item (the larger tensor; the filter is smaller)
    for (const tile of [SPLIT_K_TILES[1], SPLIT_K_TILES[4]]) {
      const got = await runKernel(device, d, outLength(d), (enc, b) =>
        encodeConv3d(device, enc, b.x, b.w, d.g, { tile, maxBindingBytes: perItem + 600 }),
      );
      const { err, tol } = parity(got, refFor('fwd', d));
      expect(err, JSON.stringify(tile)).toBeLessThanOrEqual(tol);
    }
  });
});
