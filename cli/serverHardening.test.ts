// The CLI server against hostile requests: bad percent-encoding, traversal by sibling prefix and symlink, foreign
// Host headers (DNS rebinding), and a seeded fuzz of request paths against a real server on 127.0.0.1 (Node).
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/shared/random.ts';
import {
  LOCAL_FILE_PREFIX,
  allowedHosts,
  decodeRequestPath,
  isInside,
  serveStatic,
  type StaticServer,
} from './server.ts';

const SECRET = 'SECRET-OUTSIDE-THE-ROOT';
const base = mkdtempSync(path.join(tmpdir(), 'tubelet-harden-'));
const root = path.join(base, 'dist');
const sibling = path.join(base, 'dist-private'); // shares the root's name as a prefix
const named = path.join(base, 'named.mp4');
mkdirSync(path.join(root, 'assets', 'sub'), { recursive: true });
mkdirSync(sibling);
writeFileSync(path.join(root, 'index.html'), '<p>studio</p>');
writeFileSync(path.join(root, 'assets', 'app.js'), 'export {};');
writeFileSync(path.join(root, 'assets', 'sub', 'index.html'), '<p>sub</p>');
writeFileSync(path.join(root, '..dots.txt'), 'inside after all');
writeFileSync(path.join(sibling, 'secret.txt'), SECRET);
writeFileSync(path.join(base, 'secret.txt'), SECRET);
writeFileSync(named, 'named video bytes');
symlinkSync(path.join(sibling, 'secret.txt'), path.join(root, 'escape.txt'));
symlinkSync(sibling, path.join(root, 'escape-dir'));
symlinkSync(path.join(root, 'assets', 'app.js'), path.join(root, 'alias.js'));

/** Every regular file's bytes under the root (symlinks that stay inside included), for the fuzz's oracle. */
function insideContents(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (name.startsWith('escape')) continue;
      if (statSync(full).isDirectory()) walk(full);
      else out.add(readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return out;
}

interface Reply {
  status: number;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** A GET with the request target sent exactly as given (no URL normalisation, unlike fetch). */
function rawGet(server: StaticServer, target: string, host?: string): Promise<Reply> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: target,
        method: 'GET',
        headers: { host: host ?? url.host },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let server: StaticServer;
beforeAll(async () => {
  server = await serveStatic(root, 0, '127.0.0.1', [named]);
});
afterAll(async () => {
  await server.close();
  agent.destroy();
  rmSync(base, { recursive: true, force: true });
});

describe('request path decoding', () => {
  it('rejects malformed percent-encoding, NUL and non-origin targets instead of throwing', () => {
    expect(decodeRequestPath('/%E0%A4%A')).toBeNull();
    expect(decodeRequestPath('/%')).toBeNull();
    expect(decodeRequestPath('/a%00b')).toBeNull();
    expect(decodeRequestPath('http://evil/x')).toBeNull();
    expect(decodeRequestPath('/a%20b?x=%ZZ#%')).toBe('/a b');
  });

  it('contains by path.relative, so a sibling sharing the prefix is outside and "..name" inside', () => {
    expect(isInside('/srv/dist', '/srv/dist')).toBe(true);
    expect(isInside('/srv/dist', '/srv/dist/a/b.js')).toBe(true);
    expect(isInside('/srv/dist', '/srv/dist/..dots.txt')).toBe(true);
    expect(isInside('/srv/dist', '/srv/dist-private/secret.txt')).toBe(false);
    expect(isInside('/srv/dist', '/srv')).toBe(false);
  });

  it('allows only its own loopback address and port as Host', () => {
    expect([...allowedHosts('127.0.0.1', 4416)]).toEqual(['127.0.0.1:4416', 'localhost:4416']);
    expect([...allowedHosts('::1', 80)]).toEqual(['[::1]:80', 'localhost:80']);
  });
});

describe('hardened static server', () => {
  it('answers 400 to malformed percent-encoding and keeps serving', async () => {
    expect((await rawGet(server, '/%E0%A4%A')).status).toBe(400);
    expect((await rawGet(server, `${LOCAL_FILE_PREFIX}%E0%A4%A`)).status).toBe(400);
    expect((await rawGet(server, '/%00index.html')).status).toBe(400);
    expect(await rawGet(server, '/assets/app.js')).toEqual({ status: 200, body: 'export {};' });
  });

  it('refuses a sibling folder whose name starts with the root, raw or encoded', async () => {
    for (const target of [
      '/../dist-private/secret.txt',
      '/%2e%2e/dist-private/secret.txt',
      '/..%2fsecret.txt',
    ]) {
      const reply = await rawGet(server, target);
      expect(reply.status, target).toBe(404);
      expect(reply.body).not.toContain(SECRET);
    }
    expect(await rawGet(server, '/..dots.txt')).toEqual({ status: 200, body: 'inside after all' });
  });

  it('resolves symlinks: one leading out is refused, one staying inside is served', async () => {
    expect((await rawGet(server, '/escape.txt')).status).toBe(404);
    expect((await rawGet(server, '/escape-dir/secret.txt')).status).toBe(404);
    expect(await rawGet(server, '/alias.js')).toEqual({ status: 200, body: 'export {};' });
    expect(await rawGet(server, '/assets/sub/')).toEqual({ status: 200, body: '<p>sub</p>' });
  });

  it('refuses foreign Host headers on every route, /__local/ above all', async () => {
    const port = new URL(server.url).port;
    for (const target of ['/', '/assets/app.js', `${LOCAL_FILE_PREFIX}0`, '/datasets']) {
      for (const host of [
        `evil.example:${port}`,
        'evil.example',
        `127.0.0.1:${Number(port) + 1}`,
        `127.0.0.1`,
      ]) {
        const reply = await rawGet(server, target, host);
        expect(reply.status, `${host} ${target}`).toBe(403);
        expect(reply.body).not.toContain('named video bytes');
      }
    }
    expect(await rawGet(server, `${LOCAL_FILE_PREFIX}0`, `localhost:${port}`)).toEqual({
      status: 200,
      body: 'named video bytes',
    });
    expect((await rawGet(server, '/', `LOCALHOST:${port}`)).status).toBe(200);
  });
});

const FUZZ_PATHS = 10_000;
const PIECES = [
  '..',
  '.',
  '',
  '%2e%2e',
  '%2E%2e',
  '.%2e',
  '%2f',
  '%2F',
  '%5c',
  '\\',
  '..\\',
  '%00',
  '%',
  '%E0%A4%A',
  '%C0%AE',
  '%c0%af',
  '%ff',
  'dist-private',
  'secret.txt',
  'escape.txt',
  'escape-dir',
  'alias.js',
  'assets',
  'app.js',
  'sub',
  'index.html',
  '..dots.txt',
  '__local',
  '0',
  '1',
  '99999999999',
  '~',
  ';',
  '%3f',
  '?',
  '#',
  '&',
  '%252e%252e',
] as const;

/** A request target from the seeded grammar: 1–8 pieces (or random printable bytes) joined by slashes. */
function fuzzTarget(rng: Rng): string {
  const parts: string[] = [];
  const count = 1 + rng.int(8);
  for (let i = 0; i < count; i++) {
    if (rng.int(5) === 0) {
      let junk = '';
      for (let j = rng.int(6); j >= 0; j--) junk += String.fromCharCode(0x21 + rng.int(0x7e - 0x21));
      parts.push(junk);
    } else parts.push(PIECES[rng.int(PIECES.length)] ?? '');
  }
  const joined = parts.join(rng.int(4) === 0 ? '//' : '/');
  return rng.int(10) === 0 ? `${LOCAL_FILE_PREFIX}${joined}` : `/${joined}`;
}

describe('request-path fuzz', () => {
  it(`serves ${FUZZ_PATHS} seeded hostile paths without crashing or leaking a byte from outside the root`, async () => {
    const rng = new Rng(20);
    const inside = insideContents();
    const allowed = new Set([...inside, 'named video bytes']);
    const statuses = new Map<number, number>();
    const targets = Array.from({ length: FUZZ_PATHS }, () => fuzzTarget(rng));
    for (let start = 0; start < targets.length; start += 64) {
      const replies = await Promise.all(targets.slice(start, start + 64).map((t) => rawGet(server, t)));
      replies.forEach((reply, i) => {
        const target = targets[start + i] ?? '';
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        expect(reply.body, target).not.toContain(SECRET);
        expect([200, 400, 404], target).toContain(reply.status);
        if (reply.status === 200) expect(allowed.has(reply.body), target).toBe(true);
      });
    }
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
    expect(statuses.get(404) ?? 0).toBeGreaterThan(100);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
    // Still alive afterwards.
    expect(await rawGet(server, '/assets/app.js')).toEqual({ status: 200, body: 'export {};' });
  }, 60_000);
});
