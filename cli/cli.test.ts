import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli } from './args.ts';
import { chromeFlags, defaultProfileDir, findChrome } from './chrome.ts';
import { CliError, EXIT_USAGE, UsageError } from './errors.ts';
import { serveStatic } from './server.ts';
import { main } from './main.ts';
import { sessionPort } from './session.ts';

describe('tubelet arguments', () => {
  it('parses commands and global options', () => {
    const p = parseCli(['doctor', '--json', '--adapter', 'swiftshader', '--profile', '/tmp/p'], {});
    expect(p.command).toBe('doctor');
    expect(p.options).toMatchObject({
      json: true,
      adapter: 'swiftshader',
      profileDir: '/tmp/p',
      build: true,
    });
  });

  it('defaults to help, auto adapter and a profile under the cache directory', () => {
    const p = parseCli([], { XDG_CACHE_HOME: '/c' });
    expect(p.command).toBe('help');
    expect(p.options.adapter).toBe('auto');
    expect(p.options.profileDir).toBe(path.join('/c', 'tubelet', 'chromium-profile'));
    expect(defaultProfileDir({ XDG_CACHE_HOME: '/x' })).toBe(path.join('/x', 'tubelet', 'chromium-profile'));
  });

  it('refuses unknown options and bad values as usage errors', () => {
    expect(() => parseCli(['doctor', '--bogus'], {})).toThrow(UsageError);
    expect(() => parseCli(['doctor', '--adapter', 'gpu'], {})).toThrow(/auto, hardware or swiftshader/);
    expect(() => parseCli(['selftest', '--size', '0'], {})).toThrow(/--size/);
  });

  it('exits 2 on usage errors and unknown commands', async () => {
    expect(await main(['frobnicate'])).toBe(EXIT_USAGE);
    expect(await main(['doctor', '--nope'])).toBe(EXIT_USAGE);
  });
});

describe('browser discovery', () => {
  it('uses TUBELET_CHROME when it is executable and explains when it is not', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tubelet-chrome-'));
    const fake = path.join(dir, 'chrome');
    writeFileSync(fake, '#!/bin/sh\n', { mode: 0o755 });
    expect(findChrome({ TUBELET_CHROME: fake })).toBe(fake);
    expect(() => findChrome({ TUBELET_CHROME: path.join(dir, 'missing') })).toThrow(CliError);
  });

  it('builds flags per adapter mode', () => {
    const soft = chromeFlags('swiftshader', true);
    expect(soft).toContain('--use-webgpu-adapter=swiftshader');
    expect(soft).toContain('--enable-unsafe-webgpu');
    expect(soft).toContain('--no-sandbox');
    const hard = chromeFlags('hardware', false);
    expect(hard).not.toContain('--use-webgpu-adapter=swiftshader');
    expect(hard).toContain('--enable-features=Vulkan');
    expect(hard).not.toContain('--no-sandbox');
  });
});

describe('static server', () => {
  it('serves files with isolation headers, falls back to index.html, refuses traversal', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'tubelet-dist-'));
    writeFileSync(path.join(root, 'index.html'), '<p>studio</p>');
    writeFileSync(path.join(root, 'app.js'), 'export {}');
    const server = await serveStatic(root);
    try {
      const js = await fetch(new URL('app.js', server.url));
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toContain('text/javascript');
      expect(js.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(js.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(await (await fetch(new URL('datasets', server.url))).text()).toBe('<p>studio</p>');
      expect((await fetch(new URL('missing.js', server.url))).status).toBe(404);
      expect((await fetch(`${server.url}..%2f..%2fetc%2fpasswd`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('studio sessions', () => {
  it('keep one port per profile, so the origin and its IndexedDB persist between calls', () => {
    const a = sessionPort('/home/u/.cache/tubelet/chromium-profile');
    expect(sessionPort('/home/u/.cache/tubelet/chromium-profile')).toBe(a);
    expect(sessionPort('/tmp/tubelet-cli-x1')).not.toBe(a);
    for (const dir of ['/a', '/b/c', '/tmp/tubelet-toy-zz']) {
      expect(sessionPort(dir)).toBeGreaterThanOrEqual(20_000);
      expect(sessionPort(dir)).toBeLessThan(40_000);
    }
  });
});
