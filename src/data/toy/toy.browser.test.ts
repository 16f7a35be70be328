// Toy Actions in real Chromium: clips encoded to H.264 MP4 and VP9 WebM decode back through the ingest decoder
// with every frame and with their motion intact; a small dataset builds through ingest.ts, is idempotent,
// and resumes after videos are lost.
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../shared/random.ts';
import { decodeVideo } from '../decode/decodeVideo.ts';
import { deleteStudioDb } from '../store/db.ts';
import { frameStore } from '../store/frames.ts';
import { buildToyActions, type ToyStage } from './build.ts';
import { DEFAULT_TOY_CONFIG, TOY_CLASSES, type ToyConfig } from './classes.ts';
import { encodeToyClip, toyContainers } from './encode.ts';
import { poseAt, renderBackground, renderClip, sampleClipParams } from './render.ts';

const DB = `tubelet-toy-test-${Date.now()}`;
afterAll(() => deleteStudioDb(DB));

const SIZE = 64;
const FRAMES = 32;

/** Foreground centroid of decoded RGB frame t: pixels far from the known background. */
function centroid(rgb: Uint8Array, t: number, bg: Float32Array): { x: number; y: number } {
  const base = t * SIZE * SIZE * 3;
  let m = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < SIZE * SIZE; i++) {
    let d = 0;
    for (let c = 0; c < 3; c++) d += Math.abs((rgb[base + i * 3 + c] ?? 0) - (bg[i * 3 + c] ?? 0));
    const w = Math.max(0, d - 60);
    m += w;
    mx += w * ((i % SIZE) + 0.5);
    my += w * (Math.floor(i / SIZE) + 0.5);
  }
  return { x: mx / m, y: my / m };
}

describe('Toy Actions encoding', () => {
  it('can write both containers in this browser', async () => {
    expect(await toyContainers(SIZE, 16)).toEqual(['mp4', 'webm']);
  });

  for (const container of ['mp4', 'webm'] as const) {
    for (const label of [0, 1, 2, 3]) {
      const name = TOY_CLASSES[label]?.name ?? '';
      it(`keeps all frames and the ${name} motion through ${container}`, async () => {
        const params = sampleClipParams(new Rng(40 + label), SIZE, FRAMES);
        const bytes = await encodeToyClip(renderClip(params, label), SIZE, FRAMES, { container, fps: 16 });
        const { layout, frames } = await decodeVideo(new Blob([bytes]), `${name}.${container}`, {
          shortSide: SIZE,
        });
        expect(layout.container).toBe(container);
        expect(layout.codec).toMatch(container === 'mp4' ? /^avc1\./ : /^vp09\./);
        expect([layout.width, layout.height, layout.frameCount]).toEqual([SIZE, SIZE, FRAMES]);
        const bg = renderBackground(params);
        const motion = TOY_CLASSES[label]?.motion;
        if (motion?.kind !== 'translate') throw new Error('classes 0..3 translate');
        for (const t of [0, 8, 16, 24, FRAMES - 1]) {
          const seen = centroid(frames, t, bg);
          const truth = poseAt(params, motion, t);
          expect(Math.abs(seen.x - truth.cx)).toBeLessThan(1.5);
          expect(Math.abs(seen.y - truth.cy)).toBeLessThan(1.5);
        }
        const a = centroid(frames, 0, bg);
        const b = centroid(frames, FRAMES - 1, bg);
        expect(Math.sign(b.x - a.x) * Math.abs(motion.dx) + Math.sign(b.y - a.y) * Math.abs(motion.dy)).toBe(
          motion.dx + motion.dy,
        );
      });
    }
  }
});

describe('Toy Actions dataset', () => {
  const config: ToyConfig = {
    ...DEFAULT_TOY_CONFIG,
    seed: 99,
    frames: 16,
    perClass: { train: 2, val: 1, test: 1 },
  };

  it('builds through ingest, returns at once when complete, and resumes after losing videos', async () => {
    const stages = new Set<ToyStage>();
    const first = await buildToyActions(config, { dbName: DB, onProgress: (s) => stages.add(s) });
    expect([...stages].sort()).toEqual(['check', 'encode', 'generate', 'ingest']);
    expect(first.videos).toBe(32);
    expect(first.created).toBe(32);
    expect(first.splits).toEqual({ train: 16, val: 8, test: 8 });
    expect(first.frames).toBe(32 * 16);
    expect(first.bytes).toBe(32 * 16 * SIZE * SIZE * 3);
    expect(first.containers).toEqual({ mp4: 16, webm: 16 });
    expect(first.encodedBytes).toBeGreaterThan(32 * 1000);

    const store = frameStore(DB);
    const records = await store.listVideos(first.dataset);
    expect(records).toHaveLength(32);
    expect(records.every((r) => r.status === 'done' && r.width === SIZE && r.frameCount === 16)).toBe(true);
    const grow = records.find((r) => r.id.endsWith('grow/grow_val_000.mp4'));
    expect(grow?.label).toBe(6);
    expect(grow?.splits).toEqual(['val1']);
    expect(grow?.sourceName).toBe('Toy Actions/grow/grow_val_000.mp4');

    const again = await buildToyActions(config, { dbName: DB });
    expect(again.created).toBe(0);
    expect(again.frames).toBe(first.frames);

    const lost = records.slice(0, 3);
    for (const r of lost) await store.deleteVideo(r.id);
    const resumed = await buildToyActions(config, { dbName: DB });
    expect(resumed.created).toBe(3);
    expect(await store.listVideos(first.dataset)).toHaveLength(32);
  });
});
