// Vite plugin (Node): serves the single-threaded ffmpeg.wasm core from our own origin at /ffmpeg/ in dev (and
// in Vitest's browser mode) and copies it into the build output as dist/ffmpeg/ffmpeg-core.{js,wasm}.
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { searchForWorkspaceRoot, type Plugin } from 'vite';

/** The files the studio loads, served under `/${FFMPEG_DIR}/`. */
export const FFMPEG_FILES = ['ffmpeg-core.js', 'ffmpeg-core.wasm'] as const;
export const FFMPEG_DIR = 'ffmpeg';

/** node_modules/@ffmpeg/core/dist/esm, found through the package's own entry point. */
export function ffmpegCoreDir(): string {
  const require = createRequire(import.meta.url);
  // The `require` export is dist/umd/ffmpeg-core.js (package.json itself is not exported).
  const umd = require.resolve('@ffmpeg/core');
  return path.join(path.dirname(umd), '..', 'esm');
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
};

/**
 * The plugin; the ffmpeg.wasm packages stay out of dependency pre-bundling, or the worker URL inside
 * @ffmpeg/ffmpeg (`new URL('./worker.js', import.meta.url)`) would point into the optimiser's cache.
 */
export function ffmpegCore(): Plugin {
  const dir = ffmpegCoreDir();
  return {
    name: 'tubelet-ffmpeg-core',
    config: (user) => ({
      optimizeDeps: { exclude: ['@ffmpeg/ffmpeg', '@ffmpeg/util'] },
      // Un-bundled, @ffmpeg/ffmpeg's worker.js is served from its real path (node_modules may be a symlink).
      server: {
        fs: {
          allow: [
            ...(user.server?.fs?.allow ?? [searchForWorkspaceRoot(process.cwd())]),
            realpathSync(path.join(dir, '..', '..', '..')),
          ],
        },
      },
    }),
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0] ?? '';
        const file = FFMPEG_FILES.find((f) => url === `/${FFMPEG_DIR}/${f}`);
        if (!file) {
          next();
          return;
        }
        res.setHeader('Content-Type', TYPES[path.extname(file)] ?? 'application/octet-stream');
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
        res.setHeader('Cache-Control', 'max-age=3600');
        res.end(readFileSync(path.join(dir, file)));
      });
    },
    generateBundle() {
      for (const file of FFMPEG_FILES) {
        this.emitFile({
          type: 'asset',
          fileName: `${FFMPEG_DIR}/${file}`,
          source: readFileSync(path.join(dir, file)),
        });
      }
    },
  };
}
