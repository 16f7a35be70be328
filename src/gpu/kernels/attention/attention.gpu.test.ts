// Parity of the fused attention forward kernel against its CPU reference on the browser's WebGPU adapter.
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../device.ts';
import { maxAbsDiff, parityTolerance } from '../parity.ts';
import { attentionForwardRef } from './attention.ref.ts';
import { contiguousViews, type AttentionGeometry, type HeadDim } from './layout.ts';
import { randomInputs, randomMask, runForward } from './testing.ts';

function geometry(bh: number, lq: number, lk: number, d: HeadDim, batch = 1): AttentionGeometry {
  return { batch, inner: 1, heads: bh / batch, lq, lk, headDim: d, prefix: 0 };
}

describe('attention forward (WGSL)', () => {
  afterAll(releaseGpu);

  it('has a WebGPU adapter (fails, never skips, without one)', async () => {
    const { info } = await acquireGpu();
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  const cases: [number, number, HeadDim, boolean][] = [
    [1, 1, 32, false],
    [2, 7, 64, true],
    [2, 8, 32, false],
    [2, 37, 96, true],
    [1, 70, 128, false],
  ];
  for (const [bh, l, d, masked] of cases) {
    for (const subgroups of ['auto', false] as const) {
      it(`matches the reference: bh=${bh} L=${l} d=${d}${masked ? ' masked' : ''} subgroups=${subgroups}`, async () => {
        const { device } = await acquireGpu();
        const g = geometry(bh, l, l, d);
        const x = randomInputs(l * 100 + d, bh * l * d, bh * l * d);
        const mask = masked ? randomMask(l, l, l) : undefined;
        const run = await runForward(device, g, contiguousViews(g), { ...x, ...(mask ? { mask } : {}) }, bh * l * d, {
          subgroups,
        });
        const ref = attentionForwardRef(x.q, x.k, x.v, { bh, lq: l, lk: l, d, seqPerBatch: bh }, {
          scale: 1 / Math.sqrt(d),
          mask: mask ?? null,
        });
        expect(maxAbsDiff(run.o, ref.o)).toBeLessThanOrEqual(parityTolerance(ref.o));
        expect(maxAbsDiff(run.lse, ref.lse)).toBeLessThanOrEqual(parityTolerance(ref.lse));
      });
    }
  }
});
