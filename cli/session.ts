// Drives the studio in the system Chromium through the page's automation handle (Node). It serves dist/,
// launches a persistent profile (so IndexedDB survives between calls), prefers a hardware WebGPU adapter and
// falls back to SwiftShader, then hands the page to a command.
import { mkdirSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { chromeFlags, findChrome, type AdapterChoice, type AdapterMode } from './chrome.ts';
import { CliError } from './errors.ts';
import { DIST_DIR, ensureBuilt } from './build.ts';
import { serveStatic, type StaticServer } from './server.ts';

export interface SessionOptions {
  readonly profileDir: string;
  readonly adapter: AdapterChoice;
  readonly headed: boolean;
  readonly build: boolean;
  readonly verbose: boolean;
  readonly log: (line: string) => void;
}

export interface StudioSession {
  readonly page: Page;
  readonly mode: AdapterMode;
  readonly executable: string;
  readonly browserVersion: string;
  readonly url: string;
}

interface AdapterProbe {
  readonly found: boolean;
  readonly fallback: boolean;
  readonly description: string;
}

async function launch(
  executable: string,
  mode: AdapterMode,
  options: SessionOptions,
): Promise<BrowserContext> {
  mkdirSync(options.profileDir, { recursive: true });
  try {
    return await chromium.launchPersistentContext(options.profileDir, {
      executablePath: executable,
      headless: !options.headed,
      args: chromeFlags(mode),
      viewport: { width: 1400, height: 900 },
    });
  } catch (error) {
    const text = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (/ProcessSingleton|SingletonLock|profile.*in use/i.test(String(error))) {
      throw new CliError(
        `The browser profile ${options.profileDir} is in use by another tubelet or Chromium; close it or pass --profile DIR.`,
      );
    }
    throw new CliError(`Could not start ${executable}: ${text}`);
  }
}

async function probeAdapter(page: Page): Promise<AdapterProbe> {
  return page.evaluate(async () => {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    const info = adapter?.info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
    return {
      found: Boolean(adapter),
      fallback: info?.isFallbackAdapter ?? false,
      description: info ? `${info.vendor} ${info.architecture} ${info.description}`.trim() : '',
    };
  });
}

async function fullBrowserVersion(page: Page): Promise<string> {
  return page.evaluate(async () => {
    type Brands = { brand: string; version: string }[];
    const data = (
      navigator as Navigator & {
        userAgentData?: { getHighEntropyValues(hints: string[]): Promise<{ fullVersionList?: Brands }> };
      }
    ).userAgentData;
    const list = (await data?.getHighEntropyValues(['fullVersionList']))?.fullVersionList ?? [];
    const brand = list.find((b) => /Chrom|Edge/.test(b.brand)) ?? list[0];
    return brand ? `${brand.brand} ${brand.version}` : navigator.userAgent;
  });
}

async function openStudio(context: BrowserContext, url: string, options: SessionOptions): Promise<Page> {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => {
    options.log(`page error: ${error.message}`);
  });
  if (options.verbose) {
    page.on('console', (message) => {
      options.log(`console.${message.type()}: ${message.text()}`);
    });
  }
  await page.goto(`${url}#/system`);
  await page.waitForFunction(() => window.__tubelet !== undefined, null, { timeout: 60_000 });
  return page;
}

/**
 * A loopback port fixed per profile directory. IndexedDB belongs to the page's origin, port included, so a
 * stable port is what lets datasets stored by one call (e.g. `tubelet toy`) be found by the next.
 */
export function sessionPort(profileDir: string): number {
  let h = 0x811c9dc5;
  for (const ch of profileDir) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  return 20_000 + (h % 20_000);
}

async function serveForProfile(options: SessionOptions): Promise<StaticServer> {
  const port = sessionPort(options.profileDir);
  try {
    return await serveStatic(DIST_DIR, port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    options.log(
      `Port ${port} (kept for this profile) is busy; using another one, so data stored by earlier calls is not visible now.`,
    );
    return serveStatic(DIST_DIR);
  }
}

/** Runs `command` against a live studio page and always tears down browser and server. */
export async function withStudio<T>(
  options: SessionOptions,
  command: (session: StudioSession) => Promise<T>,
): Promise<T> {
  const executable = findChrome();
  if (options.build) await ensureBuilt(options.log);
  const server = await serveForProfile(options);
  let context: BrowserContext | null = null;
  try {
    let mode: AdapterMode = options.adapter === 'swiftshader' ? 'swiftshader' : 'hardware';
    context = await launch(executable, mode, options);
    let page = await openStudio(context, server.url, options);
    if (options.adapter === 'auto') {
      const probe = await probeAdapter(page);
      if (!probe.found || probe.fallback) {
        options.log(
          probe.found
            ? `Only a software adapter is available (${probe.description}); using SwiftShader.`
            : 'No hardware WebGPU adapter found; falling back to SwiftShader.',
        );
        await context.close();
        mode = 'swiftshader';
        context = await launch(executable, mode, options);
        page = await openStudio(context, server.url, options);
      }
    }
    const browserVersion = context.browser()?.version() ?? (await fullBrowserVersion(page));
    return await command({ page, mode, executable, browserVersion, url: server.url });
  } finally {
    await context?.close().catch(() => undefined);
    await server.close();
  }
}
