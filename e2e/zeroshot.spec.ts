// CLIP zero-shot end to end with the seeded random tiny CLIP (its accuracy means nothing; the protocol is what is
// checked): `tubelet zeroshot --protocol half --json` on a six-class ffmpeg-made dataset returns 10 splits whose class
// subsets are numpy's seeded permutations, per-split metrics and mean ± std equal those recomputed from per_video, and
// `--protocol full` gives the same per-video scores; then the Evaluate panel's zero-shot section with edited prompts
// runs on a small Toy Actions made in the page, showing the per-split table (screenshot).
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { halfClassSplits } from '../src/eval/zeroshot.ts';
import { expect, screenshot, test } from './fixtures.ts';

const exec = promisify(execFile);
const profile = mkdtempSync(path.join(os.tmpdir(), 'tubelet-zeroshot-'));
const BASE = ['--profile', profile, '--no-build'];
const CLASSES = ['Archery', 'BlowDryHair', 'Diving', 'Fencing', 'Juggling', 'Rowing'];
const SOURCES = ['testsrc2', 'smptebars', 'rgbtestsrc', 'mandelbrot', 'testsrc', 'cellauto'];

interface ZeroShotJson {
  random: boolean;
  classes: string[];
  templates: string[];
  top1: number;
  top5: number;
  mean_class_accuracy: number;
  splits?: {
    seed: number;
    classes: number[];
    videos: number;
    top1: number;
    top5: number;
    mean_class_accuracy: number;
  }[];
  mean?: number;
  std?: number;
  per_video: { video: string; label: number; scores: number[] }[];
}

/** One 4-frame 64×48 H.264 clip per class folder, each from a different lavfi pattern. */
function makeTree(): string {
  const root = path.join(mkdtempSync(path.join(os.tmpdir(), 'tubelet-zs-tree-')), 'zs');
  CLASSES.forEach((c, i) => {
    const dir = path.join(root, c);
    mkdirSync(dir, { recursive: true });
    const src = `${SOURCES[i] ?? 'testsrc'}=size=64x48:rate=4`;
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', src],
      ...[
        '-frames:v',
        '4',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        path.join(dir, `${c}_0.mp4`),
      ],
    ]);
  });
  return root;
}

async function cli(...args: string[]): Promise<unknown> {
  const { stdout } = await exec('node', ['bin/tubelet.mjs', ...args, '--json', ...BASE], {
    timeout: 300_000,
    maxBuffer: 16 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null');
}

/** top-k hit: fewer than k classes score strictly above the label's. */
const hit = (scores: readonly number[], label: number, k: number): boolean =>
  scores.filter((s) => s > (scores[label] ?? 0)).length < k;

test('tubelet zeroshot: 10 seeded half-class splits with mean ± std recomputed, full-class too; the Evaluate panel runs edited prompts', async ({
  page,
}) => {
  test.setTimeout(600_000);
  const ingested = (await cli('ingest', makeTree(), '--name', 'ZS Six', '--short-side', '48')) as {
    dataset: string;
    videos_ok: number;
  };
  expect(ingested.videos_ok).toBe(6);
  const prompt = ['--prompt', 'a video of a person {}.', '--prompt', '{}'];
  const zs = ['zeroshot', '--dataset', ingested.dataset, '--frames', '2', ...prompt];
  const half = (await cli(...zs, '--protocol', 'half')) as ZeroShotJson;
  expect(half.random).toBe(true);
  expect(half.templates).toEqual(['a video of a person {}.', '{}']);
  expect(half.per_video).toHaveLength(6);
  const splits = half.splits ?? [];
  expect(splits).toHaveLength(10);
  // seeded: numpy's np.random.seed(s); permutation(6)[:3] (zeroshot.test.ts checks these against numpy)
  expect(splits.map((s) => s.classes)).toEqual(halfClassSplits(6));
  expect(new Set(splits.map((s) => s.classes.join(','))).size).toBeGreaterThan(1);
  for (const s of splits) {
    const kept = half.per_video.filter((v) => s.classes.includes(v.label));
    const sub = kept.map((v) => ({
      scores: s.classes.map((c) => v.scores[c] ?? 0),
      label: s.classes.indexOf(v.label),
    }));
    expect(s.videos).toBe(kept.length);
    expect(s.top1).toBeCloseTo(sub.filter((v) => hit(v.scores, v.label, 1)).length / sub.length, 12);
    expect(s.top5).toBeCloseTo(sub.filter((v) => hit(v.scores, v.label, 3)).length / sub.length, 12);
  }
  const tops = splits.map((s) => s.top1);
  const mean = tops.reduce((a, b) => a + b, 0) / tops.length;
  expect(half.mean).toBeCloseTo(mean, 12);
  expect(half.std).toBeCloseTo(Math.sqrt(tops.reduce((a, b) => a + (b - mean) ** 2, 0) / tops.length), 12);

  // --protocol full: no splits, the same per-video scores (seeded weights), full-class metrics recomputed
  const full = (await cli(...zs, '--protocol', 'full')) as ZeroShotJson;
  expect(full.splits).toBeUndefined();
  full.per_video.forEach((v, i) => {
    expect(v.video).toBe(half.per_video[i]?.video);
    v.scores.forEach((s, c) => {
      expect(s).toBeCloseTo(half.per_video[i]?.scores[c] ?? NaN, 5);
    });
  });
  expect(full.top1).toBeCloseTo(full.per_video.filter((v) => hit(v.scores, v.label, 1)).length / 6, 12);
  expect(full.top5).toBeCloseTo(full.per_video.filter((v) => hit(v.scores, v.label, 5)).length / 6, 12);

  // The Evaluate panel: a small Toy Actions (8 classes × 1 video) made in the page, prompts edited, half-class run
  await page.goto('/');
  await expect(page.getByTestId('gpu-status')).toBeVisible();
  const made = await page.evaluate(async () => {
    const handle = window.__tubelet;
    if (!handle) throw new Error('automation handle missing');
    return handle.runJob({
      kind: 'toy-actions',
      frames: 8,
      size: 32,
      perClass: { train: 0, val: 0, test: 1 },
    });
  });
  expect(made.ok).toBe(true);
  await page
    .getByRole('navigation', { name: 'Studio sections' })
    .getByRole('button', { name: 'Evaluate' })
    .click();
  const card = page.getByTestId('zeroshot');
  await expect(card.getByTestId('zeroshot-classes')).toContainText('8 classes');
  await card.getByLabel('Prompt templates').fill('a video of a person {}.\na clip showing {}');
  await expect(card.getByTestId('zeroshot-classes')).toContainText('“a video of a person');
  await card.getByLabel('Zero-shot protocol').selectOption('half');
  await card.getByLabel('Frames per video').fill('2');
  await card.getByRole('button', { name: 'Run zero-shot' }).click();
  await expect(card.getByTestId('zeroshot-result')).toBeVisible({ timeout: 300_000 });
  await expect(card.locator('.zeroshot__split')).toHaveCount(10);
  await expect(card.getByTestId('zeroshot-random')).toContainText('random weights');
  await expect(card.getByTestId('zeroshot-mean')).toContainText('±');
  await card.scrollIntoViewIfNeeded();
  await screenshot(page, 'evaluate-zeroshot');
});
