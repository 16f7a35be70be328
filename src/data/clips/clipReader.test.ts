import { describe, expect, it } from 'vitest';
import { sampleFrames } from '../sampling/sampleFrames.ts';
import { batchSeed, ClipReader, epochOrder, type ClipFrameSource, type ClipItem } from './clipReader.ts';
import { cropResizeFrames, squareOrigin } from './squareCrop.ts';

/** Frames whose pixels encode (video, frame): R = video, G = frame, B = x coordinate. */
function fakeSource(videos: Record<string, { frames: number; w: number; h: number; done?: boolean }>) {
  const reads: string[] = [];
  const source: ClipFrameSource = {
    getVideo: (id) => {
      const v = videos[id];
      return Promise.resolve(
        v && {
          frameCount: v.frames,
          width: v.w,
          height: v.h,
          status: v.done === false ? 'ingesting' : 'done',
        },
      );
    },
    readFrames: (id, indices) => {
      reads.push(id);
      const v = videos[id];
      if (!v) return Promise.reject(new Error(`no ${id}`));
      const out = new Uint8Array(indices.length * v.w * v.h * 3);
      const vid = Number(id.slice(1));
      indices.forEach((f, k) => {
        for (let y = 0; y < v.h; y++)
          for (let x = 0; x < v.w; x++) {
            const o = ((k * v.h + y) * v.w + x) * 3;
            out[o] = vid;
            out[o + 1] = f;
            out[o + 2] = x;
          }
      });
      return Promise.resolve(out);
    },
  };
  return { source, reads };
}

const items = (n: number): ClipItem[] =>
  Array.from({ length: n }, (_, i) => ({ videoId: `v${i}`, label: i % 3 }));
const videos = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`v${i}`, { frames: 20 + i, w: 12, h: 8 }]));

describe('squareCrop', () => {
  it('places the short-side square along the long side', () => {
    expect(squareOrigin({ width: 12, height: 8 }, 0)).toEqual({ x: 0, y: 0, side: 8 });
    expect(squareOrigin({ width: 12, height: 8 }, 1)).toEqual({ x: 4, y: 0, side: 8 });
    expect(squareOrigin({ width: 12, height: 8 }, 0.5)).toEqual({ x: 2, y: 0, side: 8 });
    expect(squareOrigin({ width: 6, height: 10 }, 1)).toEqual({ x: 0, y: 4, side: 6 });
  });

  it('copies the square exactly at its own size and interpolates linearly when downsizing', () => {
    const w = 6;
    const h = 4;
    const frame = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) frame.set([x * 10, y * 10, 7], (y * w + x) * 3);
    const same = new Uint8Array(4 * 4 * 3);
    cropResizeFrames(frame, 1, { width: w, height: h }, 1, 4, same, 0);
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 4; x++)
        expect([...same.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3)]).toEqual([(x + 2) * 10, y * 10, 7]);
    const half = new Uint8Array(2 * 2 * 3);
    cropResizeFrames(frame, 1, { width: w, height: h }, 0, 2, half, 0);
    // Output pixel 0 samples source 0.5 (between columns/rows 0 and 1): the mean of 0 and 10.
    expect([...half.subarray(0, 3)]).toEqual([5, 5, 7]);
    expect([...half.subarray(9, 12)]).toEqual([25, 25, 7]);
  });
});

describe('ClipReader', () => {
  const sampling = { clipLen: 4, frameInterval: 2, numClips: 1 };

  it('visits every video once per training epoch in a seeded order that changes between epochs', () => {
    const a = epochOrder(10, 3, 0, true);
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(10).keys()]);
    expect([...epochOrder(10, 3, 0, true)]).toEqual([...a]);
    expect([...epochOrder(10, 3, 1, true)]).not.toEqual([...a]);
    expect([...epochOrder(10, 3, 0, false)]).toEqual([...Array(10).keys()]);
    expect(batchSeed(1, 0, 0)).not.toBe(batchSeed(1, 0, 1));
  });

  it('reads clips whose frames are the sampled indices of the right video, cropped square', async () => {
    const { source } = fakeSource(videos(6));
    const reader = new ClipReader(source, items(6), { sampling, size: 8, batchSize: 4, seed: 5 });
    expect(reader.batchesPerEpoch).toBe(1); // training drops the last partial batch
    const batch = await reader.readBatch(0, 0);
    expect(batch.x.length).toBe(4 * 4 * 8 * 8 * 3);
    const order = epochOrder(6, 5, 0, true);
    for (let i = 0; i < 4; i++) {
      const vid = order[i] ?? -1;
      expect(batch.labels[i]).toBe(vid % 3);
      const clip = batch.x.subarray(i * 4 * 8 * 8 * 3, (i + 1) * 4 * 8 * 8 * 3);
      const frames: number[] = [];
      for (let t = 0; t < 4; t++) {
        const o = t * 8 * 8 * 3;
        expect(clip[o]).toBe(vid);
        frames.push(clip[o + 1] ?? -1);
        const x0 = clip[o + 2] ?? -1; // left column of the square: 0..4 for a 12-wide frame
        expect(x0).toBeGreaterThanOrEqual(0);
        expect(x0).toBeLessThanOrEqual(4);
      }
      expect((frames[1] ?? 0) - (frames[0] ?? 0)).toBe(2); // frame_interval 2 (no wrap for these lengths)
      expect(frames[0]).toBeLessThan(20 + vid);
    }
  });

  it('gives the same batch for the same (seed, epoch, batch): a resumed run reads what the first run read', async () => {
    const { source } = fakeSource(videos(9));
    const opts = { sampling, size: 6, batchSize: 3, seed: 11 };
    const full: Uint8Array[] = [];
    for await (const b of new ClipReader(source, items(9), opts).epoch(1)) full.push(b.x);
    expect(full).toHaveLength(3);
    const resumed: Uint8Array[] = [];
    for await (const b of new ClipReader(source, items(9), opts).epoch(1, 1)) resumed.push(b.x);
    expect(resumed).toHaveLength(2);
    expect(resumed[0]).toEqual(full[1]);
    expect(resumed[1]).toEqual(full[2]);
    const other: Uint8Array[] = [];
    for await (const b of new ClipReader(source, items(9), { ...opts, seed: 12 }).epoch(1)) other.push(b.x);
    expect(other[0]).not.toEqual(full[0]);
  });

  it('test mode keeps the order, the last partial batch, evenly spaced clips and centred crops', async () => {
    const { source } = fakeSource(videos(5));
    const test = { clipLen: 4, frameInterval: 2, numClips: 3, testMode: true };
    const reader = new ClipReader(source, items(5), { sampling: test, size: 8, batchSize: 2, seed: 1 });
    const batches = [];
    for await (const b of reader.epoch(0)) batches.push(b);
    expect(batches.map((b) => b.videos)).toEqual([2, 2, 1]);
    const last = batches[2];
    if (!last) throw new Error('no last batch');
    expect(last.clipsPerVideo).toBe(3);
    const expected = sampleFrames(24, test).frameInds; // video v4 has 24 frames
    for (let c = 0; c < 3; c++)
      for (let t = 0; t < 4; t++) {
        const o = (c * 4 + t) * 8 * 8 * 3;
        expect(last.x[o]).toBe(4);
        expect(last.x[o + 1]).toBe(expected[c * 4 + t]);
        expect(last.x[o + 2]).toBe(2); // centred: (12 - 8) / 2
      }
  });

  it('reads ahead of the consumer, up to `prefetch` batches', async () => {
    const { source, reads } = fakeSource(videos(8));
    const reader = new ClipReader(source, items(8), {
      sampling,
      size: 4,
      batchSize: 1,
      seed: 2,
      prefetch: 3,
    });
    const it = reader.epoch(0);
    await it.next();
    await new Promise((r) => setTimeout(r, 0));
    expect(reads.length).toBeGreaterThanOrEqual(4); // the consumed batch + 3 ahead
    expect(reads.length).toBeLessThanOrEqual(5);
    await it.return(undefined);
  });

  it('refuses videos that are not fully stored, naming them', async () => {
    const { source } = fakeSource({ v0: { frames: 10, w: 8, h: 8, done: false } });
    const reader = new ClipReader(source, items(1), { sampling, size: 4, batchSize: 1, seed: 0 });
    await expect(reader.readBatch(0, 0)).rejects.toThrow(/v0 is not fully stored/);
    expect(() => new ClipReader(source, [], { sampling, size: 4, batchSize: 1, seed: 0 })).toThrow(
      /no videos/,
    );
  });
});
