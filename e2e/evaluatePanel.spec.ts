// From a fresh profile to an evaluation on the production build, in one flow so Toy Actions is made once: the Start
// view's "Create Toy Actions" builds the dataset with visible progress; Models → Layers shows the preset's model;
// Finetune's default preset trains on it;
// then the Evaluate panel runs the seeded toy
// R3D under a 3×3 protocol on the test split; the result card, the 8×8 confusion heatmap and the per-class bars
// appear (screenshots).
import { expect, screenshot, seriousAxeViolations, test } from './fixtures.ts';
import { expectStatus, waitForSteps } from './finetuneDriver.ts';

test('Create Toy Actions on the Start view, the default Finetune preset trains, then the Evaluate panel runs a 3×3 protocol with its charts', async ({
  page,
}) => {
  test.setTimeout(1_200_000);
  // Automated browsers do not start Toy Actions by themselves (?toy=1 would): the Start view's button does.
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

  // Step 2 of the Start view opens Models, whose zoo shows the preset's model layer by layer
  await page
    .getByRole('navigation', { name: 'Studio sections' })
    .getByRole('button', { name: 'Start' })
    .click();
  await page.getByRole('button', { name: 'Open Models' }).click();
  const toyRow = page.getByTestId('zoo-toy_r3d');
  await expect(toyRow.getByTestId('zoo-params')).toHaveText('18,304', { timeout: 120_000 });
  await toyRow.getByRole('button', { name: 'Layers' }).click();
  await expect(page.getByTestId('layers')).toContainText('Layers of toy_r3d', { timeout: 60_000 });
  await expect(page.getByTestId('layers-table').locator('tbody tr').last()).toContainText(
    /Linear\s*\[1, 8\]/,
  );

  // Finetune's default preset on the UI-made dataset trains: two steps charted, then Stop leaves a resumable run
  const nav = page.getByRole('navigation', { name: 'Studio sections' });
  await nav.getByRole('button', { name: 'Finetune' }).click();
  await expect(page.getByTestId('preset-select')).toHaveValue('toy-actions-r3d-tiny');
  await expect(page.getByTestId('dataset-select')).not.toContainText('not stored');
  await page.getByTestId('train-start').click();
  await waitForSteps(page, 2);
  await page.getByTestId('train-stop').click();
  await expectStatus(page, 'stopped', 120_000);
  expect(await seriousAxeViolations(page, 'Finetune (a run charted)')).toEqual([]);

  await nav.getByRole('button', { name: 'Evaluate' }).click();
  const form = page.getByTestId('eval-form');
  await expect(form.getByLabel('Dataset')).toContainText('Toy Actions');
  await form.getByLabel('Model').fill('toy_r3d');
  await form.getByLabel('Protocol').selectOption('custom');
  await form.getByLabel('Views').fill('3x3');
  await form.getByLabel('Split').fill('test1');
  await form.getByRole('button', { name: 'Evaluate' }).click();
  await expect(form.getByRole('progressbar')).toBeVisible();
  await expect(page.getByTestId('eval-result')).toBeVisible({ timeout: 600_000 });
  await expect(page.getByTestId('eval-result')).toContainText('96 (96 scored now, 0 resumed)');
  await expect(page.getByTestId('eval-result')).toContainText('3 clips × three (9 per video');
  await expect(page.locator('.confusion__cell')).toHaveCount(64);
  await expect(page.locator('.per-class__row')).toHaveCount(8);
  await expect(page.getByTestId('eval-past')).toContainText('done');
  await screenshot(page, 'evaluate-panel');
  expect(await seriousAxeViolations(page, 'Evaluate (a result shown)')).toEqual([]);
});
