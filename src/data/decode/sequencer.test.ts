import { describe, expect, it } from 'vitest';
import { FrameSequencer } from './sequencer.ts';

const indices = (frames: { index: number; data: string; repaired: boolean }[]): string[] =>
  frames.map((f) => `${f.index}:${f.data}${f.repaired ? '*' : ''}`);

describe('FrameSequencer', () => {
  it('emits frames in index order whatever order they arrive in', () => {
    const s = new FrameSequencer<string>(0, 4, 8);
    s.add(1, 'b');
    expect(s.take()).toEqual([]);
    s.add(0, 'a');
    s.add(3, 'd');
    expect(indices(s.take())).toEqual(['0:a', '1:b']);
    s.add(2, 'c');
    expect(indices(s.take())).toEqual(['2:c', '3:d']);
    expect(s.done).toBe(true);
    expect(s.repaired).toBe(0);
  });

  it('ignores duplicates and out-of-range indices, and starts at the resume index', () => {
    const s = new FrameSequencer<string>(2, 4, 8);
    expect(s.add(1, 'x')).toBe(false);
    expect(s.add(4, 'x')).toBe(false);
    expect(s.add(2, 'c')).toBe(true);
    expect(s.add(2, 'again')).toBe(false);
    expect(indices(s.take())).toEqual(['2:c']);
    expect(s.add(2, 'late')).toBe(false);
  });

  it('fills a gap from the previous frame once the window overflows, and at finish', () => {
    const s = new FrameSequencer<string>(0, 6, 2);
    s.add(0, 'a');
    s.add(2, 'c');
    s.add(3, 'd');
    expect(indices(s.take())).toEqual(['0:a']);
    s.add(4, 'e');
    expect(indices(s.take())).toEqual(['1:a*', '2:c', '3:d', '4:e']);
    expect(indices(s.finish())).toEqual(['5:e*']);
    expect(s.repaired).toBe(2);
  });

  it('fills a missing first frame from the nearest later one, and gives nothing when nothing came', () => {
    const s = new FrameSequencer<string>(0, 3, 8);
    s.add(2, 'c');
    expect(indices(s.finish())).toEqual(['0:c*', '1:c*', '2:c']);
    expect(new FrameSequencer<string>(0, 3, 8).finish()).toEqual([]);
  });
});
