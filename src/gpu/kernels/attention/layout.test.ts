// Pure pieces of the attention kernels: WGSL specialisation, Params packing, tile choice, dispatch folding,
// the dropout hash and the view gather/scatter of the CPU reference. Node.
import { describe, expect, it } from 'vitest';
import { constPrelude, hoistEnables, specialiseWgsl } from './wgslTemplate.ts';
import {
  chooseTiles,
  contiguousViews,
  foldDispatch,
  packParams,
  PARAMS_WORDS,
  viewExtent,
  workgroupBytes,
  type AttentionGeometry,
} from './layout.ts';
import { dropKeep, dropKeepMask, fmix32 } from './dropout.ts';
import { gatherRows, scatterRows } from './attention.ref.ts';
import { spaceTimePlan } from './spaceTime.ts';

describe('specialiseWgsl', () => {
  const src = ['a', '//#if X', 'b', '//#if !Y', 'c', '//#else', 'd', '//#endif', '//#endif', 'e'].join('\n');
  it('keeps and drops nested blocks', () => {
    expect(specialiseWgsl(src, { X: true, Y: false })).toBe('a\nb\nc\ne');
    expect(specialiseWgsl(src, { X: true, Y: true })).toBe('a\nb\nd\ne');
    expect(specialiseWgsl(src, { X: false, Y: true })).toBe('a\ne');
  });
  it('rejects unknown flags and unbalanced blocks', () => {
    expect(() => specialiseWgsl(src, { X: true })).toThrow(/unknown flag Y/);
    expect(() => specialiseWgsl('//#if X\na', { X: true })).toThrow(/unterminated/);
    expect(() => specialiseWgsl('//#endif', {})).toThrow(/stray/);
  });
  it('writes consts and hoists enables', () => {
    expect(constPrelude({ D4: 16 })).toBe('const D4: u32 = 16u;');
    expect(hoistEnables('const a = 1;\nenable subgroups;\nfn f() {}')).toBe(
      'enable subgroups;\nconst a = 1;\nfn f() {}',
    );
  });
});

describe('layout', () => {
  const g: AttentionGeometry = { batch: 2, inner: 1, heads: 3, lq: 5, lk: 7, headDim: 64, prefix: 0 };
  it('packs the Params block with views in vec4 units', () => {
    const words = packParams({
      geometry: g,
      views: contiguousViews(g),
      scale: 0.125,
      dropout: { rate: 0.25, seed: 9 },
      tiles: 4,
      hasMask: true,
      hasKeyLengths: false,
    });
    expect(words.length).toBe(PARAMS_WORDS);
    expect(Array.from(words.subarray(0, 8))).toEqual([6, 5, 7, 3, 1, 0, 4, 9]);
    expect(new Float32Array(words.buffer)[8]).toBe(0.125);
    expect(words[9]).toBe(2 ** 30);
    expect(words[11]).toBe(1 | 4);
    // role k (index 1): offset 0, outer = 3·7·64, inner, head = 7·64, token = 64, all / 4
    expect(Array.from(words.subarray(28, 33))).toEqual([
      0,
      (3 * 7 * 64) / 4,
      (3 * 7 * 64) / 4,
      (7 * 64) / 4,
      16,
    ]);
  });
  it('sizes contiguous views exactly', () => {
    expect(viewExtent(g, contiguousViews(g).q, g.lq)).toBe(2 * 3 * 5 * 64);
  });
  it('chooses tiles within the workgroup budget', () => {
    for (const d of [32, 64, 96, 128] as const) {
      for (const kind of ['fwd', 'dq', 'dkdv'] as const) {
        for (const sg of [null, { min: 32, max: 32 }]) {
          const t = chooseTiles(kind, d, 197, sg);
          expect(workgroupBytes(kind, d, t.tile, t.subgroups)).toBeLessThanOrEqual(16384);
          expect(t.lanes * t.rows).toBe(64);
        }
      }
    }
    expect(chooseTiles('fwd', 64, 8, { min: 4, max: 4 }).subgroups).toBe(false); // 8 lanes > subgroup of 4
    expect(chooseTiles('fwd', 64, 197, { min: 4, max: 4 }).subgroups).toBe(true);
    expect(chooseTiles('fwd', 64, 197, { min: 32, max: 128 }).subgroups).toBe(false);
    expect(chooseTiles('fwd', 64, 197, null, 16384, 4).tile).toBe(4);
  });
  it('folds large dispatches into two dimensions', () => {
    expect(foldDispatch(10, 65535)).toEqual([10, 1, 1]);
    expect(foldDispatch(70000, 65535)).toEqual([65535, 2, 1]);
    expect(() => foldDispatch(0, 65535)).toThrow();
  });
});

describe('dropout hash', () => {
  it('is deterministic, seed-dependent and keeps about 1 − rate', () => {
    expect(fmix32(0)).toBe(0);
    const a = dropKeepMask(5, 0.3, 3, 40, 50);
    expect(dropKeepMask(5, 0.3, 3, 40, 50)).toEqual(a);
    expect(dropKeepMask(6, 0.3, 3, 40, 50)).not.toEqual(a);
    const kept = a.reduce((s, x) => s + x, 0) / a.length;
    expect(Math.abs(kept - 0.7)).toBeLessThan(0.02);
    expect(dropKeep(5, 0.3, 2, 39, 49)).toBe(a[(2 * 40 + 39) * 50 + 49] === 1);
  });
});

describe('space-time views', () => {
  const layout = { frames: 2, patches: 3, heads: 2, headDim: 32, clsTokens: 1 } as const;
  const n = 1 + 2 * 3;
  const tokens = Float32Array.from({ length: 2 * n * 2 * 32 }, (_, i) => i);
  /** Element of token `t`, head `h`, channel 0 in clip `b`. */
  const at = (b: number, t: number, h: number): number => ((b * n + t) * 2 + h) * 32;

  it('reads spatial sequences with the shared class token first', () => {
    const { geometry, views } = spaceTimePlan('spatial', 2, layout);
    const rows = gatherRows(tokens, geometry, views.q, geometry.lq);
    const seq = (1 * 2 + 1) * 2 + 1; // clip 1, frame 1, head 1
    expect(rows[seq * 4 * 32]).toBe(at(1, 0, 1));
    expect(rows[(seq * 4 + 2) * 32]).toBe(at(1, 1 + 3 + 1, 1)); // patch 1 of frame 1
  });

  it('reads temporal sequences with stride S and writes class rows nowhere', () => {
    const { geometry, views, outputs } = spaceTimePlan('temporal', 2, layout);
    const rows = gatherRows(tokens, geometry, views.q, geometry.lq);
    const seq = (1 * 3 + 2) * 2 + 0; // clip 1, patch 2, head 0
    expect(rows[(seq * 2 + 1) * 32]).toBe(at(1, 1 + 1 * 3 + 2, 0));
    const out = new Float32Array(outputs);
    scatterRows(rows, out, geometry, views.o, geometry.lq);
    expect(out.subarray(at(1, 0, 0), at(1, 1, 0)).every((x) => x === 0)).toBe(true);
    expect(out.subarray(at(1, 1, 0))).toEqual(tokens.subarray(at(1, 1, 0)));
  });

  it('puts per-frame class-token outputs of spatial attention in a [B, T, C, H, d] tail', () => {
    const { geometry, views, tokens: size, outputs } = spaceTimePlan('spatial', 2, layout);
    expect(outputs).toBe(size + 2 * 2 * 1 * 2 * 32);
    const rows = gatherRows(tokens, geometry, views.q, geometry.lq);
    const out = new Float32Array(outputs);
    scatterRows(rows, out, geometry, views.o, geometry.lq);
    expect(out[size + ((1 * 2 + 1) * 2 + 1) * 32]).toBe(at(1, 0, 1)); // tail[b=1, t=1, c=0, h=1]
    expect(out.subarray(at(0, 1, 0), size)).toEqual(
      tokens.subarray(at(0, 1, 0)).map((x, i) => (Math.floor(i / 64) % n === n - 1 ? 0 : x)),
    );
  });
});
