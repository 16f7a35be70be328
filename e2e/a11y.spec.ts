// Accessibility and layout of every panel on the production build: axe-core finds no serious or critical
// violation on any panel at 1280×800 and at 1920×1080 (one screenshot per panel and size), and the studio is usable
// from the keyboard alone (skip button, Tab into the navigation, ↑/↓/End to move, Enter to open, a visible focus).
import { expect, screenshot, seriousAxeViolations, test } from './fixtures.ts';

const PANELS = ['Start', 'Datasets', 'Models', 'Pretrain', 'Finetune', 'Evaluate', 'Visualise', 'System'];
const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

test('axe finds no serious violation on any panel, at 1280×800 and 1920×1080', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/');
  await expect(page.getByTestId('gpu-status')).not.toHaveText(/Starting/);
  const nav = page.getByRole('navigation', { name: 'Studio sections' });
  const found: string[] = [];
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const name of PANELS) {
      await nav.getByRole('button', { name }).click();
      await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
      await page.waitForLoadState('networkidle');
      found.push(...(await seriousAxeViolations(page, `${name} @${size.width}`)));
      await screenshot(page, `panel-${name.toLowerCase()}-${size.width}x${size.height}`);
    }
  }
  expect(found).toEqual([]);
});

test('the studio works from the keyboard: skip button, arrow keys in the navigation, visible focus', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Start' })).toBeVisible();
  // the first Tab reaches the skip button; Enter moves the focus into the panel
  await page.keyboard.press('Tab');
  const skip = page.getByRole('button', { name: 'Skip to the panel' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#main')).toBeFocused();

  // Tab from the top reaches the navigation; ↓ moves along it, End jumps to the last entry, Enter opens it
  await page.locator('body').focus();
  const nav = page.getByRole('navigation', { name: 'Studio sections' });
  let tabs = 0;
  while (!(await nav.locator('button:focus').count()) && tabs < 20) {
    await page.keyboard.press('Tab');
    tabs++;
  }
  await expect(nav.getByRole('button', { name: 'Start' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(nav.getByRole('button', { name: 'Datasets' })).toBeFocused();
  const ring = await nav
    .getByRole('button', { name: 'Datasets' })
    .evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(ring).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Datasets' })).toBeVisible();
  await page.keyboard.press('End');
  await expect(nav.getByRole('button', { name: 'System' })).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(nav.getByRole('button', { name: 'Visualise' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Visualise' })).toBeVisible();
  await expect(page).toHaveURL(/#\/visualise$/);
});
