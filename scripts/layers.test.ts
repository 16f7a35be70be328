// The dependency direction of ARCHITECTURE.md holds for every file under src/, and the checker catches breaks.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkImport, findImports } from './layers.mjs';

const srcRoot = path.resolve(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(name) ? [full] : [];
  });
}

const at = (rel: string): string => path.join(srcRoot, rel);

describe('layering', () => {
  it('has no forbidden import anywhere in src/', () => {
    const problems: string[] = [];
    for (const file of sourceFiles(srcRoot)) {
      for (const { specifier, typeOnly, workerEntry } of findImports(readFileSync(file, 'utf8'))) {
        const message = checkImport(file, specifier, typeOnly, srcRoot, workerEntry);
        if (message) problems.push(message);
      }
    }
    expect(problems).toEqual([]);
  });

  it('flags UI code that reaches into the worker side or TF.js', () => {
    expect(checkImport(at('ui/App.tsx'), '../gpu/device.ts', false, srcRoot)).toMatch(
      /'ui' may not import from 'gpu'/,
    );
    expect(checkImport(at('ui/App.tsx'), '../client/workerClient.ts', false, srcRoot)).toMatch(
      /'ui' may not/,
    );
    expect(checkImport(at('ui/App.tsx'), '@tensorflow/tfjs', false, srcRoot)).toMatch(/src\/models\/tf.ts/);
  });

  it('lets the client import only types from the worker, and start only its entry', () => {
    expect(checkImport(at('client/x.ts'), '../worker/api.ts', true, srcRoot)).toBeNull();
    expect(checkImport(at('client/x.ts'), '../worker/api.ts', false, srcRoot)).toMatch(/'client' may not/);
    expect(checkImport(at('client/x.ts'), '../worker/entry.ts', false, srcRoot, true)).toBeNull();
    expect(checkImport(at('client/x.ts'), '../worker/api.ts', false, srcRoot, true)).toMatch(
      /'client' may not/,
    );
  });

  it('keeps gpu/ and shared/ at the bottom', () => {
    expect(checkImport(at('gpu/device.ts'), '../models/tf.ts', false, srcRoot)).toMatch(/'gpu' may not/);
    expect(checkImport(at('shared/errors.ts'), '../gpu/device.ts', false, srcRoot)).toMatch(
      /'shared' may not/,
    );
    expect(checkImport(at('models/tf.ts'), '@tensorflow/tfjs', false, srcRoot)).toBeNull();
    expect(checkImport(at('data/decode/x.ts'), 'idb', false, srcRoot)).toMatch(/src\/data\/store/);
  });

  it('finds static, type-only, dynamic and worker-URL imports', () => {
    const found = findImports(
      "import a from './a.ts';\nimport type { B } from '../b.ts';\nexport * from './c.ts';\n" +
        "const d = await import('./d.ts');\nnew Worker(new URL('./e.ts', import.meta.url));",
    );
    expect(found).toEqual([
      { specifier: './a.ts', typeOnly: false, workerEntry: false },
      { specifier: '../b.ts', typeOnly: true, workerEntry: false },
      { specifier: './c.ts', typeOnly: false, workerEntry: false },
      { specifier: './d.ts', typeOnly: false, workerEntry: false },
      { specifier: './e.ts', typeOnly: false, workerEntry: true },
    ]);
  });

  it('allows requestAdapter only in gpu/device.ts', () => {
    const offenders = sourceFiles(srcRoot).filter(
      (f) =>
        /requestAdapter\(|requestDevice\(/.test(readFileSync(f, 'utf8')) &&
        !f.endsWith(path.join('gpu', 'device.ts')),
    );
    expect(offenders.map((f) => path.relative(srcRoot, f))).toEqual([]);
  });
});
