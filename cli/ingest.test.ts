// `tubelet ingest` plumbing in Node: option parsing, the file walk, the per-profile port, and the loopback
// server handing out only the files named on the command line.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli } from './args.ts';
import { collectFiles, formatDatasetsWithVideos } from './commands/ingest.ts';
import { CliError, UsageError } from './errors.ts';
import { LOCAL_FILE_PREFIX, serveStatic } from './server.ts';
import { sessionPort } from './session.ts';

describe('tubelet ingest', () => {
  it('parses the ingest options with their defaults and bounds', () => {
    const p = parseCli(
      ['ingest', 'a', 'b', '--format', 'ssv2', '--split', '2', '--short-side', '256', '--name', 'N'],
      {},
    );
    expect(p.rest).toEqual(['a', 'b']);
    expect(p.options).toMatchObject({ format: 'ssv2', split: 2, shortSide: 256, name: 'N' });
    expect(parseCli(['ingest', 'a'], {}).options).toMatchObject({
      format: 'auto',
      split: undefined,
      shortSide: 128,
    });
    expect(() => parseCli(['ingest', 'a', '--format', 'avi'], {})).toThrow(UsageError);
    expect(() => parseCli(['ingest', 'a', '--split', '4'], {})).toThrow(/--split/);
    expect(() => parseCli(['ingest', 'a', '--short-side', '8'], {})).toThrow(/--short-side/);
  });

  it('parses datasets --videos / --dataset and prints each video under its dataset', () => {
    expect(parseCli(['datasets', '--videos'], {}).options).toMatchObject({
      videos: true,
      dataset: undefined,
    });
    expect(parseCli(['datasets', '--dataset', 'ucf101'], {}).options).toMatchObject({
      videos: false,
      dataset: 'ucf101',
    });
    const video = {
      file: 'set/up/a.avi',
      status: 'done' as const,
      label: 0,
      splits: ['train1'],
      container: 'avi',
      codec: 'mpeg4 (XVID)',
      frames: 15,
      sourceFrames: 15,
      width: 171,
      height: 128,
      chunkCount: 4,
      storedChunks: 4,
      chunksInStore: 4,
    };
    const dataset = {
      id: 'set',
      name: 'set',
      format: 'folder-per-class',
      classes: ['up'],
      folds: [1],
      shortSide: 128,
      status: 'ready' as const,
      videoCount: 1,
      videosDone: 1,
      videosFailed: 0,
      videosPending: 0,
      frames: 15,
      bytes: 15 * 171 * 128 * 3,
      perClass: [1],
      perSplit: { train1: 1 },
      failures: [],
    };
    const text = formatDatasetsWithVideos([{ ...dataset, videos: [video] }]);
    expect(text).toContain('set (set, folder-per-class');
    expect(text).toContain(
      '    set/up/a.avi: done, 15 frames (source 15), 171×128, mpeg4 (XVID) in avi, chunks 4/4',
    );
  });

  it('walks folders into drop-like paths, skipping hidden entries', () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'tubelet-walk-'));
    mkdirSync(path.join(base, 'set', 'left'), { recursive: true });
    mkdirSync(path.join(base, 'set', '.cache'), { recursive: true });
    writeFileSync(path.join(base, 'set', 'left', 'a.mp4'), 'x');
    writeFileSync(path.join(base, 'set', '.cache', 'junk'), 'x');
    writeFileSync(path.join(base, 'lone.webm'), 'yy');
    const files = collectFiles([path.join(base, 'set'), path.join(base, 'lone.webm')]);
    expect(files.map((f) => [f.rel, f.size])).toEqual([
      ['set/left/a.mp4', 1],
      ['lone.webm', 2],
    ]);
    expect(() => collectFiles([path.join(base, 'nope')])).toThrow(CliError);
    expect(() => collectFiles([])).toThrow(CliError);
  });

  it('keeps one port per profile (IndexedDB is per origin)', () => {
    expect(sessionPort('/p/one')).toBe(sessionPort('/p/one'));
    expect(sessionPort('/p/one')).not.toBe(sessionPort('/p/two'));
    expect(sessionPort('/p/one')).toBeGreaterThanOrEqual(20000);
    expect(sessionPort('/p/one')).toBeLessThan(40000);
  });

  it('serves the named local files by index and nothing else', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'tubelet-dist-'));
    writeFileSync(path.join(root, 'index.html'), '<p>studio</p>');
    const other = mkdtempSync(path.join(os.tmpdir(), 'tubelet-local-'));
    const named = path.join(other, 'v.mp4');
    writeFileSync(named, 'video bytes');
    writeFileSync(path.join(other, 'secret.txt'), 'no');
    const server = await serveStatic(root, 0, '127.0.0.1', [named]);
    try {
      const url = (p: string) => new URL(p, server.url);
      expect(await (await fetch(url(`${LOCAL_FILE_PREFIX}0`))).text()).toBe('video bytes');
      expect((await fetch(url(`${LOCAL_FILE_PREFIX}1`))).status).toBe(404);
      expect((await fetch(url(`${LOCAL_FILE_PREFIX}..%2fsecret.txt`))).status).toBe(404);
      expect((await fetch(url(LOCAL_FILE_PREFIX))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
