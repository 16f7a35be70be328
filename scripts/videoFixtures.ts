// Vitest globalSetup (Node): generates the video fixtures of the decode/store browser tests with the system
// ffmpeg, at test time, under test-results/fixtures/video/ (served to the browser by the Vitest server).
// Also records what ffmpeg itself says about each file (frame count, B-frames, box order, rotated first frame)
// so the browser tests compare against an independent decoder. Without ffmpeg the manifest says why.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  markerCorner,
  patternFrameRgb,
  PATTERN_FPS,
  PATTERN_FRAMES,
  PATTERN_HEIGHT,
  PATTERN_WIDTH,
  type Corner,
} from '../src/data/decode/testing/pattern.ts';

export const FIXTURE_DIR = path.resolve('test-results', 'fixtures', 'video');
/** Bump when the fixture list or its recipes change. */
const VERSION = 5;

export interface FixtureFacts {
  readonly bytes: number;
  /** Frames ffprobe counts (decoded), or -1 when ffprobe cannot decode the file. */
  readonly frames: number;
  readonly bFrames: number;
  /** Top-level box order for MP4 files: whether moov comes before the first mdat. */
  readonly moovFirst: boolean | null;
  /** ffmpeg's own auto-rotated first frame: its size and where the marker ends up. */
  readonly shownWidth: number;
  readonly shownHeight: number;
  readonly markerCorner: Corner | null;
}

export interface FixtureManifest {
  readonly version: number;
  readonly error: string | null;
  readonly files: Record<string, FixtureFacts>;
}

const run = (cmd: string, args: string[], input?: Uint8Array): Buffer => {
  const result = spawnSync(cmd, args, { input, maxBuffer: 1 << 28 });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${result.stderr.toString().slice(-2000)}`);
  }
  return result.stdout;
};

const ffmpeg = (args: string[], input?: Uint8Array): void => {
  run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], input);
};

function patternInput(): Buffer {
  const frames = Array.from({ length: PATTERN_FRAMES }, (_, i) => patternFrameRgb(i));
  return Buffer.concat(frames);
}

const RAW_IN = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${PATTERN_WIDTH}x${PATTERN_HEIGHT}`];
/** swscale converts RGB with BT.601 limited range; say so, or decoders may assume BT.709. */
const BT601 = [
  '-colorspace',
  'smpte170m',
  '-color_primaries',
  'smpte170m',
  '-color_trc',
  'smpte170m',
  '-color_range',
  'tv',
];
const X264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', ...BT601];

/** Each fixture: how ffmpeg makes it from the raw pattern (`-i -`) or from another fixture. */
const RECIPES: Record<string, (out: string, raw: Buffer) => void> = {
  'h264_faststart.mp4': (out, raw) => {
    ffmpeg(
      [
        ...RAW_IN,
        '-r',
        `${PATTERN_FPS}`,
        '-i',
        '-',
        ...X264,
        '-bf',
        '0',
        '-g',
        '10',
        '-movflags',
        '+faststart',
        out,
      ],
      raw,
    );
  },
  'h264_moov_end.mp4': (out, raw) => {
    ffmpeg([...RAW_IN, '-r', `${PATTERN_FPS}`, '-i', '-', ...X264, '-bf', '0', '-g', '10', out], raw);
  },
  'h264_bframes.mp4': (out, raw) => {
    const params = ['-bf', '3', '-x264-params', 'b-adapt=0:b-pyramid=normal', '-g', '20'];
    ffmpeg([...RAW_IN, '-r', `${PATTERN_FPS}`, '-i', '-', ...X264, ...params, out], raw);
  },
  'h264_fragmented.mp4': (out, raw) => {
    const flags = ['-movflags', 'frag_keyframe+empty_moov'];
    ffmpeg(
      [...RAW_IN, '-r', `${PATTERN_FPS}`, '-i', '-', ...X264, '-bf', '2', '-g', '10', ...flags, out],
      raw,
    );
  },
  'vp9.mp4': (out, raw) => {
    const vp9 = ['-c:v', 'libvpx-vp9', '-crf', '20', '-b:v', '0', '-deadline', 'realtime', '-cpu-used', '8'];
    ffmpeg([...RAW_IN, '-r', `${PATTERN_FPS}`, '-i', '-', ...vp9, '-pix_fmt', 'yuv420p', ...BT601, out], raw);
  },
  'vp9.webm': (out, raw) => {
    const vp9 = ['-c:v', 'libvpx-vp9', '-crf', '20', '-b:v', '0', '-deadline', 'realtime', '-cpu-used', '8'];
    ffmpeg([...RAW_IN, '-r', `${PATTERN_FPS}`, '-i', '-', ...vp9, '-pix_fmt', 'yuv420p', ...BT601, out], raw);
  },
  'vp8.webm': (out, raw) => {
    const vp8 = [
      '-c:v',
      'libvpx',
      '-b:v',
      '1M',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-pix_fmt',
      'yuv420p',
    ];
    ffmpeg([...RAW_IN, '-r', `${PATTERN_FPS}`, '-i', '-', ...vp8, ...BT601, out], raw);
  },
  'av1.webm': (out, raw) => {
    const av1 = ['-c:v', 'libsvtav1', '-preset', '12', '-crf', '20', '-pix_fmt', 'yuv420p'];
    ffmpeg([...RAW_IN, '-r', `${PATTERN_FPS}`, '-i', '-', ...av1, ...BT601, out], raw);
  },
  'h264_bframes.mkv': (out) => {
    ffmpeg(['-i', path.join(FIXTURE_DIR, 'h264_bframes.mp4'), '-c', 'copy', out]);
  },
  'mpeg4.mkv': (out, raw) => {
    ffmpeg([...RAW_IN, '-r', `${PATTERN_FPS}`, '-i', '-', '-c:v', 'mpeg4', '-q:v', '3', out], raw);
  },
  'hevc.mp4': (out, raw) => {
    const x265 = [
      '-c:v',
      'libx265',
      '-preset',
      'ultrafast',
      '-tag:v',
      'hvc1',
      '-x265-params',
      'log-level=error',
    ];
    ffmpeg([...RAW_IN, '-r', `${PATTERN_FPS}`, '-i', '-', ...x265, '-pix_fmt', 'yuv420p', out], raw);
  },
  'mpeg4.mp4': (out, raw) => {
    ffmpeg([...RAW_IN, '-r', `${PATTERN_FPS}`, '-i', '-', '-c:v', 'mpeg4', '-q:v', '3', out], raw);
  },
  'xvid.avi': (out, raw) => {
    ffmpeg(
      [...RAW_IN, '-r', `${PATTERN_FPS}`, '-i', '-', '-c:v', 'mpeg4', '-vtag', 'XVID', '-q:v', '3', out],
      raw,
    );
  },
  // ffmpeg's `rotate` tag is counter-clockwise: 270 → shown turned 90° clockwise.
  'h264_rot90.mp4': (out) => {
    ffmpeg([
      '-i',
      path.join(FIXTURE_DIR, 'h264_faststart.mp4'),
      '-c',
      'copy',
      '-metadata:s:v:0',
      'rotate=270',
      out,
    ]);
  },
  'h264_rot180.mp4': (out) => {
    ffmpeg([
      '-i',
      path.join(FIXTURE_DIR, 'h264_faststart.mp4'),
      '-c',
      'copy',
      '-metadata:s:v:0',
      'rotate=180',
      out,
    ]);
  },
  'h264_rot270.mp4': (out) => {
    ffmpeg([
      '-i',
      path.join(FIXTURE_DIR, 'h264_faststart.mp4'),
      '-c',
      'copy',
      '-metadata:s:v:0',
      'rotate=90',
      out,
    ]);
  },
  'h264_truncated_moov_end.mp4': (out) => {
    const whole = readFileSync(path.join(FIXTURE_DIR, 'h264_moov_end.mp4'));
    writeFileSync(out, whole.subarray(0, Math.floor(whole.length * 0.6)));
  },
  'h264_truncated_faststart.mp4': (out) => {
    const whole = readFileSync(path.join(FIXTURE_DIR, 'h264_faststart.mp4'));
    writeFileSync(out, whole.subarray(0, Math.floor(whole.length * 0.7)));
  },
  // A longer, textured clip for the storage measurements (not the pattern: compression needs detail).
  'bench_testsrc2.mp4': (out) => {
    const src = ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '12'];
    ffmpeg([...src, ...X264, '-bf', '2', '-g', '50', '-movflags', '+faststart', out]);
  },
};

function moovFirst(file: string): boolean | null {
  const bytes = readFileSync(file);
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    let size = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    if (type === 'moov') return true;
    if (type === 'mdat') return false;
    if (size === 1) size = Number(bytes.readBigUInt64BE(offset + 8));
    if (size < 8) return null;
    offset += size;
  }
  return null;
}

/** Runs a tool with space-separated `args` followed by `file`. */
const tool = (cmd: string, args: string, file: string, after = ''): Buffer =>
  run(cmd, ['-v', 'error', ...args.split(' '), file, ...after.split(' ').filter(Boolean)]);

function facts(file: string): FixtureFacts {
  const bytes = readFileSync(file).length;
  let frames = -1;
  let bFrames = 0;
  let shownWidth = 0;
  let shownHeight = 0;
  let corner: Corner | null = null;
  try {
    const types = tool('ffprobe', '-select_streams v:0 -show_entries frame=pict_type -of csv=p=0', file)
      .toString()
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    frames = types.length;
    bFrames = types.filter((t) => t === 'B').length;
    const entries = 'stream=width,height:stream_side_data=rotation';
    const probe = JSON.parse(
      tool('ffprobe', `-select_streams v:0 -show_entries ${entries} -of json`, file).toString(),
    ) as { streams?: { width?: number; height?: number; side_data_list?: { rotation?: number }[] }[] };
    const stream = probe.streams?.[0];
    const rotation = Math.abs(stream?.side_data_list?.[0]?.rotation ?? 0) % 180;
    const [w, h] = [stream?.width ?? 0, stream?.height ?? 0];
    [shownWidth, shownHeight] = rotation === 90 ? [h, w] : [w, h];
    // ffmpeg auto-rotates by the display matrix when decoding to raw video.
    const first = tool('ffmpeg', '-i', file, '-frames:v 1 -f rawvideo -pix_fmt rgb24 -');
    corner = markerCorner(new Uint8Array(first), shownWidth, shownHeight);
  } catch {
    // Truncated files: ffprobe/ffmpeg may fail; the facts then say so with frames = -1.
  }
  const moov = file.endsWith('.mp4') ? moovFirst(file) : null;
  return { bytes, frames, bFrames, moovFirst: moov, shownWidth, shownHeight, markerCorner: corner };
}

export default function setup(): void {
  const manifestPath = path.join(FIXTURE_DIR, 'manifest.json');
  if (existsSync(manifestPath)) {
    const old = JSON.parse(readFileSync(manifestPath, 'utf8')) as FixtureManifest;
    if (old.version === VERSION && old.error === null) return;
  }
  rmSync(FIXTURE_DIR, { recursive: true, force: true });
  mkdirSync(FIXTURE_DIR, { recursive: true });
  let manifest: FixtureManifest;
  try {
    const raw = patternInput();
    const files: Record<string, FixtureFacts> = {};
    for (const [name, make] of Object.entries(RECIPES)) {
      const out = path.join(FIXTURE_DIR, name);
      make(out, raw);
      files[name] = facts(out);
    }
    manifest = { version: VERSION, error: null, files };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    manifest = {
      version: VERSION,
      error: `Video fixtures need ffmpeg with libx264, libx265 and libvpx (Debian: apt-get install ffmpeg): ${message}`,
      files: {},
    };
  }
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
}
