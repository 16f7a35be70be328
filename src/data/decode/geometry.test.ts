import { describe, expect, it } from 'vitest';
import { rotatedSize, rotationFromMatrix, shortSideSize } from './geometry.ts';

const ONE = 65536;
const W = 1 << 30;

describe('rotationFromMatrix', () => {
  it('reads quarter turns clockwise (y down) from the tkhd matrix', () => {
    expect(rotationFromMatrix([ONE, 0, 0, 0, ONE, 0, 0, 0, W])).toBe(0);
    expect(rotationFromMatrix([0, ONE, 0, -ONE, 0, 0, 0, 0, W])).toBe(90);
    expect(rotationFromMatrix([-ONE, 0, 0, 0, -ONE, 0, 0, 0, W])).toBe(180);
    // What ffmpeg writes for `-metadata:s:v rotate=90` (shown turned counter-clockwise).
    expect(rotationFromMatrix([0, -ONE, 0, ONE, 0, 0, 0, 0, W])).toBe(270);
  });

  it('snaps near-quarter angles and treats missing or degenerate matrices as no rotation', () => {
    expect(rotationFromMatrix(Int32Array.from([1000, ONE, 0, -ONE, 1000, 0, 0, 0, W]))).toBe(90);
    expect(rotationFromMatrix(undefined)).toBe(0);
    expect(rotationFromMatrix([0, 0, 0, 0, 0, 0, 0, 0, W])).toBe(0);
  });
});

describe('frame sizes', () => {
  it('swaps width and height for quarter turns', () => {
    expect(rotatedSize(160, 120, 90)).toEqual({ width: 120, height: 160 });
    expect(rotatedSize(160, 120, 180)).toEqual({ width: 160, height: 120 });
  });

  it('scales the short side to the target with the aspect kept', () => {
    expect(shortSideSize(320, 240, 128)).toEqual({ width: 171, height: 128 });
    expect(shortSideSize(240, 320, 128)).toEqual({ width: 128, height: 171 });
    expect(shortSideSize(160, 120, 64)).toEqual({ width: 85, height: 64 });
    expect(shortSideSize(100, 100, 112)).toEqual({ width: 112, height: 112 });
    expect(() => shortSideSize(0, 10, 8)).toThrow(RangeError);
    expect(() => shortSideSize(10, 10, 0)).toThrow(RangeError);
  });
});
