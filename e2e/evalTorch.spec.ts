// `tubelet eval` against real PyTorch: Debian's torchvision r3d_18 (seeded random weights, BN with random
// statistics, 2 classes) imported with `tubelet import`, scored 3 clips (centre crop) on two generated videos whose
// frames are uniform black or white (resize and crop cannot change them), equals torch's logits averaged over the
// same MMAction2 test-mode clip indices (computed in Python at test time) within 1e-3 relative.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';

const run = promisify(execFile);
const profile = mkdtempSync(path.join(os.tmpdir(), 'tubelet-evaltorch-'));
const BLACK = [0, 0, 0];
const WHITE = [255, 255, 255];
/** Per class folder: [colour, frames] segments at 8 fps (lossless H.264, so decoded frames are exact). */
const VIDEOS: Record<string, [number[], number][]> = {
  a: [
    [BLACK, 4],
    [WHITE, 4],
    [BLACK, 4],
    [WHITE, 8],
  ],
  b: [
    [WHITE, 4],
    [BLACK, 8],
    [WHITE, 4],
  ],
};

async function tubelet(...args: string[]): Promise<string> {
  const { stdout } = await run(
    'node',
    ['bin/tubelet.mjs', ...args, '--json', '--profile', profile, '--no-build', '--adapter', 'swiftshader'],
    { timeout: 170_000, maxBuffer: 1 << 26 },
  );
  return stdout.trim().split('\n').at(-1) ?? '';
}

function makeVideo(file: string, segments: [number[], number][]): void {
  const hex = (c: number[]): string => `0x${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  const inputs = segments.flatMap(([c, n]) => [
    ...['-f', 'lavfi', '-i', `color=c=${hex(c)}:size=64x48:rate=8:duration=${n / 8}`],
  ]);
  const concat = `${segments.map((_, i) => `[${i}:v]`).join('')}concat=n=${segments.length}:v=1:a=0[v]`;
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', ...inputs, '-filter_complex', concat, '-map', '[v]'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-pix_fmt', 'yuv420p', file],
  ]);
}

test.afterAll(() => {
  rmSync(profile, { recursive: true, force: true });
});

test("tubelet eval's 3-clip scores for torchvision r3d_18 equal torch's logits averaged over the same clips", async () => {
  test.setTimeout(600_000);
  const root = path.join(profile, 'colours');
  const colours: Record<string, number[][]> = {};
  for (const [cls, segments] of Object.entries(VIDEOS)) {
    mkdirSync(path.join(root, cls), { recursive: true });
    makeVideo(path.join(root, cls, `${cls}.mp4`), segments);
    colours[cls] = segments.flatMap(([c, n]) => new Array<number[]>(n).fill(c));
  }
  const spec = { classes: 2, clip_len: 8, interval: 1, num_clips: 3, size: 32, videos: colours };
  writeFileSync(path.join(profile, 'spec.json'), JSON.stringify(spec));
  const torch = JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      ['e2e/fixtures/eval_torch_ref.py', profile, path.join(profile, 'spec.json')],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    ),
  ) as Record<string, { scores: number[]; frame_inds: number[][] }>;
  // the clips really differ, so the average is over distinct views
  expect(new Set(torch.a?.frame_inds.map((c) => c.join(','))).size).toBe(3);

  const imported = JSON.parse(
    await tubelet('import', path.join(profile, 'r3d_18.safetensors'), '--arch', 'r3d_18', '--name', 'r3d-2'),
  ) as { report: { loaded: number; missing: string[]; mismatched: unknown[] } };
  expect(imported.report).toMatchObject({ loaded: 122, missing: [], mismatched: [] });
  const ingested = JSON.parse(await tubelet('ingest', root, '--format', 'folders', '--short-side', '32')) as {
    dataset: string;
    videos_ok: number;
    frames: number;
  };
  expect(ingested).toMatchObject({ videos_ok: 2, frames: 36 });

  const r = JSON.parse(
    await tubelet(
      ...['eval', '--model', 'r3d-2', '--dataset', ingested.dataset, '--views', '3x1', '--split', 'all'],
      ...['--clip-len', '8', '--crop-size', '32'],
    ),
  ) as {
    classes: string[];
    protocol: { viewsPerVideo: number; clipLen: number; cropSize: number };
    per_video: { label: number; views: number; scores: number[] }[];
  };
  expect(r.protocol).toMatchObject({ viewsPerVideo: 3, clipLen: 8, cropSize: 32 });
  expect(r.per_video).toHaveLength(2);
  for (const v of r.per_video) {
    const ref = torch[r.classes[v.label] ?? ''];
    expect(ref, `class ${v.label}`).toBeDefined();
    expect(v.views).toBe(3);
    const scale = Math.max(...(ref?.scores ?? []).map(Math.abs));
    const err = Math.max(...v.scores.map((s, i) => Math.abs(s - (ref?.scores[i] ?? NaN))));
    expect(err).toBeLessThanOrEqual(1e-3 * scale);
  }
});
