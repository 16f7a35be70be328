// Frame-store benchmark in real Chromium (page thread; not part of `npm test`): decode+resize speed, and raw
// uint8 chunks vs JPEG/WebP-encoded chunks — bytes per frame, write and read speed, PSNR. Run it with
// `npx vitest run --project bench`; it prints one JSON line per measurement (copied into docs/frame-store-numbers.md).
import { describe, expect, it } from 'vitest';
import { decodeVideo } from '../decode/decodeVideo.ts';
import { fixtureFile } from '../decode/testing/fixtures.ts';
import { deleteStudioDb, openStudioDb } from './db.ts';
import { frameStore } from './frames.ts';
import { ingestVideo } from '../decode/ingest.ts';
import { Rng } from '../../shared/random.ts';

const DB = `tubelet-bench-${Date.now()}`;
const COPIES = 4;
const CLIPS = 200;
const FPC = 16;

const mb = (bytes: number, ms: number): number => Math.round((bytes / 1e6 / (ms / 1e3)) * 10) / 10;
const fps = (frames: number, ms: number): number => Math.round(frames / (ms / 1e3));
const log = (what: string, values: Record<string, unknown>): void => {
  console.log(JSON.stringify({ bench: what, ...values }));
};

/** RGB frames → one chunk of concatenated images with a u32 offset table in front. */
async function encodeChunk(frames: Uint8Array, w: number, h: number, type: string, quality: number) {
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D context');
  const n = frames.length / (w * h * 3);
  const parts: Uint8Array[] = [];
  for (let f = 0; f < n; f++) {
    const image = ctx.createImageData(w, h);
    for (let p = 0, s = f * w * h * 3; p < w * h; p++, s += 3) {
      image.data[p * 4] = frames[s] ?? 0;
      image.data[p * 4 + 1] = frames[s + 1] ?? 0;
      image.data[p * 4 + 2] = frames[s + 2] ?? 0;
      image.data[p * 4 + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
    parts.push(new Uint8Array(await (await canvas.convertToBlob({ type, quality })).arrayBuffer()));
  }
  const header = new Uint32Array(n + 1);
  let at = 0;
  parts.forEach((p, i) => {
    header[i] = at;
    at += p.byteLength;
  });
  header[n] = at;
  const out = new Uint8Array(header.byteLength + at);
  out.set(new Uint8Array(header.buffer), 0);
  parts.forEach((p, i) => {
    out.set(p, header.byteLength + (header[i] ?? 0));
  });
  return out;
}

/** Decodes frame `f` of an encoded chunk of `n` frames into `out` (RGB) at `offset`. */
async function decodeFrame(
  chunk: Uint8Array<ArrayBuffer>,
  n: number,
  f: number,
  type: string,
  ctx: OffscreenCanvasRenderingContext2D,
  out: Uint8Array,
  offset: number,
) {
  const header = new Uint32Array(chunk.buffer, chunk.byteOffset, n + 1);
  const base = header.byteLength;
  const bytes = chunk.subarray(base + (header[f] ?? 0), base + (header[f + 1] ?? 0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type }));
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, ctx.canvas.width, ctx.canvas.height).data;
  for (let p = 0, d = offset; p < rgba.length; p += 4, d += 3) {
    out[d] = rgba[p] ?? 0;
    out[d + 1] = rgba[p + 1] ?? 0;
    out[d + 2] = rgba[p + 2] ?? 0;
  }
}

/** PSNR over RGB, and over BT.601 luma (which chroma subsampling does not touch). */
function psnr(a: Uint8Array, b: Uint8Array): { rgb: number; luma: number } {
  let se = 0;
  let seY = 0;
  for (let i = 0; i < a.length; i += 3) {
    const d = [0, 1, 2].map((c) => (a[i + c] ?? 0) - (b[i + c] ?? 0));
    const [r = 0, g = 0, bl = 0] = d;
    se += r * r + g * g + bl * bl;
    seY += (0.299 * r + 0.587 * g + 0.114 * bl) ** 2;
  }
  const db = (mse: number): number => Math.round(10 * Math.log10((255 * 255) / mse) * 10) / 10;
  return { rgb: db(se / a.length), luma: db(seY / (a.length / 3)) };
}

/** Random 16-frame clips (contiguous) over `videos` of `frames` frames each. */
function clipStarts(videos: number, frames: number, seed: number): [number, number][] {
  const rng = new Rng(seed);
  return Array.from({ length: CLIPS }, () => [rng.int(videos), rng.int(frames - 16)]);
}

describe('frame store benchmark (bench_testsrc2.mp4: 320x240, 300 frames)', () => {
  it('measures decode, raw chunks and image-encoded chunks at short side 128', async () => {
    const file = await fixtureFile('bench_testsrc2.mp4');
    let t = performance.now();
    const decoded = await decodeVideo(file, file.name, { shortSide: 128 });
    const { width: w, height: h, frameCount: n } = decoded.layout;
    log('decode+resize', { frames: n, width: w, height: h, fps: fps(n, performance.now() - t) });
    const frameBytes = w * h * 3;

    // Raw: through the real ingest path (decode + store) and through putChunk alone.
    const store = frameStore(DB);
    t = performance.now();
    for (let c = 0; c < COPIES; c++) {
      await ingestVideo(
        file,
        { id: `raw${c}`, datasetId: 'b', label: 0, splits: [] },
        { dbName: DB, shortSide: 128 },
      );
    }
    const ingestMs = performance.now() - t;
    log('raw ingest (decode+resize+store)', { videos: COPIES, fps: fps(n * COPIES, ingestMs) });
    const rawBytes = n * frameBytes * COPIES;
    const starts = clipStarts(COPIES, n, 7);
    const template = await store.getVideo('raw0');
    if (!template) throw new Error('missing');
    for (const fpc of [4, 8, 16, 64]) {
      t = performance.now();
      for (let c = 0; c < COPIES; c++) {
        const id = `put${fpc}-${c}`;
        await store.resetVideo({ ...template, id, framesPerChunk: fpc, chunkCount: Math.ceil(n / fpc) });
        for (let k = 0; k * fpc < n; k++) {
          await store.putChunk(
            id,
            k,
            decoded.frames.subarray(k * fpc * frameBytes, Math.min(n, (k + 1) * fpc) * frameBytes),
          );
        }
      }
      const writeMs = performance.now() - t;
      t = performance.now();
      for (const [v, s] of starts) {
        store.clearCache();
        await store.readFrames(
          `put${fpc}-${v}`,
          Int32Array.from({ length: 16 }, (_, i) => s + i),
        );
      }
      const readMs = performance.now() - t;
      // 8 frames spread evenly over the video (TSN/TSM-style sampling), from a random first segment offset.
      t = performance.now();
      for (const [v, s] of starts) {
        store.clearCache();
        const offset = s % Math.floor(n / 8);
        await store.readFrames(
          `put${fpc}-${v}`,
          Int32Array.from({ length: 8 }, (_, i) => offset + i * Math.floor(n / 8)),
        );
      }
      const sparseMs = performance.now() - t;
      log(`raw rgb8, ${fpc} frames per chunk`, {
        bytesPerFrame: frameBytes,
        chunkBytes: fpc * frameBytes,
        writeMBps: mb(rawBytes, writeMs),
        writeFps: fps(n * COPIES, writeMs),
        readMBps: mb(CLIPS * 16 * frameBytes, readMs),
        readFps: fps(CLIPS * 16, readMs),
        sparseReadFps: fps(CLIPS * 8, sparseMs),
      });
    }

    // Encoded chunks, stored in the same frameChunks layout under other ids.
    const db = await openStudioDb(DB);
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D context');
    for (const [type, quality] of [
      ['image/jpeg', 0.9],
      ['image/webp', 0.9],
      ['image/jpeg', 0.75],
    ] as const) {
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      t = performance.now();
      for (let k = 0; k * FPC < n; k++) {
        const part = decoded.frames.subarray(k * FPC * frameBytes, Math.min(n, (k + 1) * FPC) * frameBytes);
        chunks.push(await encodeChunk(part, w, h, type, quality));
      }
      const encodeMs = performance.now() - t;
      const stored = chunks.reduce((s, c) => s + c.byteLength, 0);
      t = performance.now();
      for (let c = 0; c < COPIES; c++) {
        const tx = db.transaction('frameChunks', 'readwrite', { durability: 'relaxed' });
        await Promise.all([
          ...chunks.map((chunk, k) => tx.store.put(chunk.slice().buffer, [`${type}${quality}-${c}`, k])),
          tx.done,
        ]);
      }
      const writeMs = performance.now() - t;
      const out = new Uint8Array(16 * frameBytes);
      t = performance.now();
      for (const [v, s] of starts) {
        const first = Math.floor(s / FPC);
        const last = Math.floor((s + 15) / FPC);
        const id = `${type}${quality}-${v}`;
        const got = (await db.getAll('frameChunks', IDBKeyRange.bound([id, first], [id, last]))).map(
          (b) => new Uint8Array(b),
        );
        for (let i = 0; i < 16; i++) {
          const f = s + i;
          const chunk = got[Math.floor(f / FPC) - first];
          if (!chunk) throw new Error('missing chunk');
          const inChunk = Math.min(FPC, n - Math.floor(f / FPC) * FPC);
          await decodeFrame(chunk, inChunk, f % FPC, type, ctx, out, i * frameBytes);
        }
      }
      const readMs = performance.now() - t;
      // Quality on the first chunk.
      const back = new Uint8Array(FPC * frameBytes);
      for (let f = 0; f < FPC; f++)
        await decodeFrame(chunks[0] ?? new Uint8Array(), FPC, f, type, ctx, back, f * frameBytes);
      log(`${type} q=${quality}`, {
        bytesPerFrame: Math.round(stored / n),
        ratio: Math.round(((frameBytes * n) / stored) * 10) / 10,
        psnrDb: psnr(back, decoded.frames.subarray(0, FPC * frameBytes)),
        encodeFps: fps(n, encodeMs),
        writeMBps: mb(stored * COPIES, writeMs),
        writeFps: fps(n * COPIES, writeMs),
        readFps: fps(CLIPS * 16, readMs),
      });
    }
    expect(n).toBe(300);
    await deleteStudioDb(DB);
  });
});
