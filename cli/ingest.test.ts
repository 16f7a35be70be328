// `tubelet ingest` plumbing in Node: option parsing, the file walk, the per-profile port, and the loopback
// server handing out only the files named on the command line.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli } from './args.ts';
import { collectFiles } from './commands/ingest.ts';
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
