// Serves the built studio (dist/) on a loopback port with cross-origin isolation headers (Node).
import { createReadStream, statSync } from 'node:fs';
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

function resolveFile(root: string, urlPath: string): string | null {
  const decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  const file = path.normalize(path.join(root, decoded));
  if (!file.startsWith(root)) return null;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) return resolveFile(root, path.posix.join(decoded, 'index.html'));
    return file;
  } catch {
    return null;
  }
}

/** URL prefix under which `localFiles[i]` is served as `${LOCAL_FILE_PREFIX}${i}`. */
export const LOCAL_FILE_PREFIX = '/__local/';

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
  const absRoot = path.resolve(root);
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const index = url.startsWith(LOCAL_FILE_PREFIX)
      ? url.slice(LOCAL_FILE_PREFIX.length).split('?')[0]
      : undefined;
    const local =
      index === undefined ? undefined : /^\d+$/.test(index) ? (localFiles[Number(index)] ?? null) : null;
    const file =
      local !== undefined
        ? local
        : (resolveFile(absRoot, url) ?? (url.includes('.') ? null : path.join(absRoot, 'index.html')));
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-cache',
    };
    if (!file) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
    });
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${actual}/`,
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
