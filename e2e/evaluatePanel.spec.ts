// The Evaluate panel on the production build: Toy Actions (made in the background), the seeded toy R3D under a 3×3
// protocol on the test split; the result card, the 8×8 confusion heatmap and the per-class bars appear (screenshot).
import { expect, screenshot, test } from './fixtures.ts';

test('the Evaluate panel runs a 3×3 protocol and shows the confusion matrix and per-class chart', async ({
  page,
}) => {
  test.setTimeout(900_000);
  await page.goto('/?toy=1#/evaluate');
  await expect(page.getByTestId('toy-status')).toHaveAttribute('data-state', 'ready', { timeout: 540_000 });
  await page.reload(); // lists the new dataset
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
});
