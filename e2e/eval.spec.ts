// `tubelet toy` then `tubelet eval` end to end in CI's Chromium (software adapter), sharing one Toy Actions: the toy
// summary and its idempotence; Toy Actions' test split under a 3×3 protocol with
// the seeded toy R3D; a CLI whose browser is killed mid-evaluation resumes without re-scoring finished videos, and
// the metrics it prints equal those recomputed from its own per_video list.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from './fixtures.ts';

const exec = promisify(execFile);
const profile = mkdtempSync(path.join(os.tmpdir(), 'tubelet-eval-'));
const EVAL = ['eval', '--model', 'toy_r3d', '--dataset', 'toy-actions', '--views', '3x3', '--split', 'test'];
const BASE = ['--profile', profile, '--no-build'];

/** Process ids of every descendant of `root` (the CLI's browser and its helpers), from /proc. */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [pid, pp] of parent) {
      if (pp === p) {
        out.push(pid);
        walk(pid);
      }
    }
  };
  walk(root);
  return out;
}

interface ToyJson {
  dataset: string;
  videos: number;
  classes: number;
  splits: { train: number; val: number; test: number };
  frames: number;
  bytes: number;
  created: number;
  seconds: number;
  containers: Record<string, number>;
}

interface EvalJson {
  top1: number;
  top5: number;
  mean_class_accuracy: number;
  confusion: number[][];
  per_class: (number | null)[];
  per_video: { video: string; label: number; pred: number; views: number; scores: number[] }[];
  protocol: { viewsPerVideo: number; numClips: number; crop: string };
  scored: number;
  resumed: number;
  seconds: number;
}

test('tubelet toy makes Toy Actions once; tubelet eval resumes a killed evaluation and reports metrics consistent with per_video', async () => {
  test.setTimeout(900_000);
  // `tubelet toy --json` prints one summary object, and finds the dataset complete the second time
  const toy = async (): Promise<ToyJson> => {
    const { stdout } = await exec('node', ['bin/tubelet.mjs', 'toy', '--json', ...BASE], {
      timeout: 500_000,
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    return JSON.parse(lines[0] ?? '') as ToyJson;
  };
  const first = await toy();
  expect(first).toMatchObject({
    dataset: 'toy-actions',
    videos: 576,
    classes: 8,
    splits: { train: 384, val: 96, test: 96 },
    frames: 576 * 32,
    bytes: 576 * 32 * 64 * 64 * 3,
    created: 576,
    containers: { mp4: 288, webm: 288 },
  });
  expect(first.seconds).toBeGreaterThan(0);
  const second = await toy();
  expect(second).toMatchObject({ dataset: 'toy-actions', videos: 576, frames: first.frames, created: 0 });

  // first attempt: killed (SIGKILL of its browser) once at least 12 of the 96 test videos are scored
  const child = spawn('node', ['bin/tubelet.mjs', ...EVAL, ...BASE], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let text = '';
  let killed = false;
  const killedAt = await new Promise<number>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const done = [...text.matchAll(/(\d+)\/96 videos/g)].map((m) => Number(m[1])).at(-1) ?? 0;
      if (!killed && done >= 12 && done < 90 && child.pid !== undefined) {
        killed = true;
        // the CLI's browser processes (by id), as a crash or `kill -9` would; the CLI itself then fails
        for (const pid of descendants(child.pid)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        resolve(done);
      }
    });
    child.on('exit', () => {
      if (!killed) reject(new Error(`the evaluation ended before it could be killed:\n${text.slice(-2000)}`));
    });
  });
  await exited;

  const { stdout } = await exec('node', ['bin/tubelet.mjs', ...EVAL, '--json', ...BASE], {
    timeout: 600_000,
    maxBuffer: 64 << 20,
  });
  const r = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as EvalJson;
  expect(r.per_video).toHaveLength(96);
  expect(r.resumed).toBeGreaterThanOrEqual(killedAt);
  expect(r.scored + r.resumed).toBe(96);
  expect(r.protocol).toMatchObject({ viewsPerVideo: 9, numClips: 3, crop: 'three' });
  expect(r.per_video.every((v) => v.views === 9 && v.scores.length === 8)).toBe(true);

  // metrics recomputed from per_video
  const argmax = (s: number[]): number => s.indexOf(Math.max(...s));
  expect(r.per_video.every((v) => v.pred === argmax(v.scores))).toBe(true);
  const hits = r.per_video.filter((v) => v.pred === v.label).length;
  expect(r.top1).toBeCloseTo(hits / 96, 12);
  const top5 = r.per_video.filter((v) => {
    const rank = v.scores.filter((s) => s > (v.scores[v.label] ?? 0)).length;
    return rank < 5;
  }).length;
  expect(r.top5).toBeCloseTo(top5 / 96, 12);
  expect(r.confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(new Array(8).fill(12));
  r.confusion.forEach((row, c) => {
    expect(r.per_class[c]).toBeCloseTo((row[c] ?? 0) / 12, 12);
  });

  const listed = await exec('node', ['bin/tubelet.mjs', 'evals', '--json', ...BASE], { timeout: 300_000 });
  const evals = JSON.parse(listed.stdout.trim()) as { status: string; videosDone: number; top1: number }[];
  expect(evals).toHaveLength(1);
  expect(evals[0]).toMatchObject({ status: 'done', videosDone: 96, top1: r.top1 });
});
