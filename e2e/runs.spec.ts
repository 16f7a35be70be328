// `tubelet runs`: lists stored training runs. A Kinetics-like tree is ingested, a 2-epoch run of a tiny config
// is trained with `tubelet train`, and `tubelet runs --json` reports it with the fields the train summary gave.
// The model is the frame-averaging toy_avg2d: what is listed does not depend on the model, and a fresh profile's
// first step of r3d_18:tiny (shader compiles and conv tuning for 8 conv shapes) cost ~5× more (train 63 s vs
// 342 s for the same 2 epochs, measured side by side on a loaded machine).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { kineticsTree } from './datasetTrees.ts';

const run = promisify(execFile);
const profile = mkdtempSync(path.join(os.tmpdir(), 'tubelet-runs-'));

async function tubelet(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const argv = ['bin/tubelet.mjs', ...args, '--profile', profile, '--no-build'];
    const { stdout, stderr } = await run('node', argv, { timeout: 400_000 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.code ?? -1 };
  }
}

const tinyConfig = {
  version: 1,
  name: 'runs-e2e-tiny',
  model: 'toy_avg2d',
  dataset: 'kinetics',
  data: { clipLen: 4, frameInterval: 1, numClips: 1, temporalJitter: false, cropSize: 16 },
  batchSize: 2,
  gradAccumSteps: 1,
  epochs: 2,
  optimizer: { kind: 'sgd', lr: 0.01, momentum: 0.9, nesterov: false, weightDecay: 0 },
  schedule: { warmupEpochs: 0, warmupStartFactor: 1, decay: { kind: 'cosine', minLr: 0 } },
  lrMult: { backbone: 1, head: 1 },
  linearProbe: false,
  augmentation: {
    crop: { kind: 'center' },
    flipProb: 0,
    colorJitter: null,
    grayscaleProb: 0,
    mean: [123.675, 116.28, 103.53],
    std: [58.395, 57.12, 57.375],
  },
  labelSmoothing: 0,
  mixup: null,
  gradClipNorm: null,
  seed: 3,
  checkpoint: { everySteps: 0, keepBest: 1 },
  valEveryEpochs: 1,
};

test('runs --json lists a trained run with its epochs, val top-1 and last checkpoint', async () => {
  test.setTimeout(900_000);
  const empty = await tubelet('runs', '--json');
  expect(empty.code, empty.stderr).toBe(0);
  expect(JSON.parse(empty.stdout.trim())).toEqual([]);

  const tree = kineticsTree();
  const ingest = await tubelet('ingest', tree.root, '--short-side', '32', '--json');
  expect(ingest.code, ingest.stderr).toBe(0);
  const configFile = path.join(profile, 'tiny.json');
  writeFileSync(configFile, JSON.stringify(tinyConfig));
  const trained = await tubelet('train', '--config', configFile, '--json');
  expect(trained.code, trained.stderr).toBe(0);
  const lines = trained.stdout.trim().split('\n');
  const summary = JSON.parse(lines[lines.length - 1] ?? '') as {
    run: string;
    best_val_top1: number | null;
    final_val_top1: number | null;
    checkpoint: string | null;
  };

  const listed = await tubelet('runs', '--json');
  expect(listed.code, listed.stderr).toBe(0);
  const out = listed.stdout.trim().split('\n');
  expect(out).toHaveLength(1);
  const runs = JSON.parse(out[0] ?? '') as Record<string, unknown>[];
  expect(runs).toHaveLength(1);
  expect(Object.keys(runs[0] ?? {}).sort()).toEqual(
    [
      'best_val_top1',
      'checkpoint',
      'epochs',
      'epochs_done',
      'final_val_top1',
      'name',
      'run',
      'status',
    ].sort(),
  );
  expect(runs[0]).toEqual({
    run: summary.run,
    name: 'runs-e2e-tiny',
    status: 'finished',
    epochs_done: 2,
    epochs: 2,
    best_val_top1: summary.best_val_top1,
    final_val_top1: summary.final_val_top1,
    checkpoint: summary.checkpoint,
  });
  expect(summary.final_val_top1).not.toBeNull();

  const human = await tubelet('runs');
  expect(human.code, human.stderr).toBe(0);
  expect(human.stdout).toContain(summary.run);
  expect(human.stdout).toContain('| finished | 2/2 |');
});
