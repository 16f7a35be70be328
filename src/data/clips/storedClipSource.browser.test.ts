// The training clip source over a real IndexedDB frame store: fold splits, labels, sampled frame indices,
// square crops, determinism under the same rng state, and clear errors for unknown or unusable datasets.
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../shared/random.ts';
import { TubeletError } from '../../shared/errors.ts';
import { deleteStudioDb, type VideoRecord } from '../store/db.ts';
import { datasetStore } from '../store/datasets.ts';
import { frameStore } from '../store/frames.ts';
import { openStoredClipSource } from './storedClipSource.ts';

const DB = `tubelet-clipsource-test-${Date.now()}`;
const W = 6;
const H = 4;

afterAll(async () => {
  await deleteStudioDb(DB);
});

function record(id: string, label: number, splits: string[], frameCount: number): VideoRecord {
  return {
    id,
    datasetId: 'ds',
    label,
    splits,
    sourceName: `${id}.mp4`,
    sourceSize: 1,
    container: 'mp4',
    codec: 'avc1',
    rotation: 0,
    sourceWidth: W,
    sourceHeight: H,
    width: W,
    height: H,
    fps: 25,
    sourceFps: 25,
    frameCount,
    sourceFrameCount: frameCount,
    durationSec: frameCount / 25,
    encoding: 'rgb8',
    framesPerChunk: frameCount,
    chunkCount: 1,
    storedChunks: 0,
    repairedFrames: 0,
    status: 'pending',
    error: null,
    updatedAt: 0,
  };
}

/** Frame f of video v: R = v, G = f, B = x. */
function pixels(v: number, n: number): Uint8Array {
  const out = new Uint8Array(n * W * H * 3);
  for (let f = 0; f < n; f++)
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out.set([v, f, x], ((f * H + y) * W + x) * 3);
  return out;
}

describe('openStoredClipSource', () => {
  it('serves fold-1 train and val clips with labels, sampled frames and square crops', async () => {
    await datasetStore(DB).putDataset({
      id: 'ds',
      name: 'My set',
      format: 'video-list',
      classes: ['a', 'b'],
      folds: [1],
      shortSide: H,
      videoCount: 4,
      status: 'ready',
      createdAt: 0,
      updatedAt: 0,
    });
    const store = frameStore(DB);
    const plan: [string, number, string[], number][] = [
      ['ds/v0', 0, ['train1'], 20],
      ['ds/v1', 1, ['train1'], 24],
      ['ds/v2', 1, ['val1'], 30],
      ['ds/v3', 0, ['test1'], 30],
    ];
    for (const [id, label, splits, n] of plan) {
      await store.resetVideo(record(id, label, splits, n));
      await store.putChunk(id, 0, pixels(Number(id.slice(4)), n));
    }
    const source = await openStoredClipSource('My set', {
      clipLen: 4,
      frameInterval: 2,
      temporalJitter: false,
      dbName: DB,
    });
    expect(source.numClasses).toBe(2);
    expect(source.size).toBe(H);
    expect(source.count('train')).toBe(2);
    expect(source.count('val')).toBe(1); // val1 preferred over test1

    const a = await source.read('train', [1, 0], new Rng(3));
    const b = await source.read('train', [1, 0], new Rng(3));
    expect(a.shape).toEqual([2, 4, H, H, 3]);
    expect([...a.labels]).toEqual([1, 0]);
    expect(a.x).toEqual(b.x);
    const clip = (batch: Uint8Array, k: number, t: number): number[] => {
      const o = ((k * 4 + t) * H * H + 0) * 3;
      return [batch[o] ?? -1, batch[o + 1] ?? -1, batch[o + 2] ?? -1];
    };
    const [v, f0, x0] = clip(a.x, 0, 0);
    expect(v).toBe(1);
    expect(clip(a.x, 0, 1)[1]).toBe((f0 ?? -9) + 2);
    expect(x0).toBeGreaterThanOrEqual(0);
    expect(x0).toBeLessThanOrEqual(W - H);

    const val = await source.read('val', [0], new Rng(99));
    expect(val.labels[0]).toBe(1);
    expect(clip(val.x, 0, 0)).toEqual([2, 11, 1]); // MMAction2 test offset int((30 - 8 + 1) / 2) = 11; centred crop x = 1

    // a multigrid override: 2 frames per clip at a frame interval of its own (5 for clip 0, 3 for clip 1)
    const short = await source.read('train', [0, 1], new Rng(3), { clipLen: 2, frameIntervals: [5, 3] });
    expect(short.shape).toEqual([2, 2, H, H, 3]);
    const frameOf = (k: number, t: number): number => short.x[(k * 2 + t) * H * H * 3 + 1] ?? -1;
    expect([frameOf(0, 1) - frameOf(0, 0), frameOf(1, 1) - frameOf(1, 0)]).toEqual([5, 3]);
    expect([short.x[0], short.x[2 * H * H * 3]]).toEqual([0, 1]); // video ids of the two clips
  });

  it('names the dataset and the fix when it cannot be used', async () => {
    const missing = await openStoredClipSource('nope', {
      clipLen: 4,
      frameInterval: 1,
      temporalJitter: false,
      dbName: DB,
    }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(TubeletError);
    expect((missing as TubeletError).code).toBe('DATASET_NOT_FOUND');
    expect((missing as TubeletError).message).toMatch(/nope/);
    const noFold = await openStoredClipSource('ds', {
      clipLen: 4,
      frameInterval: 1,
      temporalJitter: false,
      fold: 2,
      dbName: DB,
    }).catch((e: unknown) => e);
    expect((noFold as TubeletError).message).toMatch(/no stored training videos in fold 2/);
  });
});
