// Serves the built studio (dist/) on a loopback port with cross-origin isolation headers (Node).
// Hardened against hostile requests: bad percent-encoding answers 400, paths are contained by their real (symlink-
// resolved) location, and only a Host header naming this loopback address and port is served (DNS rebinding).
import { createReadStream, realpathSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

/** URL prefix under which `localFiles[i]` is served as `${LOCAL_FILE_PREFIX}${i}`. */
export const LOCAL_FILE_PREFIX = '/__local/';

/** The request target's path, percent-decoded; null when it is not an origin-form path or does not decode. */
export function decodeRequestPath(target: string): string | null {
  const raw = target.split(/[?#]/, 1)[0] ?? '';
  if (!raw.startsWith('/')) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  return decoded.includes('\0') ? null : decoded;
}

/** True when `file` is `root` itself or lies below it (both already resolved to real paths). */
export function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The real path of a regular file under `realRoot` that `decoded` names (a folder gives its index.html), or null. */
export function resolveFile(realRoot: string, decoded: string): string | null {
  let real: string;
  try {
    real = realpathSync(path.join(realRoot, decoded));
  } catch {
    return null;
  }
  if (!isInside(realRoot, real)) return null;
  try {
    const stat = statSync(real);
    if (stat.isDirectory())
      return resolveFile(realRoot, path.join(path.relative(realRoot, real), 'index.html'));
    return stat.isFile() ? real : null;
  } catch {
    return null;
  }
}

/** Host header values this server answers: its own loopback address and port (and `localhost` for 127.0.0.1). */
export function allowedHosts(host: string, port: number): Set<string> {
  const named = host.includes(':') ? `[${host}]` : host;
  const hosts = new Set([`${named}:${port}`.toLowerCase()]);
  if (host === '127.0.0.1' || host === '::1') hosts.add(`localhost:${port}`);
  return hosts;
}

const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-cache',
} as const;

function refuse(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
}

/**
 * Serves `root` on loopback. `localFiles` (absolute paths the user named on the command line) are served at
 * LOCAL_FILE_PREFIX + index, and nothing else outside `root` is.
 */
export function serveStatic(
  root: string,
  port = 0,
  host = '127.0.0.1',
  localFiles: readonly string[] = [],
): Promise<StaticServer> {
  const realRoot = realpathSync(path.resolve(root));
  let hosts = new Set<string>();
  const server = http.createServer((req, res) => {
    if (!hosts.has((req.headers.host ?? '').toLowerCase())) {
      refuse(res, 403, 'Forbidden: unexpected Host header');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      refuse(res, 405, 'Method not allowed');
      return;
    }
    const decoded = decodeRequestPath(req.url ?? '');
    if (decoded === null) {
      refuse(res, 400, 'Bad request path');
      return;
    }
    let file: string | null;
    if (decoded.startsWith(LOCAL_FILE_PREFIX)) {
      const index = decoded.slice(LOCAL_FILE_PREFIX.length);
      file = /^\d{1,9}$/.test(index) ? (localFiles[Number(index)] ?? null) : null;
    } else {
      file = resolveFile(realRoot, decoded);
      // Client-side routes (no file extension) get the app shell.
      if (file === null && !decoded.includes('.')) file = resolveFile(realRoot, '/index.html');
    }
    if (!file) {
      refuse(res, 404, 'Not found');
      return;
    }
    res.writeHead(200, {
      ...HEADERS,
      'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address() as AddressInfo;
      hosts = allowedHosts(host, actual);
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}/`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => {
              done();
            });
          }),
      });
    });
  });
}
