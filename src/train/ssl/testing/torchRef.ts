// TEST-ONLY (Node): runs a PyTorch reference script under Debian's /usr/bin/python3 with a JSON spec on stdin and
// parses its JSON answer; plus an element-wise closeness check that names the first offending index.
import { expect } from 'vitest';
import { PYTHON } from '../../../models/weights/fixtures/python.ts';

interface ChildProcessWithInput {
  execFileSync(
    f: string,
    a: string[],
    o: { input: string; encoding: 'utf8'; timeout: number; maxBuffer: number },
  ): string;
}

/** A Node built-in, untyped here on purpose (src/ is type-checked without @types/node). */
const load = (name: string): Promise<unknown> => import(/* @vite-ignore */ name);

/** Runs `script` (Python source) with `spec` as JSON on stdin; returns its stdout parsed as JSON. */
export async function runTorch<T>(script: string, spec: unknown): Promise<T> {
  const cp = (await load('node:child_process')) as ChildProcessWithInput;
  const out = cp.execFileSync(PYTHON, ['-c', script], {
    input: JSON.stringify(spec),
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 1 << 28,
  });
  return JSON.parse(out) as T;
}

/** max |a − b| over all elements, after checking the lengths match. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return m;
}

/** Asserts every element of `a` is within `tol` of `b` (NaN fails). */
export function expectAllClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what = ''): void {
  const d = maxAbsDiff(a, b);
  expect(d, `${what}: max |diff| ${d}`).toBeLessThan(tol);
}
