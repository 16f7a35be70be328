import { describe, expect, it } from 'vitest';
import { decodeWindow, planFrames, type PlannedSample } from './framePlan.ts';

/** Samples in decode order from presentation indices; 40 ms frames; `sync` lists decode indices. */
function samples(presentation: number[], sync: number[]): PlannedSample[] {
  return presentation.map((p, d) => ({
    ctsUs: 80_000 + p * 40_000,
    durationUs: 40_000,
    isSync: sync.includes(d),
  }));
}

// I0 P3 B1 B2 | I4 P7 B5 B6 | I8 P9 — a closed-GOP stream with B-frames, in decode order.
const GOPS = samples([0, 3, 1, 2, 4, 7, 5, 6, 8, 9], [0, 4, 8]);

describe('planFrames', () => {
  it('orders frames by presentation time and keeps all by default', () => {
    const plan = planFrames(GOPS);
    expect([...plan.presentationToDecode]).toEqual([0, 2, 3, 1, 4, 6, 7, 5, 8, 9]);
    expect([...plan.kept]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(plan.keptTimestampsUs[3]).toBe(80_000 + 3 * 40_000);
    expect(plan.sourceFps).toBeCloseTo(25, 6);
    expect(plan.fps).toBeCloseTo(25, 6);
    expect(plan.durationSec).toBeCloseTo(0.4, 9);
  });

  it('subsamples to a target frame rate by index and caps the frame count', () => {
    const many = samples(
      Array.from({ length: 100 }, (_, i) => i),
      [0],
    );
    const half = planFrames(many, { targetFps: 12.5 });
    expect(half.kept.length).toBe(50);
    expect([...half.kept.subarray(0, 4)]).toEqual([0, 2, 4, 6]);
    expect(half.fps).toBeCloseTo(12.5, 6);
    const tenth = planFrames(many, { targetFps: 2.5, maxFrames: 3 });
    expect([...tenth.kept]).toEqual([0, 10, 20]);
    expect(planFrames(many, { targetFps: 60 }).kept.length).toBe(100);
    expect(planFrames([], {}).kept.length).toBe(0);
  });
});

describe('decodeWindow', () => {
  const plan = planFrames(GOPS);

  it('decodes everything for a fresh start and nothing past the end', () => {
    expect(decodeWindow(GOPS, plan, 0)).toEqual({ first: 0, last: 9 });
    expect(decodeWindow(GOPS, plan, 10)).toBeNull();
  });

  it('resumes from the sync sample before the earliest needed sample', () => {
    // Frames 5.. need B5 (decode 6) and P7 (decode 5): start at I4 (decode 4).
    expect(decodeWindow(GOPS, plan, 5)).toEqual({ first: 4, last: 9 });
    expect(decodeWindow(GOPS, plan, 8)).toEqual({ first: 8, last: 9 });
  });

  it('stops after the last needed sample when frames are capped', () => {
    const capped = planFrames(GOPS, { maxFrames: 3 });
    // Frames 0..2 are I0, B1, B2 (decode 0, 2, 3).
    expect(decodeWindow(GOPS, capped, 0)).toEqual({ first: 0, last: 3 });
  });

  it('steps back one more GOP for open-GOP leading pictures', () => {
    // I0 P2 B1 | I5 B3 B4 P7 B6: B3/B4 follow I5 in decode order but are shown before it.
    const open = samples([0, 2, 1, 5, 3, 4, 7, 6], [0, 3]);
    const openPlan = planFrames(open);
    expect(decodeWindow(open, openPlan, 3)).toEqual({ first: 0, last: 7 });
    expect(decodeWindow(open, openPlan, 5)).toEqual({ first: 3, last: 7 });
  });
});
