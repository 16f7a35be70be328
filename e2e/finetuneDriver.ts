// Drives the Finetune panel in e2e specs: a small Toy Actions set made through the automation handle (the same
// job as the first-start build, at a fraction of the size), the panel opened on it, a tiny 3-epoch config
// (4×16² clips, batch 4: 4 steps an epoch) typed into the config form, and bounded waits.
import type { Page } from '@playwright/test';
import type { JobResults, JobSpec } from '../src/shared/protocol.ts';
import { expect } from './fixtures.ts';

const TOY = { kind: 'toy-actions', size: 32, frames: 16, perClass: { train: 2, val: 1, test: 1 } } as const;

/** Runs a job through `window.__tubelet` and returns its result (throws its coded error). */
export async function runJob<S extends JobSpec>(page: Page, spec: S): Promise<JobResults[S['kind']]> {
  const outcome = await page.evaluate(async (s) => {
    const handle = window.__tubelet;
    if (!handle) throw new Error('automation handle missing');
    return handle.runJob(s);
  }, spec);
  if (!outcome.ok) throw new Error(`${spec.kind} failed: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.value;
}

export async function setNumber(page: Page, field: string, value: string): Promise<void> {
  await page.locator(`[data-field="${field}"] input`).fill(value);
}

/** Opens the studio, makes the small Toy Actions set and opens the Finetune panel with it chosen. */
export async function openFinetuneOnSmallToy(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('gpu-status')).not.toHaveText(/Starting/);
  const { dataset } = await runJob(page, TOY);
  await page
    .getByRole('navigation', { name: 'Studio sections' })
    .getByRole('button', { name: 'Finetune' })
    .click();
  await expect(page.getByTestId('preset-select')).toHaveValue('toy-actions-r3d-tiny');
  await page.getByTestId('dataset-select').selectOption(dataset);
}

/** Types the tiny 3-epoch config into the form: 16 train clips, 4 steps an epoch, 12 in all. */
export async function useTinyConfig(page: Page): Promise<void> {
  await setNumber(page, 'epochs', '3');
  await setNumber(page, 'batchSize', '4');
  await setNumber(page, 'data.clipLen', '4');
  await setNumber(page, 'data.cropSize', '16');
  await setNumber(page, 'schedule.warmupEpochs', '0');
  await expect(page.locator('[data-field] [role="alert"]')).toHaveCount(0);
}

/** Waits until the shown run has validated epoch `n` (its checkpoint is written after the epoch's record). */
export async function waitForEpochs(page: Page, n: number): Promise<void> {
  await expect(page.getByTestId('epoch-table').locator('tbody tr')).toHaveCount(n, { timeout: 240_000 });
}

/** Waits until the shown run has charted at least `n` steps (1 ≤ n ≤ 9). */
export async function waitForSteps(page: Page, n: number): Promise<void> {
  await expect(page.getByTestId('chart-loss')).toHaveAttribute(
    'data-points',
    new RegExp(`^([${n}-9]|\\d\\d+)$`),
    {
      timeout: 240_000,
    },
  );
}

export async function expectStatus(page: Page, status: string, timeout = 300_000): Promise<void> {
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', status, { timeout });
}

/** The newest run's row in the runs table. */
export const runRow = (page: Page) => page.getByTestId('runs-table').locator('tbody tr').first();

/** Dismisses every shown error (the error center sits over the page's bottom-right corner). */
export async function dismissErrors(page: Page): Promise<void> {
  const center = page.getByTestId('error-center');
  const all = center.getByRole('button', { name: 'Dismiss all' });
  if (await all.count()) await all.click();
  for (let left = await center.getByLabel('Dismiss').count(); left > 0; left--)
    await center.getByLabel('Dismiss').first().click();
  await expect(center).toHaveCount(0);
}
