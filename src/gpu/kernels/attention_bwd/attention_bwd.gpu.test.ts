// Parity of the fused attention backward kernels (dq, dk, dv) against the CPU reference on the real adapter.
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../device.ts';
import { maxAbsDiff, parityTolerance } from '../parity.ts';
import { attentionBackwardRef } from '../attention/attention.ref.ts';
import { contiguousViews, type AttentionGeometry, type HeadDim } from '../attention/layout.ts';
import { randomInputs, randomMask } from '../attention/testing.ts';
import { runForwardBackward, withDvAfterDk } from './testing.ts';

describe('attention backward (WGSL)', () => {
  afterAll(releaseGpu);

  it('has a WebGPU adapter (fails, never skips, without one)', async () => {
    const { info } = await acquireGpu();
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  // [bh, lq, lk, d, masked, subgroups, maxTile (undefined: the adapter's default)]
  const cases: [number, number, number, HeadDim, boolean, 'auto' | false, number | undefined][] = [
    [1, 1, 1, 32, false, 'auto', undefined],
    [2, 7, 7, 64, true, 'auto', undefined],
    [2, 37, 37, 64, true, 'auto', undefined],
    [2, 37, 37, 64, true, false, undefined],
    [1, 20, 33, 96, false, 'auto', undefined],
    [2, 40, 45, 32, true, 'auto', 32],
  ];
  for (const [bh, lq, lk, d, masked, subgroups, maxTile] of cases) {
    const tileNote = maxTile ? ` tile≤${maxTile}` : '';
    it(`matches the reference: bh=${bh} lq=${lq} lk=${lk} d=${d}${masked ? ' masked' : ''} sg=${subgroups}${tileNote}`, async () => {
      const { device } = await acquireGpu();
      const g: AttentionGeometry = { batch: 1, inner: 1, heads: bh, lq, lk, headDim: d, prefix: 0 };
      const x = randomInputs(lq * 7 + d, bh * lq * d, bh * lk * d);
      const mask = masked ? randomMask(lq + 1, lq, lk) : undefined;
      const kv = bh * lk * d;
      const run = await runForwardBackward(
        device,
        g,
        withDvAfterDk(contiguousViews(g), kv),
        { ...x, ...(mask ? { mask } : {}) },
        { q: bh * lq * d, kv },
        { subgroups, ...(maxTile ? { maxTile } : {}) },
      );
      const ref = attentionBackwardRef(
        x.q,
        x.k,
        x.v,
        x.dO,
        { bh, lq, lk, d, seqPerBatch: bh },
        {
          scale: 1 / Math.sqrt(d),
          mask: mask ?? null,
        },
      );
      expect(maxAbsDiff(run.dq, ref.dq)).toBeLessThanOrEqual(parityTolerance(ref.dq));
      expect(maxAbsDiff(run.dk, ref.dk)).toBeLessThanOrEqual(parityTolerance(ref.dk));
      expect(maxAbsDiff(run.dv, ref.dv)).toBeLessThanOrEqual(parityTolerance(ref.dv));
    });
  }
});
