// The Finetune panel: on a small Toy Actions set (./finetuneDriver.ts), a 3-epoch run of a tiny config (4×16²
// clips) is trained from the panel:
// the dashboard charts receive points, validation appears after epoch 1, the logs download as JSONL and CSV,
// Stop leaves a resumable run in the runs list, and Resume finishes it.
// Every action and wait has a bound: this spec once stalled for its whole 25-minute budget on an idle machine
// (the augmentation preview's WGSL error stacked ten GPU errors over the log buttons, and the click waited).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, screenshot, test } from './fixtures.ts';
import {
  expectStatus,
  openFinetuneOnSmallToy,
  runRow as newestRun,
  setNumber,
  useTinyConfig,
  waitForEpochs,
} from './finetuneDriver.ts';

// a click on a covered or disabled control fails within a minute instead of waiting out the test
test.use({ actionTimeout: 60_000 });

async function download(page: Page, testId: string): Promise<string> {
  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.getByTestId(testId).click(),
  ]);
  const saved = await file.path();
  return readFileSync(saved, 'utf8');
}

test('trains a tiny config from the Finetune panel with a live dashboard, log export, stop and resume', async ({
  page,
}) => {
  test.setTimeout(900_000);
  await openFinetuneOnSmallToy(page);
  // per-field validation: a bad learning rate is named at its field and blocks Train
  await setNumber(page, 'optimizer.lr', '-1');
  await expect(page.locator('[data-field="optimizer.lr"] [role="alert"]')).toContainText(/>0/);
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await setNumber(page, 'optimizer.lr', '0.003');
  await useTinyConfig(page);
  // estimates: memory from the model's size at this clip shape; no clips/s measured for it yet
  await expect(page.getByTestId('estimate-memory')).toContainText(/≈ .*activations/);
  await expect(page.getByTestId('estimate-time')).toHaveAttribute('data-source', 'none');
  // augmented clips of the chosen dataset, drawn on the GPU with this config
  await page.getByTestId('augment-preview-show').click();
  await expect(page.getByTestId('augment-strips').locator('canvas')).toHaveCount(4);
  // the preview compiles and runs every shader it needs (it once failed WGSL validation on rank-5 broadcasts)
  await expect(page.getByTestId('error-center')).toHaveCount(0);

  await page.getByTestId('train-start').click();
  const loss = page.getByTestId('chart-loss');
  await expect(loss).toHaveAttribute('data-points', /^[1-9]/, { timeout: 240_000 });
  await expect(page.getByTestId('chart-clips/s')).toHaveAttribute('data-points', /^[1-9]/);
  await expect(page.getByTestId('chart-train accuracy')).toHaveAttribute('data-points', /^[1-9]/);
  await expect(page.getByRole('progressbar', { name: /step \d+ \/ 12/ })).toBeVisible();
  // validation after epoch 1 (16 train clips: 4 steps of 4)
  const epochs = page.getByTestId('epoch-table');
  await waitForEpochs(page, 1);
  // Stop at once (8 steps are left); the stopped run's dashboard and logs stay
  await page.getByTestId('train-stop').click();
  await expect(epochs.locator('tbody tr').first()).toContainText('%');
  await expect(page.getByTestId('chart-val accuracy')).toHaveAttribute('data-points', '1');
  await expect(page.getByTestId('estimate-time')).toHaveAttribute('data-source', 'measured');

  await expectStatus(page, 'stopped', 120_000);
  const runRow = newestRun(page);
  await expect(runRow).toContainText('stopped');
  await expect(runRow).toContainText(/[12] \/ 3/);

  const jsonl = await download(page, 'log-jsonl');
  const records = jsonl
    .trim()
    .split('\n')
    .map(
      (line) => JSON.parse(line) as { type: string; step?: number; trainTop1?: number; trainTop5?: number },
    );
  const steps = records.filter((r) => r.type === 'step');
  expect(steps.length).toBeGreaterThanOrEqual(4);
  // train accuracy of each step's 4 clips (8 classes: top-5 ≥ top-1)
  for (const r of steps) {
    expect(((r.trainTop1 ?? NaN) * 4) % 1).toBe(0);
    expect(r.trainTop5 ?? NaN).toBeGreaterThanOrEqual(r.trainTop1 ?? NaN);
  }
  expect(records.some((r) => r.type === 'epoch')).toBe(true);
  const csv = (await download(page, 'log-csv')).trim().split('\n');
  const header = csv[0]?.split(',') ?? [];
  expect(header.slice(0, 4)).toEqual(['type', 'epoch', 'step', 'loss']);
  expect(header.slice(-2)).toEqual(['train_top1', 'train_top5']);
  for (const line of csv.slice(1)) expect(line.split(',')).toHaveLength(header.length);
  expect(csv.slice(1).some((l) => l.startsWith('epoch,0,4,'))).toBe(true);

  await runRow.getByRole('button', { name: 'Resume' }).click();
  await expectStatus(page, 'finished');
  await expect(epochs.locator('tbody tr')).toHaveCount(3);
  await expect(loss).toHaveAttribute('data-points', '12');
  await expect(runRow).toContainText('finished');
  await expect(runRow).toContainText('3 / 3');

  await page.getByTestId('train-dashboard').evaluate((el) => {
    el.scrollIntoView({ block: 'start' });
  });
  await screenshot(page, 'finetune-dashboard');
  if (process.env.TUBELET_UPDATE_DOCS === '1') {
    await page.screenshot({ path: path.resolve('docs', 'img', 'dashboard.png') });
  }
});
