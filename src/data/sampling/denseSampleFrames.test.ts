// MMAction2 DenseSampleFrames on hand-worked cases (offsets as MMAction2's _get_test_clips / _get_train_clips
// define them: window sample_range, clips sample_range // num_clips apart, linspace start positions in test).
import { describe, expect, it } from 'vitest';
import { denseSampleFrames } from './sampleFrames.ts';

/** A scripted rng: `int(n)` returns the next scripted value (checked to lie in [0, n)). */
function script(...values: number[]) {
  return {
    int(n: number) {
      const v = values.shift();
      if (v === undefined || v < 0 || v >= n) throw new Error(`script: ${v} not in [0, ${n})`);
      return v;
    },
    uniform: () => 0,
  };
}

const firsts = (inds: Int32Array, clipLen: number): number[] =>
  Array.from({ length: inds.length / clipLen }, (_, c) => inds[c * clipLen] ?? -1);

describe('denseSampleFrames', () => {
  it('test mode: 10 start positions × numClips clips spaced sample_range / num_clips', () => {
    const s = denseSampleFrames(300, { clipLen: 2, frameInterval: 1, numClips: 2, testMode: true });
    expect(s.numClips).toBe(20);
    expect(firsts(s.frameInds, 2)).toEqual([
      0, 32, 26, 58, 52, 84, 78, 110, 104, 136, 131, 163, 157, 189, 183, 215, 209, 241, 236, 268,
    ]);
    expect([...s.frameInds.subarray(0, 4)]).toEqual([0, 1, 32, 33]);
  });

  it('test mode on a video shorter than the window: every position starts at 0', () => {
    const s = denseSampleFrames(50, { clipLen: 1, numClips: 4, testMode: true });
    expect(firsts(s.frameInds, 1)).toEqual(Array.from({ length: 10 }, () => [0, 16, 32, 48]).flat());
    const few = denseSampleFrames(100, {
      clipLen: 1,
      numClips: 1,
      sampleRange: 32,
      numSamplePositions: 3,
      testMode: true,
    });
    expect([...few.frameInds]).toEqual([0, 34, 68]);
  });

  it('train mode: one random start in [0, n - range), clips wrap modulo the video, loop out of bounds', () => {
    const s = denseSampleFrames(100, { clipLen: 4, frameInterval: 2, numClips: 2 }, script(30));
    // sample_position = 1 + 100 - 64 = 37; start 30; clips at 30 and 62; frames every 2.
    expect([...s.frameInds]).toEqual([30, 32, 34, 36, 62, 64, 66, 68]);
    const short = denseSampleFrames(20, { clipLen: 4, frameInterval: 4, numClips: 2 }, script());
    // sample_position = 1 → start 0 without a draw; second clip at 32 % 20 = 12; 12 + 12 = 24 loops to 4.
    expect([...short.frameInds]).toEqual([0, 4, 8, 12, 12, 16, 0, 4]);
  });

  it('needs an rng in train mode and positive integers', () => {
    expect(() => denseSampleFrames(100, { clipLen: 4 })).toThrow(/seeded Rng/);
    expect(() => denseSampleFrames(100, { clipLen: 4, sampleRange: 0, testMode: true })).toThrow(
      /sampleRange/,
    );
  });
});
