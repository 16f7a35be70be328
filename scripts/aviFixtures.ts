// Vitest globalSetup (Node): AVI fixtures for the ffmpeg.wasm decode tests, made at test time with the system
// ffmpeg under test-results/fixtures/avi/: Xvid/DivX-tagged MPEG-4 part 2 at 320×240, 25 fps (one with an MP3
// track, one with B-frames), damaged copies, and native ffmpeg's own rgb24 decode of each at the stored size.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const AVI_FIXTURE_DIR = path.resolve('test-results', 'fixtures', 'avi');
/** Bump when the fixture list or its recipes change. */
const VERSION = 1;
/** Stored size the references are made at: short side 128 of 320×240. */
export const REF_WIDTH = 171;
export const REF_HEIGHT = 128;

export interface AviFixtureFacts {
  readonly bytes: number;
  /** Frames ffprobe decodes (`-count_frames`), -1 when it cannot. */
  readonly frames: number;
  /** `<name>.rgb`: native ffmpeg's u8[frames, 128, 171, 3] (scale flags=area), or null for damaged files. */
  readonly reference: string | null;
}

export interface AviFixtureManifest {
  readonly version: number;
  readonly error: string | null;
  readonly files: Record<string, AviFixtureFacts>;
}

const run = (cmd: string, args: string[]): Buffer => {
  const result = spawnSync(cmd, args, { maxBuffer: 1 << 28 });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${result.stderr.toString().slice(-2000)}`);
  }
  return result.stdout;
};

const ffmpeg = (args: string[]): void => {
  run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
};

const SOURCE = ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2'];
const MPEG4 = ['-c:v', 'mpeg4', '-q:v', '4', '-g', '12'];

const RECIPES: Record<string, (out: string) => void> = {
  'xvid.avi': (out) => {
    ffmpeg([...SOURCE, ...MPEG4, '-vtag', 'xvid', out]);
  },
  'xvid_mp3.avi': (out) => {
    const tone = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=2'];
    ffmpeg([...SOURCE, ...tone, ...MPEG4, '-vtag', 'xvid', '-c:a', 'libmp3lame', '-b:a', '64k', out]);
  },
  'xvid_pcm.avi': (out) => {
    const tone = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=22050:duration=2'];
    ffmpeg([...SOURCE, ...tone, ...MPEG4, '-vtag', 'xvid', '-c:a', 'pcm_s16le', out]);
  },
  'divx.avi': (out) => {
    ffmpeg([...SOURCE, ...MPEG4, '-vtag', 'DIVX', out]);
  },
  'xvid_bframes.avi': (out) => {
    ffmpeg([...SOURCE, ...MPEG4, '-bf', '2', '-vtag', 'xvid', out]);
  },
};

/** Damaged copies of xvid.avi: cut after 40 % of its bytes, and its frame data overwritten with noise. */
function damaged(dir: string): void {
  const good = readFileSync(path.join(dir, 'xvid.avi'));
  writeFileSync(path.join(dir, 'truncated.avi'), good.subarray(0, Math.floor(good.length * 0.4)));
  const noisy = Buffer.from(good);
  const movi = noisy.indexOf('movi');
  let state = 12345;
  for (let i = movi + 4; i < noisy.length - 16; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    noisy[i] = state >>> 24;
  }
  writeFileSync(path.join(dir, 'garbage.avi'), noisy);
}

function countFrames(file: string): number {
  try {
    const out = run('ffprobe', [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=nb_read_frames',
      '-of',
      'csv=p=0',
      file,
    ]);
    const n = Number.parseInt(out.toString().trim(), 10);
    return Number.isFinite(n) ? n : -1;
  } catch {
    return -1;
  }
}

export default function setup(): void {
  const manifestPath = path.join(AVI_FIXTURE_DIR, 'manifest.json');
  if (existsSync(manifestPath)) {
    const old = JSON.parse(readFileSync(manifestPath, 'utf8')) as AviFixtureManifest;
    if (old.version === VERSION && old.error === null) return;
  }
  rmSync(AVI_FIXTURE_DIR, { recursive: true, force: true });
  mkdirSync(AVI_FIXTURE_DIR, { recursive: true });
  let manifest: AviFixtureManifest;
  try {
    const files: Record<string, AviFixtureFacts> = {};
    for (const [name, make] of Object.entries(RECIPES)) {
      const out = path.join(AVI_FIXTURE_DIR, name);
      make(out);
      const reference = `${name}.rgb`;
      const scale = `scale=${REF_WIDTH}:${REF_HEIGHT}:flags=area`;
      const raw = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', path.join(AVI_FIXTURE_DIR, reference)];
      ffmpeg(['-i', out, '-map', '0:v:0', '-vf', scale, '-fps_mode', 'passthrough', ...raw]);
      files[name] = { bytes: readFileSync(out).length, frames: countFrames(out), reference };
    }
    damaged(AVI_FIXTURE_DIR);
    for (const name of ['truncated.avi', 'garbage.avi']) {
      const file = path.join(AVI_FIXTURE_DIR, name);
      files[name] = { bytes: readFileSync(file).length, frames: countFrames(file), reference: null };
    }
    manifest = { version: VERSION, error: null, files };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    manifest = {
      version: VERSION,
      error: `AVI fixtures need ffmpeg with the mpeg4 encoder and libmp3lame (Debian: apt-get install ffmpeg): ${message}`,
      files: {},
    };
  }
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
}
