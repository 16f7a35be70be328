// Known answers derived by hand from MMAction2 v1.2 SampleFrames / UniformSample formulas, plus
// statistical checks of the random train offsets. Node (Vitest unit).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../shared/random.ts';
import {
  clipsOf,
  describeSampling,
  formatSampling,
  roundHalfEven,
  sampleFrames,
  uniformSample,
  type SamplerRng,
} from './sampleFrames.ts';

const arr = (a: Int32Array): number[] => Array.from(a);
const range = (start: number, count: number, step = 1): number[] =>
  Array.from({ length: count }, (_, i) => start + i * step);

/** Scripted draws: int(n) -> n-1 ('max') or 0 ('min'); uniform(lo, hi) -> just below hi or lo. */
function scripted(mode: 'min' | 'max'): SamplerRng & { calls: number } {
  const rng = {
    calls: 0,
    int(n: number): number {
      rng.calls++;
      return mode === 'max' ? n - 1 : 0;
    },
    uniform(lo: number, hi: number): number {
      rng.calls++;
      return mode === 'max' ? lo + (hi - lo) * 0.999 : lo;
    },
  };
  return rng;
}

describe('roundHalfEven', () => {
  it('matches numpy round on halves and non-halves', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4, 2.6].map(roundHalfEven)).toEqual([
      0, 2, 2, 4, -0, -2, -2, 2, 3,
    ]);
  });
});

describe('sampleFrames test mode (deterministic)', () => {
  it('num_clips 1 takes the centred clip: 32x2x1 on 300 frames starts at (300-63)//2 = 118', () => {
    const s = sampleFrames(300, { clipLen: 32, frameInterval: 2, testMode: true });
    expect(s.numClips).toBe(1);
    expect(arr(s.frameInds)).toEqual(range(118, 32, 2));
  });

  it('num_clips 10 spreads clips evenly: 8x8x10 on 250 frames, offsets round(i*193/9)', () => {
    const s = sampleFrames(250, { clipLen: 8, frameInterval: 8, numClips: 10, testMode: true });
    const starts = clipsOf(s).map((c) => c[0]);
    expect(starts).toEqual([0, 21, 43, 64, 86, 107, 129, 150, 172, 193]);
    expect(arr(clipsOf(s)[9] ?? new Int32Array())).toEqual(range(193, 8, 8));
    expect(s.frameInds.length).toBe(80);
  });

  it('rounds offsets half to even like np.round (offset 2.5 -> 2)', () => {
    const s = sampleFrames(7, { clipLen: 2, numClips: 3, testMode: true });
    expect(arr(s.frameInds)).toEqual([0, 1, 2, 3, 5, 6]);
  });

  it('loops or repeats the last frame when the video is shorter than clip_len*interval', () => {
    const cfg = { clipLen: 8, frameInterval: 4, testMode: true } as const;
    expect(arr(sampleFrames(20, cfg).frameInds)).toEqual([0, 4, 8, 12, 16, 0, 4, 8]);
    expect(arr(sampleFrames(20, { ...cfg, outOfBoundOpt: 'repeat_last' }).frameInds)).toEqual([
      0, 4, 8, 12, 16, 16, 16, 16,
    ]);
  });

  it('2D (clip_len 1) takes segment centres; twice_sample appends segment starts (TSM)', () => {
    const tsn = sampleFrames(100, { clipLen: 1, numClips: 8, testMode: true });
    expect(arr(tsn.frameInds)).toEqual([6, 18, 31, 43, 56, 68, 81, 93]);
    const tsm = sampleFrames(100, { clipLen: 1, numClips: 8, testMode: true, twiceSample: true });
    expect(tsm.numClips).toBe(16);
    expect(arr(tsm.frameInds)).toEqual([6, 18, 31, 43, 56, 68, 81, 93, 0, 12, 25, 37, 50, 62, 75, 87]);
  });

  it('adds start_index after truncation (raw frames are 1-based)', () => {
    const s = sampleFrames(100, { clipLen: 1, numClips: 8, testMode: true, startIndex: 1 });
    expect(arr(s.frameInds)).toEqual([7, 19, 32, 44, 57, 69, 82, 94]);
  });

  it('3D twice_sample divides by num_clips-1, so the extra clips wrap (MMAction2 quirk)', () => {
    const cfg = { clipLen: 2, numClips: 2, testMode: true, twiceSample: true } as const;
    expect(arr(sampleFrames(10, cfg).frameInds)).toEqual([0, 1, 8, 9, 6, 7, 4, 5]);
    expect(arr(sampleFrames(10, { ...cfg, outOfBoundOpt: 'repeat_last' }).frameInds)).toEqual([
      0, 1, 8, 9, 0, 0, 0, 0,
    ]);
    expect(() => sampleFrames(10, { clipLen: 2, testMode: true, twiceSample: true })).toThrow(/numClips > 1/);
  });

  it('needs no rng in test mode and rejects bad arguments with a coded error', () => {
    expect(() => sampleFrames(0, { clipLen: 4, testMode: true })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => sampleFrames(10, { clipLen: 0, testMode: true })).toThrow(/clipLen/);
    expect(() => sampleFrames(10, { clipLen: 4 })).toThrow(/Rng/);
  });
});

describe('sampleFrames train mode', () => {
  it('avg_interval > 0: offset_i = i*avg + randint(avg); 8x2x3 on 100 frames has avg 28', () => {
    const lo = sampleFrames(100, { clipLen: 8, frameInterval: 2, numClips: 3 }, scripted('min'));
    const hi = sampleFrames(100, { clipLen: 8, frameInterval: 2, numClips: 3 }, scripted('max'));
    expect(clipsOf(lo).map((c) => c[0])).toEqual([0, 28, 56]);
    expect(clipsOf(hi).map((c) => c[0])).toEqual([27, 55, 83]);
    expect(arr(clipsOf(hi)[2] ?? new Int32Array())).toEqual(range(83, 8, 2));
  });

  it('avg_interval <= 0 but enough frames: sorted randint(n - ori + 1)', () => {
    // 4x4x8 on 20 frames: ori 16, avg (5)//8 = 0, 20 > max(8,16) -> offsets in [0, 4].
    const rng = new Rng(5);
    for (let t = 0; t < 50; t++) {
      const starts = clipsOf(sampleFrames(20, { clipLen: 4, frameInterval: 4, numClips: 8 }, rng)).map(
        (c) => c[0] ?? -1,
      );
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
      for (const s of starts) expect(s >= 0 && s <= 4).toBe(true);
    }
  });

  it('avg_interval == 0 without enough frames: round(i * ratio), no draws', () => {
    // 2x4x10 on 10 frames: ori 8, ratio 3/10 -> offsets 0,0,1,1,1,2,2,2,2,3.
    const rng = scripted('max');
    const s = sampleFrames(10, { clipLen: 2, frameInterval: 4, numClips: 10 }, rng);
    expect(clipsOf(s).map((c) => c[0])).toEqual([0, 0, 1, 1, 1, 2, 2, 2, 2, 3]);
    expect(rng.calls).toBe(0);
    // ratio 0.5 -> round(0.5) = 0 (half to even).
    expect(arr(sampleFrames(3, { clipLen: 3, numClips: 2 }, rng).frameInds)).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('too few frames: zero offsets, then loop or repeat_last', () => {
    expect(arr(sampleFrames(1, { clipLen: 3, numClips: 2 }, scripted('max')).frameInds)).toEqual([
      0, 0, 0, 0, 0, 0,
    ]);
    expect(arr(sampleFrames(5, { clipLen: 4, frameInterval: 2 }, scripted('max')).frameInds)).toEqual([
      // ori 8, avg (5-8+1)//1 = -2 -> zeros; 0,2,4,6 -> loop 6 % 5 = 1.
      0, 2, 4, 1,
    ]);
    expect(
      arr(
        sampleFrames(5, { clipLen: 4, frameInterval: 2, outOfBoundOpt: 'repeat_last' }, scripted('max'))
          .frameInds,
      ),
    ).toEqual([0, 2, 4, 4]);
  });

  it('keep_tail_frames: offset_i = int(i*avg + uniform(0, avg)) with float avg', () => {
    // 4x1x2 on 10 frames: avg 3.5 -> clip 0 in [0, 3], clip 1 in [3, 6].
    const cfg = { clipLen: 4, numClips: 2, keepTailFrames: true } as const;
    expect(clipsOf(sampleFrames(10, cfg, scripted('min'))).map((c) => c[0])).toEqual([0, 3]);
    expect(clipsOf(sampleFrames(10, cfg, scripted('max'))).map((c) => c[0])).toEqual([3, 6]);
    expect(arr(sampleFrames(10, cfg, scripted('max')).frameInds)).toEqual([3, 4, 5, 6, 6, 7, 8, 9]);
    // n <= ori - 1: zero offsets.
    expect(arr(sampleFrames(3, { clipLen: 4, keepTailFrames: true }, scripted('max')).frameInds)).toEqual([
      0, 1, 2, 0,
    ]);
  });

  it('temporal jitter adds randint(frame_interval) per frame after the offsets', () => {
    const rng = scripted('max');
    const s = sampleFrames(
      100,
      { clipLen: 4, frameInterval: 3, numClips: 1, testMode: true, temporalJitter: true },
      rng,
    );
    // Test offset (100-10)//2 = 45; indices 45,48,51,54 each + 2.
    expect(arr(s.frameInds)).toEqual([47, 50, 53, 56]);
    expect(rng.calls).toBe(4);
  });

  it('random offsets stay in range, cover it, and reproduce with a seed', () => {
    const cfg = { clipLen: 16, frameInterval: 4, numClips: 1 } as const; // ori 64; avg 300-64+1 = 237
    const seen = new Set<number>();
    const rng = new Rng(1234);
    let sum = 0;
    let bad = 0;
    const trials = 5000;
    for (let t = 0; t < trials; t++) {
      const s = sampleFrames(300, cfg, rng);
      const start = s.frameInds[0] ?? -1;
      if (start < 0 || start > 236 || s.frameInds[15] !== start + 60) bad++;
      seen.add(start);
      sum += start;
    }
    expect(bad).toBe(0);
    expect(seen.size).toBeGreaterThan(220); // nearly all 237 offsets hit
    expect(Math.abs(sum / trials - 118)).toBeLessThan(4); // mean of U{0..236} is 118, sd/sqrt(n) ~ 1
    const a = sampleFrames(300, { ...cfg, numClips: 4, temporalJitter: true }, new Rng(9));
    const b = sampleFrames(300, { ...cfg, numClips: 4, temporalJitter: true }, new Rng(9));
    const c = sampleFrames(300, { ...cfg, numClips: 4, temporalJitter: true }, new Rng(10));
    expect(arr(a.frameInds)).toEqual(arr(b.frameInds));
    expect(arr(a.frameInds)).not.toEqual(arr(c.frameInds));
  });

  it('segment-wise offsets keep each clip inside its own segment', () => {
    // 1x1x8 TSN train on 80 frames: avg 10 -> clip i in [10i, 10i+9].
    const rng = new Rng(3);
    const hits = Array.from({ length: 8 }, () => new Set<number>());
    let outside = 0;
    for (let t = 0; t < 400; t++) {
      sampleFrames(80, { clipLen: 1, numClips: 8 }, rng).frameInds.forEach((v, i) => {
        if (v < 10 * i || v > 10 * i + 9) outside++;
        hits[i]?.add(v);
      });
    }
    expect(outside).toBe(0);
    for (const h of hits) expect(h.size).toBe(10);
  });
});

describe('uniformSample (MMAction2 UniformSample)', () => {
  it('test mode takes a fixed fraction of each segment; short videos repeat frames', () => {
    // 10 frames, 4 segments: size 2.25, starts 0,2,4(4.5 half-even),7.
    expect(arr(uniformSample(10, { clipLen: 4, testMode: true }).frameInds)).toEqual([1, 3, 5, 8]);
    const three = uniformSample(10, { clipLen: 4, numClips: 3, testMode: true });
    expect(three.numClips).toBe(3);
    expect(arr(three.frameInds)).toEqual([0, 2, 4, 7, 1, 3, 5, 8, 1, 3, 5, 8]);
    expect(arr(uniformSample(3, { clipLen: 8, testMode: true }).frameInds)).toEqual([0, 0, 0, 1, 1, 1, 2, 2]);
    expect(arr(uniformSample(10, { clipLen: 4, testMode: true, startIndex: 1 }).frameInds)).toEqual([
      2, 4, 6, 9,
    ]);
  });

  it('train mode draws one frame in [start_i, end_i] per segment', () => {
    expect(arr(uniformSample(10, { clipLen: 4 }, scripted('min')).frameInds)).toEqual([0, 2, 4, 7]);
    expect(arr(uniformSample(10, { clipLen: 4 }, scripted('max')).frameInds)).toEqual([2, 4, 7, 9]);
    const rng = new Rng(77);
    for (let t = 0; t < 200; t++) {
      const s = uniformSample(10, { clipLen: 4, numClips: 5 }, rng);
      expect(s.numClips).toBe(1);
      const [a = -1, b = -1, c = -1, d = -1] = arr(s.frameInds);
      expect(a >= 0 && a <= 2 && b >= 2 && b <= 4 && c >= 4 && c <= 7 && d >= 7 && d <= 9).toBe(true);
    }
  });
});

describe('describeSampling', () => {
  it('parses bare triples and MMAction2 config names', () => {
    expect(describeSampling('16x4x1')).toEqual({ clipLen: 16, frameInterval: 4, numClips: 1 });
    expect(describeSampling('slowfast_r50_8xb8-4x16x1-256e_kinetics400-rgb')).toEqual({
      clipLen: 4,
      frameInterval: 16,
      numClips: 1,
    });
    expect(describeSampling('tsn_imagenet-pretrained-r50_8xb32-1x1x8-100e_kinetics400-rgb')?.numClips).toBe(
      8,
    );
    expect(describeSampling('x3d_s_13x6x1_facebook-kinetics400-rgb')?.clipLen).toBe(13);
  });

  it('rejects names without a valid triple and round-trips formatSampling', () => {
    expect(describeSampling('8xb8')).toBeNull();
    expect(describeSampling('0x4x1')).toBeNull();
    expect(describeSampling('1x2x3x4')).toBeNull();
    expect(formatSampling({ clipLen: 32, frameInterval: 2, numClips: 10 })).toBe('32x2x10');
    expect(formatSampling({ clipLen: 8 })).toBe('8x1x1');
  });
});
