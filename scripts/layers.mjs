// The dependency rules of ../shared/ARCHITECTURE.md as data, shared by the ESLint rule and the layering test.
// Runs in Node (lint and tests only).
import path from 'node:path';

/** Folders under src/ and the folders of ours each may import (its own folder is always allowed). */
export const LAYERS = {
  'main.tsx': ['ui', 'state', 'client', 'shared'],
  ui: ['state', 'shared'],
  state: ['client', 'shared'],
  client: ['shared'],
  shared: [],
  worker: ['train', 'eval', 'export', 'bench', 'data', 'models', 'gpu', 'shared'],
  bench: ['models', 'gpu', 'shared'],
  train: ['eval', 'models', 'data', 'gpu', 'shared'],
  eval: ['models', 'data', 'gpu', 'shared'],
  export: ['models', 'shared'],
  models: ['gpu', 'shared'],
  data: ['gpu', 'shared'],
  gpu: ['shared'],
};

/** Layers the client may import types (only types) from: the worker side of the boundary. */
export const TYPE_ONLY = { client: ['worker'] };

/** The one module the client may reference (not import) to start the compute worker. */
export const WORKER_ENTRY = { from: 'client', file: 'worker/entry.ts' };

/** Third-party packages that exactly one module of ours may import. */
export const SOLE_IMPORTERS = [
  { pkg: /^@tensorflow\//, owner: 'src/models/tf.ts' },
  { pkg: /^idb$/, owner: 'src/data/store/' },
];

/**
 * The layer of a file under src/, or null for files outside src/.
 * @param {string} file absolute or repo-relative path
 * @param {string} srcRoot absolute path of src/
 */
export function layerOf(file, srcRoot) {
  const rel = path.relative(srcRoot, path.resolve(file));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const [head] = rel.split(path.sep);
  if (head === undefined) return null;
  return head in LAYERS ? head : rel;
}

/**
 * Checks one import. Returns a message when it breaks a rule, else null.
 * @param {string} file the importing file (absolute)
 * @param {string} specifier the import specifier as written
 * @param {boolean} typeOnly whether the import is `import type` / `export type`
 * @param {string} srcRoot absolute path of src/
 * @param {boolean} [workerEntry] whether the specifier is a `new URL(...)` worker script reference
 */
export function checkImport(file, specifier, typeOnly, srcRoot, workerEntry = false) {
  const from = layerOf(file, srcRoot);
  if (from === null) return null;
  const relFile = path.relative(path.dirname(srcRoot), path.resolve(file)).split(path.sep).join('/');
  if (!specifier.startsWith('.')) {
    for (const { pkg, owner } of SOLE_IMPORTERS) {
      if (pkg.test(specifier) && !relFile.startsWith(owner)) {
        return `'${specifier}' may only be imported by ${owner} (imported from ${relFile})`;
      }
    }
    return null;
  }
  const target = path.resolve(path.dirname(path.resolve(file)), specifier.replace(/\?.*$/, ''));
  const to = layerOf(target, srcRoot);
  if (to === null) return `${relFile} imports '${specifier}' from outside src/`;
  if (to === from) return null;
  const targetRel = path.relative(srcRoot, target).split(path.sep).join('/');
  if (workerEntry && from === WORKER_ENTRY.from && targetRel === WORKER_ENTRY.file) return null;
  const allowed = LAYERS[/** @type {keyof typeof LAYERS} */ (from)];
  if (allowed === undefined) return `${relFile} is in no known layer (add its folder to scripts/layers.mjs)`;
  if (allowed.includes(to)) return null;
  const typeAllowed = TYPE_ONLY[/** @type {keyof typeof TYPE_ONLY} */ (from)] ?? [];
  if (typeOnly && typeAllowed.includes(to)) return null;
  return `layer '${from}' may not import from '${to}' ('${specifier}' in ${relFile}); allowed: ${[from, ...allowed].join(', ')}`;
}

/**
 * Finds the imports of a TypeScript source (static, dynamic, re-exports, `new URL(..., import.meta.url)` workers).
 * @param {string} source
 * @returns {{ specifier: string, typeOnly: boolean, workerEntry: boolean }[]}
 */
export function findImports(source) {
  const found = [];
  const stat = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(stat)) {
    found.push({ specifier: m[3] ?? '', typeOnly: Boolean(m[2]), workerEntry: false });
  }
  for (const m of source.matchAll(/import\(\s*['"]([^'"]+)['"]/g)) {
    found.push({ specifier: m[1] ?? '', typeOnly: false, workerEntry: false });
  }
  for (const m of source.matchAll(/new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g)) {
    found.push({ specifier: m[1] ?? '', typeOnly: false, workerEntry: true });
  }
  return found;
}
