// Parity of the fused attention forward kernel against its CPU reference on the browser's WebGPU adapter.
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../device.ts';
import { maxAbsDiff, parityTolerance } from '../parity.ts';
import { attentionForwardRef, gatherRows, NEG_SENTINEL, scatterRows } from './attention.ref.ts';
import { contiguousViews, type AttentionGeometry, type HeadDim } from './layout.ts';
import { spaceTimePlan } from './spaceTime.ts';
import { Rng } from '../../../shared/random.ts';
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
        const run = await runForward(
          device,
          g,
          contiguousViews(g),
          { ...x, ...(mask ? { mask } : {}) },
          bh * l * d,
          {
            subgroups,
          },
        );
        const ref = attentionForwardRef(
          x.q,
          x.k,
          x.v,
          { bh, lq: l, lk: l, d, seqPerBatch: bh },
          {
            scale: 1 / Math.sqrt(d),
            mask: mask ?? null,
          },
        );
        expect(maxAbsDiff(run.o, ref.o)).toBeLessThanOrEqual(parityTolerance(ref.o));
        expect(maxAbsDiff(run.lse, ref.lse)).toBeLessThanOrEqual(parityTolerance(ref.lse));
      });
    }
  }

  it('matches the reference with the hardware tile size (32 keys per step), with and without subgroups', async () => {
    const { device } = await acquireGpu();
    const g = geometry(2, 45, 45, 32);
    const x = randomInputs(45, 2 * 45 * 32, 2 * 45 * 32);
    const mask = randomMask(46, 45, 45);
    const ref = attentionForwardRef(
      x.q,
      x.k,
      x.v,
      { bh: 2, lq: 45, lk: 45, d: 32, seqPerBatch: 2 },
      {
        scale: 1 / Math.sqrt(32),
        mask,
      },
    );
    for (const subgroups of ['auto', false] as const) {
      const run = await runForward(device, g, contiguousViews(g), { ...x, mask }, 2 * 45 * 32, {
        subgroups,
        maxTile: 32,
      });
      expect(maxAbsDiff(run.o, ref.o)).toBeLessThanOrEqual(parityTolerance(ref.o));
    }
  });

  for (const mode of ['temporal', 'spatial'] as const) {
    for (const subgroups of ['auto', false] as const) {
      it(`reads ${mode} token views (class token, strides) like gather → reference → scatter, sg=${subgroups}`, async () => {
        const { device } = await acquireGpu();
        const plan = spaceTimePlan(mode, 2, { frames: 3, patches: 5, heads: 2, headDim: 32, clsTokens: 1 });
        const g = plan.geometry;
        const rng = new Rng(3);
        const [q, k, v] = [rng.float32(plan.tokens), rng.float32(plan.tokens), rng.float32(plan.tokens)];
        const keyLengths = Int32Array.from([g.lk, g.lk - 2]);
        const run = await runForward(device, g, plan.views, { q, k, v, keyLengths }, plan.outputs, {
          subgroups,
          scale: 0.2,
        });
        const rows = (x: Float32Array, len: number): Float32Array => gatherRows(x, g, plan.views.q, len);
        const bh = g.batch * g.inner * g.heads;
        const ref = attentionForwardRef(
          rows(q, g.lq),
          rows(k, g.lk),
          rows(v, g.lk),
          {
            bh,
            lq: g.lq,
            lk: g.lk,
            d: 32,
            seqPerBatch: g.inner * g.heads,
          },
          { scale: 0.2, keyLengths },
        );
        const want = new Float32Array(plan.outputs);
        scatterRows(ref.o, want, g, plan.views.o, g.lq);
        expect(maxAbsDiff(run.o, want)).toBeLessThanOrEqual(parityTolerance(want));
        expect(maxAbsDiff(run.lse, ref.lse)).toBeLessThanOrEqual(parityTolerance(ref.lse));
      });
    }
  }

  it('gives o = 0 and the sentinel logsumexp for rows with every key masked', async () => {
    const { device } = await acquireGpu();
    const g = geometry(2, 5, 6, 64, 2);
    const x = randomInputs(9, 2 * 5 * 64, 2 * 6 * 64);
    const mask = new Float32Array(5 * 6);
    mask.fill(-Infinity, 6, 12); // row 1 fully masked
    const keyLengths = Int32Array.from([6, 0]); // batch 1 has no keys
    const run = await runForward(device, g, contiguousViews(g), { ...x, mask, keyLengths }, 2 * 5 * 64);
    const ref = attentionForwardRef(
      x.q,
      x.k,
      x.v,
      { bh: 2, lq: 5, lk: 6, d: 64, seqPerBatch: 1 },
      {
        scale: 1 / 8,
        mask,
        keyLengths,
      },
    );
    expect(maxAbsDiff(run.o, ref.o)).toBeLessThanOrEqual(parityTolerance(ref.o));
    expect(run.o.subarray(64, 128).every((value) => value === 0)).toBe(true);
    expect(run.o.subarray(5 * 64).every((value) => value === 0)).toBe(true);
    expect(run.lse[1]).toBe(Math.fround(NEG_SENTINEL));
  });
});
