// Without WebGPU the studio explains what is needed instead of failing silently.
import { chromium } from '@playwright/test';
import { chromeFlags, findChrome } from '../cli/chrome.ts';
import { expect, screenshot, test } from './fixtures.ts';

test('shows what is needed when the browser has no WebGPU', async ({ baseURL }) => {
  const flags = chromeFlags('swiftshader').filter((f) => f !== '--enable-unsafe-webgpu');
  const browser = await chromium.launch({
    executablePath: findChrome(),
    args: [...flags, '--disable-blink-features=WebGPU'],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(baseURL ?? '/');
    await expect(page.getByTestId('webgpu-missing')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Tubelet needs WebGPU' })).toBeVisible();
    await expect(page.getByTestId('webgpu-missing')).toContainText('--use-webgpu-adapter=swiftshader');
    await expect(page.getByTestId('webgpu-missing')).toContainText(/WEBGPU_UNAVAILABLE|ADAPTER_NOT_FOUND/);
    await screenshot(page, 'no-webgpu');
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
});
