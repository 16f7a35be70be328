import { describe, expect, it } from 'vitest';
import { conv3dFlops, conv3dGeometry } from './geometry.ts';
import { conv3dBackpropFilterRef, conv3dBackpropInputRef, conv3dRef } from './conv3d.ref.ts';
import { Rng } from '../../../shared/random.ts';

describe('conv3dGeometry', () => {
  it("matches TF's 'same' rule, including asymmetric padding", () => {
    const g = conv3dGeometry([1, 8, 112, 112, 3], [3, 7, 7, 3, 64], { strides: [1, 2, 2], pad: 'same' });
    expect([g.outD, g.outH, g.outW]).toEqual([8, 56, 56]);
    expect(g.padD).toEqual([1, 1]);
    expect(g.padH).toEqual([2, 3]); // total 5 → 2 before, 3 after
  });

  it("computes 'valid', explicit and dilated outputs", () => {
    expect(conv3dGeometry([2, 5, 9, 9, 4], [3, 3, 3, 4, 8], { pad: 'valid' }).outH).toBe(7);
    const e = conv3dGeometry([1, 4, 10, 10, 2], [1, 3, 3, 2, 2], {
      pad: [
        [0, 0],
        [1, 2],
        [0, 1],
      ],
      strides: 2,
    });
    expect([e.outD, e.outH, e.outW]).toEqual([2, 6, 5]);
    expect(conv3dGeometry([1, 9, 9, 9, 1], [3, 3, 3, 1, 1], { dilations: 2 }).outD).toBe(5);
  });

  it('checks groups against the channels and counts FLOPs per group', () => {
    const g = conv3dGeometry([1, 4, 4, 4, 6], [3, 3, 3, 1, 6], { groups: 6, pad: 'same' });
    expect(conv3dFlops(g)).toBe(2 * 64 * 6 * 27);
    expect(() => conv3dGeometry([1, 4, 4, 4, 6], [3, 3, 3, 2, 6], { groups: 4 })).toThrow(/groups=4/);
    expect(() => conv3dGeometry([1, 2, 2, 2, 1], [3, 3, 3, 1, 1])).toThrow(/larger than the padded input/);
  });
});

describe('conv3d references', () => {
  it('agree with each other through the adjoint identity <conv(x,w), dy> = <x, dgrad(dy,w)> = <w, wgrad(x,dy)>', () => {
    const rng = new Rng(5);
    for (const groups of [1, 2, 4]) {
      const g = conv3dGeometry([2, 3, 5, 4, 4], [2, 3, 2, 4 / groups, 4], {
        groups,
        pad: 'same',
        strides: [1, 2, 1],
      });
      const x = rng.float32(2 * 3 * 5 * 4 * 4);
      const w = rng.float32(2 * 3 * 2 * (4 / groups) * 4);
      const y = conv3dRef(x, w, g);
      const dy = rng.float32(y.length);
      const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + v * (b[i] ?? 0), 0);
      const lhs = dot(y, dy);
      expect(dot(x, conv3dBackpropInputRef(dy, w, g))).toBeCloseTo(lhs, 3);
      expect(dot(w, conv3dBackpropFilterRef(x, dy, g))).toBeCloseTo(lhs, 3);
    }
  });

  it('computes a hand-checked 1-channel example', () => {
    const g = conv3dGeometry([1, 1, 3, 3, 1], [1, 2, 2, 1, 1], { pad: 'valid' });
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const w = Float32Array.from([1, 0, 0, 1]);
    expect(Array.from(conv3dRef(x, w, g))).toEqual([6, 8, 12, 14]);
  });
});
