// `tubelet bench decode` (Node): makes 320×240, 10 s, 25 fps H.264 MP4 / VP9 WebM / Xvid AVI files with the
// system ffmpeg, times the studio's ingest of each (decode + resize + frame store, in its compute worker) and
// native `ffmpeg -f null -` decoding of the same files on this machine, and checks no request left the origin.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Outcome } from '../../src/client/automation.ts';
import { formatError } from '../../src/shared/errors.ts';
import type { BenchDecodeReport, BenchDecodeRow, JobEvent } from '../../src/shared/protocol.ts';
import { CliError } from '../errors.ts';
import type { StudioSession } from '../session.ts';

const SOURCE = ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=10'];
const FILES: Record<string, string[]> = {
  'h264.mp4': ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
  'vp9.webm': ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1M'],
  'xvid.avi': ['-c:v', 'mpeg4', '-vtag', 'xvid', '-q:v', '4'],
};

export interface DecodeBenchRow extends BenchDecodeRow {
  /** Frames per second of native `ffmpeg -i FILE -f null -` (default threads) by its `-benchmark` rtime. */
  readonly native_fps: number;
  /** The same, by the wall time of the whole ffmpeg process (start-up included). */
  readonly native_process_fps: number;
  /** native_fps / frames_per_s: how many times faster native decoding is than the studio's ingest. */
  readonly native_ratio: number;
}

export interface DecodeBenchResult {
  readonly date: string;
  readonly userAgent: string;
  readonly offOriginRequests: readonly string[];
  readonly rows: readonly DecodeBenchRow[];
}

function ffmpeg(args: string[], logLevel = 'error'): string {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-loglevel', logLevel, '-y', ...args]);
  if (r.error || r.status !== 0) {
    throw new CliError(
      `bench decode needs the system ffmpeg (libx264, libvpx): ${r.error?.message ?? r.stderr.toString().slice(-500)}`,
    );
  }
  return r.stderr.toString();
}

/** Median over 3 runs of the process wall time and of ffmpeg's own `-benchmark` rtime (no process start). */
function nativeSeconds(file: string): { wall: number; rtime: number } {
  const walls: number[] = [];
  const rtimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    const log = ffmpeg(['-benchmark', '-i', file, '-map', '0:v:0', '-f', 'null', '-'], 'info');
    walls.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const rtime = /rtime=([\d.]+)s/.exec(log)?.[1];
    if (rtime === undefined) throw new CliError(`ffmpeg -benchmark printed no rtime for ${file}`);
    rtimes.push(Number(rtime));
  }
  const mid = (xs: number[]): number => xs.sort((a, b) => a - b)[1] ?? 0;
  return { wall: mid(walls), rtime: mid(rtimes) };
}

export async function benchDecode(
  session: StudioSession,
  spec: { quick: boolean },
  onEvent: (event: JobEvent) => void,
): Promise<DecodeBenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tubelet-bench-decode-'));
  try {
    const files = Object.entries(FILES).map(([name, codec]) => {
      const file = path.join(dir, name);
      ffmpeg([...SOURCE, ...codec, file]);
      return { name, file, base64: readFileSync(file).toString('base64') };
    });
    const origin = new URL(session.url).origin;
    const offOrigin: string[] = [];
    session.page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin)
        offOrigin.push(url);
    });
    await session.page.exposeFunction('__tubeletBenchDecodeEvent', onEvent);
    const input = { files: files.map((f) => ({ name: f.name, base64: f.base64 })), reps: spec.quick ? 1 : 3 };
    const outcome: Outcome<BenchDecodeReport> = await session.page.evaluate(async ({ files, reps }) => {
      const handle = window.__tubelet;
      if (!handle) throw new Error('automation handle missing');
      const relay = (window as unknown as { __tubeletBenchDecodeEvent: (e: JobEvent) => void })
        .__tubeletBenchDecodeEvent;
      const decoded = files.map((f) => ({
        name: f.name,
        bytes: Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0)),
      }));
      return handle.runJob({ kind: 'bench-decode', files: decoded, reps }, (e) => {
        relay(e);
      });
    }, input);
    if (!outcome.ok) throw new CliError(`bench decode failed: ${formatError(outcome.error)}`);
    const rows = outcome.value.rows.map((row): DecodeBenchRow => {
      const source = files.find((f) => f.name === row.file);
      const t = source ? nativeSeconds(source.file) : { wall: 0, rtime: 0 };
      const native = t.rtime > 0 ? row.frames / t.rtime : 0;
      return {
        ...row,
        native_fps: native,
        native_process_fps: t.wall > 0 ? row.frames / t.wall : 0,
        native_ratio: row.frames_per_s > 0 ? native / row.frames_per_s : 0,
      };
    });
    return {
      date: outcome.value.date,
      userAgent: outcome.value.userAgent,
      offOriginRequests: offOrigin,
      rows,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Markdown table docs/PERFORMANCE.md records. */
export function formatDecodeBench(result: DecodeBenchResult, adapter: string): string {
  const f = (x: number, d = 1): string => x.toFixed(d);
  return [
    `Browser: ${result.userAgent}`,
    `Adapter: ${adapter} · Date: ${result.date}`,
    `Requests that left the origin: ${result.offOriginRequests.length}`,
    '',
    '| file | codec | decoder | frames | stored | ingest s | ingest frames/s | native ffmpeg frames/s (rtime) | native ÷ ingest | native incl. process start |',
    '| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...result.rows.map(
      (r) =>
        `| ${r.file} | ${r.codec} | ${r.decoder} | ${r.frames} | ${r.width}×${r.height} | ${f(r.seconds, 2)} | ${f(r.frames_per_s)} | ${f(r.native_fps)} | ${f(r.native_ratio)}× | ${f(r.native_process_fps)} |`,
    ),
  ].join('\n');
}
