// Vitest browser commands (Node side) for the zoo's PyTorch parity tests: run src/models/zoo/fixtures/torch_zoo.py
// with Debian's /usr/bin/python3 into a fresh folder under test-results/ (served to the page via /@fs/), check a
// file the page exported, and remove the folder. Fails, never skips, when python3-torch is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserCommand } from 'vitest/node';
import type { TorchZooExpected, TorchZooFixtures } from '../src/models/zoo/fixtures/torchZooTypes.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../src/models/zoo/fixtures/torch_zoo.py', import.meta.url));
const INSTALL =
  "the zoo parity tests need Debian's python3-torch and python3-torchvision under /usr/bin/python3 " +
  '(apt-get install -y python3-torch python3-torchvision; .ci/run installs them)';

function python(args: string[]): string {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} does not exist: ${INSTALL}`);
  try {
    return execFileSync(PYTHON, [SCRIPT, ...args], {
      encoding: 'utf8',
      timeout: 900_000,
      maxBuffer: 1 << 26,
    });
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(
      `${PYTHON} ${path.basename(SCRIPT)} ${args.join(' ')} failed (${INSTALL}):\n${String(stderr)}`,
      {
        cause: error,
      },
    );
  }
}

function insideFixtures(root: string, dir: string): string {
  const abs = path.resolve(root, dir);
  const base = path.resolve(root, 'test-results');
  if (!abs.startsWith(`${base}${path.sep}torch-zoo-`))
    throw new Error(`${dir} is not a torch-zoo fixture folder`);
  return abs;
}

/** specs: 'name:T:H:W' each. */
export const torchZooMake: BrowserCommand<[specs: string[]]> = ({ project }, specs) => {
  const root = project.config.root;
  mkdirSync(path.join(root, 'test-results'), { recursive: true });
  const dir = mkdtempSync(path.join(root, 'test-results', 'torch-zoo-'));
  python(['make', dir, ...specs]);
  const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as TorchZooExpected;
  const result: TorchZooFixtures = { dir, relDir: path.relative(root, dir), expected };
  return Promise.resolve(result);
};

/** Strict-loads `file` (in the fixture folder) into torchvision's `name` and returns its logits for the input. */
export const torchZooCheck: BrowserCommand<[dir: string, name: string, file: string]> = (
  { project },
  dir,
  name,
  file,
) => {
  const abs = insideFixtures(project.config.root, dir);
  const out = JSON.parse(python(['check', abs, name, path.join(abs, path.basename(file))])) as {
    logits: number[];
  };
  return Promise.resolve(out.logits);
};

export const torchZooRemove: BrowserCommand<[dir: string]> = ({ project }, dir) => {
  rmSync(insideFixtures(project.config.root, dir), { recursive: true, force: true });
  return Promise.resolve();
};
