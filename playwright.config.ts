// Playwright e2e against the production build (dist/), served by the same static server the CLI uses,
// in the system Chromium on its WebGPU adapter (SwiftShader on CI). No browser is downloaded.
import { defineConfig } from '@playwright/test';
import { chromeFlags, findChrome } from './cli/chrome.ts';

const PORT = Number(process.env.TUBELET_E2E_PORT ?? 4317);
const adapter = process.env.TUBELET_ADAPTER === 'hardware' ? 'hardware' : 'swiftshader';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e-artifacts',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    viewport: { width: 1400, height: 900 },
    launchOptions: { executablePath: findChrome(), args: chromeFlags(adapter) },
    trace: 'retain-on-failure',
  },
  webServer: {
    command: `node bin/tubelet.mjs serve --no-build --port ${PORT}`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
