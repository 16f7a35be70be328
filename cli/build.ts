// Builds the studio into dist/ when the sources are newer than the last build (Node).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CliError } from './errors.ts';

export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const DIST_DIR = path.join(REPO_ROOT, 'dist');

const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'];

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

export function buildIsStale(root = REPO_ROOT): boolean {
  const index = path.join(root, 'dist', 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((s) => newestMtime(path.join(root, s)) > built);
}

/** Runs `vite build` when needed; progress goes to stderr so --json output stays clean. */
export async function ensureBuilt(log: (line: string) => void, force = false): Promise<void> {
  if (!force && !buildIsStale()) return;
  if (!existsSync(path.join(REPO_ROOT, 'node_modules', 'vite'))) {
    if (existsSync(path.join(DIST_DIR, 'index.html'))) return;
    throw new CliError('The studio is not built and Vite is not installed: run `npm install` first.');
  }
  log('Building the studio (vite build)…');
  const { build } = await import('vite');
  try {
    await build({ root: REPO_ROOT, logLevel: 'error', configFile: path.join(REPO_ROOT, 'vite.config.ts') });
  } catch (error) {
    throw new CliError(
      `The studio failed to build: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  log('Build finished.');
}
