// Finds the system Chromium/Chrome and builds its command-line flags for each adapter mode (Node).
import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './errors.ts';

export type AdapterMode = 'hardware' | 'swiftshader';
export type AdapterChoice = AdapterMode | 'auto';

const CANDIDATES: Record<string, string[]> = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/google-chrome-beta',
    '/usr/bin/microsoft-edge',
    '/snap/bin/chromium',
    '/opt/google/chrome/chrome',
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
  ],
  win32: [
    path.join(process.env.PROGRAMFILES ?? 'C:\\Program Files', 'Google\\Chrome\\Application\\chrome.exe'),
    path.join(
      process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)',
      'Google\\Chrome\\Application\\chrome.exe',
    ),
    path.join(process.env.LOCALAPPDATA ?? '', 'Google\\Chrome\\Application\\chrome.exe'),
  ],
};

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The browser to drive: TUBELET_CHROME if set, else the first usual install location that exists. */
export function findChrome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.TUBELET_CHROME;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new CliError(
        `TUBELET_CHROME points at '${fromEnv}', which is not an executable file; fix or unset it.`,
      );
    }
    return fromEnv;
  }
  const found = (CANDIDATES[process.platform] ?? []).find(isExecutable);
  if (!found) {
    throw new CliError(
      'No Chromium or Chrome found. Install one (Debian: apt-get install chromium) or set TUBELET_CHROME to its path.',
    );
  }
  return found;
}

const COMMON_FLAGS = [
  '--enable-unsafe-webgpu',
  '--enable-webgpu-developer-features',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--disable-features=Translate,MediaRouter',
];

/** Flags for a mode. As root (containers, CI) Chromium needs --no-sandbox. */
export function chromeFlags(mode: AdapterMode, isRoot = os.userInfo().uid === 0): string[] {
  const modeFlags =
    mode === 'swiftshader'
      ? ['--use-webgpu-adapter=swiftshader']
      : ['--enable-features=Vulkan', '--ignore-gpu-blocklist', '--disable-vulkan-surface'];
  return [...COMMON_FLAGS, ...modeFlags, ...(isRoot ? ['--no-sandbox'] : [])];
}

export function defaultProfileDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache =
    env.XDG_CACHE_HOME ??
    (process.platform === 'darwin'
      ? path.join(os.homedir(), 'Library', 'Caches')
      : process.platform === 'win32'
        ? (env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'))
        : path.join(os.homedir(), '.cache'));
  return path.join(cache, 'tubelet', 'chromium-profile');
}
