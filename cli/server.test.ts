// The CLI's static server: ffmpeg.wasm's core must come back as application/wasm with isolation headers.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveStatic } from './server.ts';

const root = mkdtempSync(path.join(tmpdir(), 'tubelet-server-'));
mkdirSync(path.join(root, 'ffmpeg'));
writeFileSync(path.join(root, 'ffmpeg', 'ffmpeg-core.wasm'), new Uint8Array([0, 0x61, 0x73, 0x6d]));
writeFileSync(path.join(root, 'ffmpeg', 'ffmpeg-core.js'), 'export default 1;');
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('serveStatic', () => {
  it('serves the ffmpeg.wasm core with wasm and script types, cross-origin isolated', async () => {
    const server = await serveStatic(root);
    try {
      const wasm = await fetch(`${server.url}ffmpeg/ffmpeg-core.wasm`);
      expect(wasm.status).toBe(200);
      expect(wasm.headers.get('content-type')).toBe('application/wasm');
      expect(wasm.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 0x61, 0x73, 0x6d]));
      const js = await fetch(`${server.url}ffmpeg/ffmpeg-core.js`);
      expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect((await fetch(`${server.url}ffmpeg/missing.wasm`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
