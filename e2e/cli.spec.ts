// The headless CLI: doctor and selftest print one JSON object each, through the studio's automation handle.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';

const run = promisify(execFile);
const profile = mkdtempSync(path.join(os.tmpdir(), 'tubelet-cli-'));

async function tubelet(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(
      'node',
      ['bin/tubelet.mjs', ...args, '--profile', profile, '--no-build'],
      {
        timeout: 170_000,
      },
    );
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.code ?? -1 };
  }
}

test('doctor --json prints adapter, limits, features and codecs as one JSON object', async () => {
  const { stdout, code } = await tubelet('doctor', '--json');
  expect(code).toBe(0);
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  const report = JSON.parse(lines[0] ?? '') as Record<string, unknown> & {
    gpu: { vendor: string; features: string[]; limits: Record<string, number> };
    codecs: { name: string; decode: boolean }[];
    tf: { sharesDevice: boolean };
    browser: { version: string };
  };
  expect(report.gpu.vendor.length).toBeGreaterThan(0);
  expect(report.gpu.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  expect(Array.isArray(report.gpu.features)).toBe(true);
  expect(report.codecs.map((c) => c.name)).toEqual(['avc1', 'vp8', 'vp9', 'av1', 'hevc']);
  expect(report.tf.sharesDevice).toBe(true);
  expect(report.browser.version).toMatch(/\d+\.\d+/);
  expect(report).toHaveProperty('storage');
});

test('selftest --json reports a WGSL result matching the CPU reference', async () => {
  const { stdout, code } = await tubelet('selftest', '--json', '--size', '64', '--adapter', 'swiftshader');
  expect(code).toBe(0);
  const result = JSON.parse(stdout.trim()) as { ok: boolean; maxAbsError: number; tolerance: number };
  expect(result.ok).toBe(true);
  expect(result.maxAbsError).toBeLessThanOrEqual(result.tolerance);
});

test('a usage error exits 2 with one line saying what to do', async () => {
  const { stderr, code } = await tubelet('doctor', '--adapter', 'quantum');
  expect(code).toBe(2);
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/--adapter must be auto, hardware or swiftshader/);
});

test('models --json lists the zoo with the published parameter counts and multiply-adds', async () => {
  const { stdout, stderr, code } = await tubelet('models', '--json');
  expect(code, stderr).toBe(0);
  const list = JSON.parse(stdout.trim()) as {
    name: string;
    params: number;
    publishedParams: number;
    publishedParamsRounding: number;
    macs: number;
    input: number[];
  }[];
  const byName = new Map(list.map((m) => [m.name, m]));
  expect([...byName.keys()]).toEqual(expect.arrayContaining(['r3d_18', 'mc3_18', 'r2plus1d_18', 's3d']));
  expect(byName.get('r3d_18')?.params).toBe(33_371_472); // torchvision: 33.4 M
  expect(byName.get('s3d')?.params).toBe(8_320_048);
  // exact where the source states the exact count, within half its rounding step where it states e.g. 28.0 M
  for (const m of list) {
    expect(Math.abs(m.params - m.publishedParams), m.name).toBeLessThanOrEqual(m.publishedParamsRounding / 2);
  }
  // torchvision quotes 40.70 GFLOPS (multiply-adds) for r3d_18 at 16×112×112.
  expect((byName.get('r3d_18')?.macs ?? 0) / 1e9).toBeCloseTo(40.7, 1);
  expect(byName.get('r3d_18')?.input).toEqual([1, 16, 112, 112, 3]);
});
