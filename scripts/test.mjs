#!/usr/bin/env node
// `npm test`: type-check, lint, format check, unit tests, build, GPU tests in Chromium and e2e, in that order.
// Prints a summary per suite and, as its last line, `N passed, N failed` over all suites. Runs in Node.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const RESULTS = 'test-results';
mkdirSync(RESULTS, { recursive: true });
const only = process.argv.slice(2);

/** @typedef {{ name: string, passed: number, failed: number, skipped: number, seconds: number }} Outcome */

function exec(command, args) {
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
  return { ok: result.status === 0, seconds: (Date.now() - started) / 1000 };
}

/** A step that counts as one check. */
function check(name, command, args) {
  const { ok, seconds } = exec(command, args);
  return { name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, seconds };
}

/** A vitest project, counted test by test from its JSON report. */
function vitest(name, project) {
  const report = path.join(RESULTS, `${project}.json`);
  rmSync(report, { force: true });
  const { ok, seconds } = exec('npx', [
    'vitest',
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile=${report}`,
  ]);
  if (!existsSync(report)) return { name, passed: 0, failed: 1, skipped: 0, seconds };
  const json = JSON.parse(readFileSync(report, 'utf8'));
  const failed = json.numFailedTests + (ok || json.numFailedTests > 0 ? 0 : 1);
  const skipped = json.numPendingTests + json.numTodoTests;
  return { name, passed: json.numPassedTests, failed, skipped, seconds };
}

function playwright(name) {
  const report = path.join(RESULTS, 'e2e.json');
  rmSync(report, { force: true });
  const { ok, seconds } = exec('npx', ['playwright', 'test']);
  if (!existsSync(report)) return { name, passed: 0, failed: 1, skipped: 0, seconds };
  const { stats } = JSON.parse(readFileSync(report, 'utf8'));
  const failed = stats.unexpected + (ok || stats.unexpected > 0 ? 0 : 1);
  return { name, passed: stats.expected + stats.flaky, failed, skipped: stats.skipped, seconds };
}

const steps = [
  ['typecheck', () => check('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json'])],
  ['typecheck-node', () => check('typecheck (node)', 'npx', ['tsc', '-p', 'tsconfig.node.json'])],
  ['lint', () => check('lint', 'npx', ['eslint', '.', '--max-warnings', '0'])],
  ['format', () => check('format', 'npx', ['prettier', '--check', '.', '--log-level', 'warn'])],
  ['unit', () => vitest('unit', 'unit')],
  ['build', () => check('build', 'npx', ['vite', 'build', '--logLevel', 'warn'])],
  ['gpu', () => vitest('gpu (Chromium)', 'gpu')],
  ['e2e', () => playwright('e2e (Playwright)')],
];

/** @type {Outcome[]} */
const outcomes = [];
for (const [key, run] of steps) {
  if (only.length > 0 && !only.includes(key)) continue;
  process.stdout.write(`\n━━ ${key} ━━\n`);
  outcomes.push(run());
}

const total = { passed: 0, failed: 0, skipped: 0 };
process.stdout.write('\nSummary\n');
for (const o of outcomes) {
  total.passed += o.passed;
  total.failed += o.failed;
  total.skipped += o.skipped;
  const mark = o.failed > 0 ? 'FAIL' : 'ok  ';
  process.stdout.write(
    `  ${mark} ${o.name.padEnd(20)} ${String(o.passed).padStart(4)} passed ${String(o.failed).padStart(3)} failed` +
      `${o.skipped ? ` ${o.skipped} skipped` : ''}  (${o.seconds.toFixed(0)} s)\n`,
  );
}
// A skipped GPU or e2e test hides a missing adapter or browser: it counts as a failure.
const failed = total.failed + total.skipped;
process.stdout.write(`${total.passed} passed, ${failed} failed\n`);
process.exitCode = failed > 0 ? 1 : 0;
