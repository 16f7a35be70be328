// Vitest: `unit` runs pure logic in Node; `gpu` runs WebGPU tests inside the system Chromium on whatever adapter
// it offers (SwiftShader on CI). A GPU test with no adapter fails, it never skips.
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { chromeFlags, findChrome } from './cli/chrome.ts';
import { ffmpegCore } from './scripts/ffmpegCore.ts';
import { torchZooCheck, torchZooMake, torchZooRemove } from './scripts/torchZooCommands.ts';

const adapter = process.env.TUBELET_ADAPTER === 'hardware' ? 'hardware' : 'swiftshader';

export default defineConfig({
  // ffmpeg.wasm's core, served from the test server's own origin like the studio serves it.
  plugins: [ffmpegCore()],
  define: { __TUBELET_VERSION__: JSON.stringify('test') },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['src/**/*.test.ts', 'cli/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.gpu.test.ts', '**/*.browser.test.ts', 'node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'gpu',
          include: ['src/**/*.gpu.test.ts', 'src/**/*.browser.test.ts'],
          // Video fixtures made with the system ffmpeg at test time (cached by recipe version).
          globalSetup: ['scripts/videoFixtures.ts', 'scripts/aviFixtures.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            commands: { torchZooMake, torchZooCheck, torchZooRemove },
            provider: playwright({
              launchOptions: { executablePath: findChrome(), args: chromeFlags(adapter) },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        // Benchmarks in Chromium (`npx vitest run --project bench`); not part of `npm test`.
        extends: true,
        test: {
          name: 'bench',
          include: ['src/**/*.bench.browser.ts'],
          globalSetup: ['scripts/videoFixtures.ts'],
          testTimeout: 600_000,
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: findChrome(), args: chromeFlags(adapter) },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
