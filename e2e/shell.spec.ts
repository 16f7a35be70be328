// The studio shell and the System panel, populated from the compute worker.
import { expect, screenshot, test } from './fixtures.ts';

const PANELS = ['Start', 'Datasets', 'Models', 'Pretrain', 'Finetune', 'Evaluate', 'Visualise', 'System'];

test('shows the shell with navigation to every panel', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByText('Tubelet', { exact: true })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Studio sections' });
  for (const name of PANELS) await expect(nav.getByRole('button', { name })).toBeVisible();
  await expect(page.getByTestId('gpu-status')).not.toHaveText(/Starting/);
  // A fresh profile opens on the Start view: three steps, each linking to its panel; System one click away.
  await expect(page.getByRole('heading', { level: 1, name: 'Start' })).toBeVisible();
  await expect(page.getByTestId('start-step-1-state')).toContainText('None stored yet');
  await expect(page.getByTestId('start-step-2-state')).toContainText('toy_');
  await expect(page.getByTestId('start-step-3-state')).toHaveText('No runs yet.');
  await screenshot(page, 'start-view');
  await page.getByRole('button', { name: 'Check your GPU on System' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'System' })).toBeVisible();
  for (const name of PANELS.slice(0, 7)) {
    await nav.getByRole('button', { name }).click();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`#/${name.toLowerCase()}$`));
  }
  await nav.getByRole('button', { name: 'Datasets' }).click();
  await screenshot(page, 'shell-datasets');
});

test('opens the panel named in the URL', async ({ page }) => {
  await page.goto('/#/evaluate');
  await expect(page.getByRole('heading', { level: 1, name: 'Evaluate' })).toBeVisible();
});

test('System panel shows adapter, features, limits, codecs and storage from the worker', async ({ page }) => {
  await page.goto('/#/system');
  await expect(page.getByTestId('system-report')).toBeVisible();
  await expect(page.getByTestId('adapter-vendor')).not.toHaveText('—');
  await expect(page.getByTestId('adapter-tf-js')).toContainText('on webgpu, sharing our GPU device');
  await expect(page.getByTestId('gpu-status')).toContainText(/google|nvidia|amd|intel|apple|arm|qualcomm/i);
  const features = page.getByTestId('features');
  for (const f of ['timestamp-query', 'subgroups', 'shader-f16']) await expect(features).toContainText(f);
  const limits = page.getByTestId('limits-card');
  await expect(limits).toContainText('maxStorageBufferBindingSize');
  await expect(limits).toContainText('maxComputeWorkgroupStorageSize');
  for (const codec of ['avc1', 'vp8', 'vp9', 'av1', 'hevc']) {
    await expect(page.getByTestId(`codec-${codec}`)).toContainText(/yes|no/);
  }
  await expect(page.getByTestId('codec-avc1')).toContainText('yes');
  await expect(page.getByTestId('storage-usage')).toContainText(/used of/);
  await screenshot(page, 'system-panel');
});

test('GPU self-test runs a WGSL kernel in the worker and matches the CPU', async ({ page }) => {
  await page.goto('/#/system');
  await page.getByRole('button', { name: 'Run GPU self-test' }).click();
  await expect(page.getByTestId('selftest-verdict')).toHaveText('PASS');
  const text = await page.getByTestId('selftest-error').innerText();
  const match = /= ([\d.e+-]+) \(tolerance ([\d.e+-]+)\)/.exec(text);
  expect(match).not.toBeNull();
  expect(Number(match?.[1])).toBeLessThanOrEqual(Number(match?.[2]));
  await screenshot(page, 'system-selftest');
});

test('Persist storage either succeeds or shows a coded error in the error center', async ({ page }) => {
  await page.goto('/#/system');
  await page.getByRole('button', { name: 'Persist storage' }).click();
  await expect(
    page.getByRole('button', { name: 'Storage is persistent' }).or(page.getByTestId('error-center')),
  ).toBeVisible();
  if (await page.getByTestId('error-center').isVisible()) {
    await expect(page.getByTestId('error-center')).toContainText('STORAGE_UNAVAILABLE');
  }
});

test('the automation handle drives the same worker API', async ({ page }) => {
  await page.goto('/');
  const outcome = await page.evaluate(async () => {
    const handle = window.__tubelet;
    if (!handle) return null;
    const bad = await handle.runJob({ kind: 'selftest', m: 0, n: 4, k: 4, seed: 1 });
    const good = await handle.runJob({ kind: 'selftest', m: 9, n: 7, k: 5, seed: 2 });
    return { bad, good: good.ok ? good.value.ok : null };
  });
  expect(outcome?.bad).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  expect(outcome?.good).toBe(true);
});
