// Shared by the CLI e2e specs: run `tubelet` on a profile (exit code and output kept, never thrown), Debian's
// PyTorch interpreter for reference values, and the logit closeness check against torch.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from '@playwright/test';

const run = promisify(execFile);
export const PYTHON = '/usr/bin/python3';

export interface Cli {
  stdout: string;
  stderr: string;
  code: number;
}

/** `tubelet ARGS --profile P --no-build --adapter swiftshader`, with its output and exit code (0 on success). */
export function cliRunner(profile: string, timeoutMs: number): (...args: string[]) => Promise<Cli> {
  return async (...args) => {
    try {
      const { stdout, stderr } = await run(
        'node',
        ['bin/tubelet.mjs', ...args, '--profile', profile, '--no-build', '--adapter', 'swiftshader'],
        { timeout: timeoutMs, maxBuffer: 1 << 26 },
      );
      return { stdout, stderr, code: 0 };
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; code?: number };
      return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.code ?? -1 };
    }
  };
}

/** Debian's PyTorch interpreter on a fixture script; its stdout. */
export const python = (...args: string[]): string =>
  execFileSync(PYTHON, args, { encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 26 });

/** Every logit within rel·max|torch| + abs of torch's. */
export function expectClose(
  ours: readonly number[],
  torch: readonly number[],
  rel: number,
  abs: number,
): void {
  expect(ours).toHaveLength(torch.length);
  const scale = Math.max(...torch.map(Math.abs));
  const err = Math.max(...ours.map((v, i) => Math.abs(v - (torch[i] ?? NaN))));
  console.log(`max |logit| ${scale.toFixed(3)}, max difference ${err.toExponential(2)}`);
  expect(err).toBeLessThanOrEqual(rel * scale + abs);
}
