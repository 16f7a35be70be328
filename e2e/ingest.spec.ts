// Dataset ingest end to end: ffmpeg-made Kinetics-like, SSv2-like, UCF101/HMDB51-like (Xvid AVI) and
// folder-per-class trees (MPEG-4 Part 2 in MP4/MKV; corrupt, truncated, zero-byte and non-video files) ingested
// through the Datasets panel and through `tubelet ingest`: labels, splits, every video's frame count against
// ffprobe (±1), per-file errors, a page closed mid-ingest and a CLI browser SIGKILLed mid-ingest, then resumed.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import type { StoredDatasetSummary, StoredVideoSummary } from '../src/shared/protocol.ts';
import {
  foldersTree,
  kineticsTree,
  resumeTree,
  ssv2Tree,
  hmdbTree,
  ucfTree,
  type Tree,
} from './datasetTrees.ts';
import { expect, screenshot, test } from './fixtures.ts';
import { expectTreeStored, pageVideos } from './storedVideos.ts';

const run = promisify(execFile);
const sum = (tree: Tree): number => Object.values(tree.frames).reduce((a, b) => a + b, 0);
const count = (tree: Tree): number => Object.keys(tree.frames).length;

async function storedDatasets(page: Page): Promise<StoredDatasetSummary[]> {
  const out = await page.evaluate(async () => {
    const handle = window.__tubelet;
    if (!handle) throw new Error('automation handle missing');
    return handle.runJob({ kind: 'list-datasets' });
  });
  if (!out.ok) throw new Error(out.error.message);
  return [...out.value];
}

async function dropAndScan(page: Page, root: string): Promise<void> {
  await page.getByTestId('dataset-folder-input').setInputFiles(root);
  await expect(page.getByTestId('dataset-summary')).toBeVisible();
  await expect(page.getByTestId('ingest-start')).toBeEnabled();
}

test('the Datasets panel ingests a Kinetics-like tree and a folder tree with bad files', async ({ page }) => {
  const kinetics = kineticsTree();
  const folders = foldersTree();
  await page.goto('/#/datasets');
  await dropAndScan(page, kinetics.root);
  await expect(page.getByTestId('dataset-format')).toHaveValue('kinetics');
  await page.getByTestId('ingest-start').click();
  await expect(page.getByTestId('ingest-result')).toContainText('4 videos stored');
  const card = page.getByTestId('stored-dataset-kinetics');
  await expect(card.getByTestId('stored-classes')).toContainText(/abseiling\s*2/);
  await expect(card.getByTestId('stored-splits')).toContainText(/train1\s*3/);
  await expect(card.getByTestId('stored-splits')).toContainText(/val1\s*1/);
  await expect(card.getByTestId('dataset-thumbnail').locator('figcaption')).toContainText('frames');
  await expect(page.getByTestId('storage-usage')).toContainText('used of');
  const k = (await storedDatasets(page)).find((d) => d.id === 'kinetics');
  expect(Math.abs((k?.frames ?? 0) - sum(kinetics))).toBeLessThanOrEqual(count(kinetics));
  expectTreeStored(await pageVideos(page, 'kinetics'), kinetics);

  await dropAndScan(page, folders.root);
  await expect(page.getByTestId('dataset-format')).toHaveValue('folder-per-class');
  await page.getByTestId('ingest-start').click();
  await expect(page.getByTestId('ingest-result')).toContainText('4 videos stored');
  // MPEG-4 Part 2 in MP4 and MKV (no WebCodecs decoder) went through ffmpeg.wasm like AVI
  const shapes = await pageVideos(page, 'shapes');
  expectTreeStored(shapes, folders);
  expect(shapes.find((v) => v.file === 'shapes/up/part2.mp4')?.codec).toMatch(/^mp4v/);
  expect(shapes.find((v) => v.file === 'shapes/down/part2.mkv')?.codec).toBe('V_MPEG4/ISO/ASP');
  const failures = page.getByTestId('ingest-failures');
  await expect(failures.locator('tbody tr')).toHaveCount(4);
  await expect(failures.locator('tr[data-file="shapes/down/empty.mp4"]')).toContainText('zero-bytes');
  await expect(failures.locator('tr[data-file="shapes/up/readme.mp4"]')).toContainText('not-a-video');
  await expect(failures.locator('tr[data-file="shapes/down/truncated.mp4"]')).toContainText('truncated');
  await expect(failures.locator('tr[data-file="shapes/up/corrupt.mp4"]')).toContainText('corrupt');
  await screenshot(page, 'datasets-ingest');

  // Deleting one dataset leaves the other intact.
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByTestId('stored-dataset-shapes').getByTestId('dataset-delete').click();
  await expect(page.getByTestId('stored-dataset-shapes')).toHaveCount(0);
  const left = await storedDatasets(page);
  expect(left.map((d) => [d.id, d.videosDone])).toEqual([['kinetics', 4]]);
});

test('the Datasets panel stores SSv2-like WebM and UCF101/HMDB51-like AVI with the frames of ffprobe', async ({
  page,
}) => {
  await page.goto('/#/datasets');
  const cases = [
    { tree: ssv2Tree(), format: 'sthv2', id: 'ssv2' },
    { tree: ucfTree(), format: 'ucf101', id: 'ucf101' },
    { tree: hmdbTree(), format: 'hmdb51', id: 'hmdb51' },
  ];
  for (const { tree, format, id } of cases) {
    await dropAndScan(page, tree.root);
    await expect(page.getByTestId('dataset-format')).toHaveValue(format);
    await page.getByTestId('ingest-short-side').fill('64');
    await page.getByTestId('ingest-start').click();
    await expect(page.getByTestId('ingest-result')).toContainText(`${count(tree)} videos stored`);
    expectTreeStored(await pageVideos(page, id), tree);
  }
});

test('a page closed mid-ingest resumes and stores every video exactly once', async ({ page, context }) => {
  const tree = resumeTree(10);
  await page.goto('/#/datasets');
  await dropAndScan(page, tree.root);
  await page.getByTestId('ingest-short-side').fill('192');
  await page.getByTestId('ingest-start').click();
  await expect(page.getByRole('progressbar')).toContainText(/^[1-8]\/10 videos/);
  await page.close();

  const again = await context.newPage();
  await again.goto('/#/datasets');
  const partial = (await storedDatasets(again)).find((d) => d.id === 'resume');
  expect(partial?.videosDone ?? 0).toBeLessThan(10);
  await dropAndScan(again, tree.root);
  await again.getByTestId('ingest-short-side').fill('192');
  await again.getByTestId('ingest-start').click();
  await expect(again.getByTestId('ingest-result')).toContainText('10 videos stored');
  const done = (await storedDatasets(again)).find((d) => d.id === 'resume');
  expect(done).toMatchObject({ videoCount: 10, videosDone: 10, videosFailed: 0, videosPending: 0 });
  expect(Math.abs((done?.frames ?? 0) - sum(tree))).toBeLessThanOrEqual(10);
  expect(done?.perClass).toEqual([5, 5]);
  expectTreeStored(await pageVideos(again, 'resume'), tree);
  await again.close();
});

test('tubelet ingest prints the summary with per-file errors; tubelet datasets lists labels and splits', async () => {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'tubelet-cli-ingest-'));
  /** Runs tubelet with --json; `exit` is the status it must end with (1 when no video could be stored). */
  const cli = async (...args: string[]) => cliExit(0, ...args);
  const cliExit = async (exit: number, ...args: string[]) => {
    const argv = ['bin/tubelet.mjs', ...args, '--json', '--profile', profile, '--no-build'];
    const { stdout, code } = await run('node', argv, { timeout: 170_000 }).then(
      (r) => ({ stdout: r.stdout, code: 0 }),
      (e: unknown) => {
        const f = e as { stdout?: string; code?: number };
        return { stdout: f.stdout ?? '', code: f.code ?? -1 };
      },
    );
    expect(code).toBe(exit);
    return JSON.parse(stdout.trim()) as unknown;
  };
  const ssv2 = ssv2Tree();
  const folders = foldersTree();
  const s = (await cli('ingest', ssv2.root, '--format', 'ssv2', '--short-side', '64')) as Record<
    string,
    unknown
  >;
  expect(s).toMatchObject({ dataset: 'ssv2', videos_ok: 3, videos_failed: 0, failures: [] });
  expect(Math.abs(Number(s.frames) - sum(ssv2))).toBeLessThanOrEqual(3);
  expect(Number(s.frames_per_s)).toBeGreaterThan(0);
  const f = (await cli('ingest', folders.root, '--name', 'Shapes Bad')) as {
    dataset: string;
    videos_ok: number;
    failures: { file: string; code: string; reason: string }[];
  };
  expect(f.dataset).toBe('shapes-bad');
  expect(f.videos_ok).toBe(4);
  expect(Object.fromEntries(f.failures.map((x) => [x.file, [x.code, x.reason]]))).toEqual({
    'shapes/down/empty.mp4': ['UNSUPPORTED_CONTAINER', 'zero-bytes'],
    'shapes/down/truncated.mp4': ['CORRUPT_VIDEO', 'truncated'],
    'shapes/up/corrupt.mp4': ['CORRUPT_VIDEO', 'corrupt'],
    'shapes/up/readme.mp4': ['UNSUPPORTED_CONTAINER', 'not-a-video'],
  });
  // UCF101-like Xvid AVI (MPEG-4 part 2, which WebCodecs cannot decode) goes through ffmpeg.wasm served from
  // our own origin; the dataset keeps its classes and its three folds, and every frame ffprobe counts is stored.
  const ucf = ucfTree();
  const u = (await cli('ingest', ucf.root, '--format', 'ucf101')) as {
    videos_ok: number;
    videos_failed: number;
    frames: number;
    failures: { code: string; reason: string }[];
  };
  expect(u.failures).toEqual([]);
  expect(u.videos_ok).toBe(4);
  const ucfFrames = Object.values(ucf.frames).reduce((a, b) => a + b, 0);
  expect(Math.abs(u.frames - ucfFrames)).toBeLessThanOrEqual(4); // ±1 per video
  // HMDB51-like: per-class split files with 1/2/0 codes over folds 1–3, underscores in class names, Xvid AVI.
  const hmdb = hmdbTree();
  const h = (await cli('ingest', hmdb.root, '--format', 'hmdb51')) as {
    videos_ok: number;
    frames: number;
    failures: unknown[];
  };
  expect(h.failures).toEqual([]);
  expect(h.videos_ok).toBe(6);
  const hmdbFrames = Object.values(hmdb.frames).reduce((a, b) => a + b, 0);
  expect(Math.abs(h.frames - hmdbFrames)).toBeLessThanOrEqual(6);
  // Kinetics-like H.264 with audio and B-frames
  const kinetics = kineticsTree();
  expect(await cli('ingest', kinetics.root, '--short-side', '64')).toMatchObject({ videos_ok: 4 });
  // one `datasets --videos` call: labels and splits of every dataset, and every video against ffprobe
  const list = (await cli('datasets', '--videos')) as (StoredDatasetSummary & {
    videos: StoredVideoSummary[];
  })[];
  expect(list.find((d) => d.id === 'ucf101')).toMatchObject({
    classes: ['ApplyEyeMakeup', 'Archery'],
    folds: [1, 2, 3],
    videoCount: 4,
    videosFailed: 0,
  });
  const hl = list.find((d) => d.id === 'hmdb51');
  expect(hl?.classes).toEqual(['brush_hair', 'shoot_ball']);
  expect(hl?.folds).toEqual([1, 2, 3]);
  expect(hl?.perSplit).toMatchObject({ train1: 2, test1: 2, train2: 2, test2: 2, train3: 2, test3: 2 });
  const trees: [string, Tree][] = [
    ['ssv2', ssv2],
    ['shapes-bad', folders],
    ['ucf101', ucf],
    ['hmdb51', hmdb],
    ['kinetics', kinetics],
  ];
  for (const [id, tree] of trees) expectTreeStored(list.find((d) => d.id === id)?.videos ?? [], tree);
  const sv = list.find((d) => d.id === 'ssv2');
  expect(sv?.classes).toEqual(['Holding something', 'Pushing something from left to right']);
  expect(sv?.perClass).toEqual([2, 1]);
  expect(sv?.perSplit).toEqual({ train1: 2, val1: 1 });
  expect(sv?.shortSide).toBe(64);
  expect(list.find((d) => d.id === 'shapes-bad')?.videosFailed).toBe(4);
});

test('tubelet ingest whose browser is SIGKILLed mid-ingest completes on the next run, every video once', async () => {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'tubelet-cli-kill-'));
  // 16 videos of 4 s: several seconds of ingest even on an idle machine, where the CLI logs progress once a second
  const total = 16;
  const tree = resumeTree(total, 4);
  const args = (...a: string[]) => ['bin/tubelet.mjs', ...a, '--profile', profile, '--no-build'];
  // without --json the CLI logs "  N/8 videos, F frames" to stderr as the ingest goes
  const child = spawn('node', args('ingest', tree.root), { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const killedAt = await new Promise<number>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const done = [...log.matchAll(/(\d+)\/\d+ videos/g)].map((m) => Number(m[1]));
      const last = done.at(-1) ?? 0;
      if (last >= 1 && last <= total - 3) {
        child.stderr.removeAllListeners('data');
        // every process of this profile's browser, as a crash or `kill -9` would
        void run('pkill', ['-9', '-f', `user-data-dir=${profile}`]).then(() => {
          resolve(last);
        }, reject);
      }
    });
    child.on('exit', () => {
      reject(new Error(`the ingest ended before it could be killed:\n${log.slice(-2000)}`));
    });
  });
  const exit = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(exit).not.toBe(0);
  const json = async (...a: string[]): Promise<unknown> => {
    const { stdout } = await run('node', args(...a, '--json'), { timeout: 170_000 });
    return JSON.parse(stdout.trim()) as unknown;
  };
  const partial = (await json('datasets', '--dataset', 'resume')) as StoredVideoSummary[];
  const donePartial = partial.filter((v) => v.status === 'done').length;
  expect(donePartial).toBeGreaterThanOrEqual(killedAt);
  expect(donePartial).toBeLessThan(total);

  const again = (await json('ingest', tree.root)) as Record<string, unknown>;
  expect(again).toMatchObject({ dataset: 'resume', videos_ok: total, videos_failed: 0, failures: [] });
  expect(again.videos_skipped).toBe(donePartial);
  const videos = (await json('datasets', '--dataset', 'resume')) as StoredVideoSummary[];
  expect(videos).toHaveLength(total);
  expectTreeStored(videos, tree);
});
