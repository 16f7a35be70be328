// Toy Actions: made in the background on first start with a visible progress indicator, and by
// `tubelet toy --json`, which prints one summary object and finds the dataset complete the second time.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, screenshot, test } from './fixtures.ts';

const run = promisify(execFile);

test('Create Toy Actions on the Start view builds the dataset with progress', async ({ page }) => {
  // About a minute on an idle 2-core machine; minutes when the machine is shared.
  test.setTimeout(600_000);
  // Automated browsers do not start it by themselves (?toy=1 would): the Start view's button does.
  await page.goto('/');
  await expect(page.getByTestId('start-step-1-state')).toContainText('None stored yet');
  await page.getByRole('button', { name: 'Create Toy Actions' }).click();
  const status = page.getByTestId('toy-status');
  await expect(status).toHaveAttribute('data-state', 'running');
  await expect(status.getByRole('progressbar')).toBeVisible();
  await screenshot(page, 'toy-actions-progress');
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 540_000 });
  await expect(status).toContainText('Toy Actions ready · 576 videos · 8 classes');
  await expect(page.getByTestId('start-step-1-state')).toContainText('Toy Actions');
  await expect(page.getByTestId('start-step-1')).toHaveClass(/start-step--done/);
  await page.getByRole('button', { name: 'Open Datasets' }).click();
  await expect(page.getByRole('button', { name: 'Re-create Toy Actions' })).toBeVisible();
  await expect(page.getByTestId('toy-card-state')).toHaveText('stored · 576 videos');
  // A reload finds it stored: the check is quick and shows no progress afterwards.
  await page.reload();
  await expect(page.getByTestId('gpu-status')).toBeVisible();
  await expect(status).toHaveCount(0, { timeout: 30_000 });
});

test('tubelet toy --json prints the dataset summary and is idempotent', async () => {
  test.setTimeout(600_000);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'tubelet-toy-'));
  const toy = async () => {
    const { stdout } = await run(
      'node',
      ['bin/tubelet.mjs', 'toy', '--json', '--profile', profile, '--no-build'],
      {
        timeout: 400_000,
      },
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    return JSON.parse(lines[0] ?? '') as {
      dataset: string;
      videos: number;
      classes: number;
      splits: { train: number; val: number; test: number };
      frames: number;
      bytes: number;
      created: number;
      seconds: number;
      containers: Record<string, number>;
    };
  };
  const first = await toy();
  expect(first).toMatchObject({
    dataset: 'toy-actions',
    videos: 576,
    classes: 8,
    splits: { train: 384, val: 96, test: 96 },
    frames: 576 * 32,
    bytes: 576 * 32 * 64 * 64 * 3,
    created: 576,
    containers: { mp4: 288, webm: 288 },
  });
  expect(first.seconds).toBeGreaterThan(0);
  const second = await toy();
  expect(second).toMatchObject({ dataset: 'toy-actions', videos: 576, frames: first.frames, created: 0 });
});
