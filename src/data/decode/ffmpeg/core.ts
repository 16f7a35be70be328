// The one ffmpeg.wasm instance of this thread (compute worker, or a page in tests): loaded lazily from our
// own origin (`/ffmpeg/ffmpeg-core.{js,wasm}`, copied there by the Vite plugin in scripts/ffmpegCore.ts),
// reused across videos, used by one video at a time, and thrown away (terminated) on cancellation.
import { FFmpeg } from '@ffmpeg/ffmpeg';
import { TubeletError } from '../../../shared/errors.ts';

/** Where the single-threaded core is served, relative to the app's base URL. */
export const FFMPEG_CORE_PATH = 'ffmpeg/ffmpeg-core.js';

/** Absolute URLs of the core's script and wasm on this origin. */
export function coreUrls(): { coreURL: string; wasmURL: string } {
  const base = new URL(import.meta.env.BASE_URL, self.location.origin);
  const coreURL = new URL(FFMPEG_CORE_PATH, base).href;
  return { coreURL, wasmURL: coreURL.replace(/\.js$/, '.wasm') };
}

let instance: Promise<FFmpeg> | null = null;
let lock: Promise<void> = Promise.resolve();
/** Lines ffmpeg logged during the current exec (the tail goes into error details). */
const logTail: string[] = [];
const LOG_LINES = 24;

function load(): Promise<FFmpeg> {
  const ffmpeg = new FFmpeg();
  ffmpeg.on('log', ({ message }) => {
    logTail.push(message);
    if (logTail.length > LOG_LINES) logTail.shift();
  });
  return ffmpeg.load(coreUrls()).then(
    () => ffmpeg,
    (cause: unknown) => {
      ffmpeg.terminate();
      throw new TubeletError('DECODE_FAILED', 'The ffmpeg.wasm decoder could not be loaded.', {
        hint: `The studio serves it at /${FFMPEG_CORE_PATH}; rebuild the app (npm run build) if it is missing.`,
        details: String(cause),
        cause,
      });
    },
  );
}

/** The loaded instance (loading it on first use; a failed load is retried on the next call). */
export function ffmpegInstance(): Promise<FFmpeg> {
  if (!instance) {
    const loading = load();
    instance = loading;
    loading.catch(() => {
      if (instance === loading) instance = null;
    });
  }
  return instance;
}

/** Stops the instance (its worker and memory) so that the next call loads a fresh one. */
export async function resetFfmpeg(): Promise<void> {
  const current = instance;
  instance = null;
  if (current) (await current.catch(() => null))?.terminate();
}

/** What ffmpeg logged since the last `clearLog()`, last lines only. */
export function ffmpegLog(): string {
  return logTail.join('\n');
}

export function clearLog(): void {
  logTail.length = 0;
}

/** Runs `work` with exclusive use of the instance (videos take turns; MEMFS holds one input at a time). */
export async function withFfmpeg<T>(work: (ffmpeg: FFmpeg) => Promise<T>): Promise<T> {
  const previous = lock;
  let release = (): void => undefined;
  lock = new Promise((resolve) => {
    release = resolve;
  });
  await previous;
  try {
    return await work(await ffmpegInstance());
  } finally {
    release();
  }
}
