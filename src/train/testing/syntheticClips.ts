// TEST-ONLY: a ClipSource of synthetic moving-bar clips (a bright bar moving left, right, up or down), so a 3-D
// model must use time to tell the classes apart. Deterministic: clip i's content depends on i and the sampler Rng.
import type { Rng } from '../../shared/random.ts';
import type { ClipBatch, ClipSampling, ClipSource, ClipSplit } from '../types.ts';

export interface SyntheticClipOptions {
  readonly train: number;
  readonly val: number;
  readonly frames: number;
  readonly size: number;
  /** Up to 4 classes: right, left, down, up. */
  readonly classes: number;
  /** Random temporal offset per train clip (default true); false makes reads independent of the Rng. */
  readonly randomStart?: boolean;
}

export class SyntheticClips implements ClipSource {
  readonly numClasses: number;
  /** Indices requested per call, for sampler assertions. */
  readonly reads: { split: ClipSplit; indices: number[]; clipLen?: number }[] = [];

  constructor(private readonly o: SyntheticClipOptions) {
    if (o.classes < 2 || o.classes > 4) throw new RangeError('SyntheticClips: 2..4 classes');
    this.numClasses = o.classes;
  }

  size(split: ClipSplit): number {
    return split === 'train' ? this.o.train : this.o.val;
  }

  read(split: ClipSplit, indices: readonly number[], rng: Rng, sampling?: ClipSampling): Promise<ClipBatch> {
    this.reads.push({ split, indices: [...indices], ...(sampling ? { clipLen: sampling.clipLen } : {}) });
    const { size: s } = this.o;
    const t = sampling?.clipLen ?? this.o.frames;
    const x = new Uint8Array(indices.length * t * s * s * 3);
    const labels = new Int32Array(indices.length);
    indices.forEach((clip, n) => {
      const label = clip % this.o.classes;
      labels[n] = label;
      // temporal offset: random for train (like SampleFrames), fixed for val
      const start = split === 'train' && this.o.randomStart !== false ? rng.int(s) : (clip * 7) % s;
      const tint = 60 + ((clip * 37) % 120);
      const step = sampling?.frameIntervals[n] ?? 1;
      for (let f = 0; f < t; f++) {
        const pos = (start + f * step) % s;
        const p = label === 0 || label === 2 ? pos : s - 1 - pos;
        for (let y = 0; y < s; y++) {
          for (let xx = 0; xx < s; xx++) {
            const on = label < 2 ? Math.abs(xx - p) <= 1 : Math.abs(y - p) <= 1;
            const base = (((n * t + f) * s + y) * s + xx) * 3;
            x[base] = on ? 250 : tint;
            x[base + 1] = on ? 240 : 40;
            x[base + 2] = on ? 230 : 255 - tint;
          }
        }
      }
    });
    return Promise.resolve({ x, shape: [indices.length, t, s, s, 3], labels });
  }
}
