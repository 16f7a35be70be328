// Per-video checks of a stored dataset for the ingest e2e tests (Node side): every video of a fixture tree is
// stored once, done, with ffprobe's frame count ±1 and exactly the chunk records its layout needs.
import { test, type Page } from '@playwright/test';
import type { StoredVideoSummary } from '../src/shared/protocol.ts';
import type { Tree } from './datasetTrees.ts';
import { expect } from './fixtures.ts';

/** The stored videos of dataset `id`, through the page's automation handle (the UI's worker). */
export async function pageVideos(page: Page, id: string): Promise<StoredVideoSummary[]> {
  const out = await page.evaluate(async (datasetId) => {
    const handle = window.__tubelet;
    if (!handle) throw new Error('automation handle missing');
    return handle.runJob({ kind: 'list-videos', datasetId });
  }, id);
  if (!out.ok) throw new Error(out.error.message);
  return [...out.value];
}

/**
 * Every video of `tree` appears exactly once in `videos`, 'done', with a frame count within ±1 of ffprobe's
 * and its chunks all stored once. Returns the per-file differences (stored − ffprobe) for the report.
 */
export function expectTreeStored(videos: readonly StoredVideoSummary[], tree: Tree): Record<string, number> {
  const diffs: Record<string, number> = {};
  for (const [file, probed] of Object.entries(tree.frames)) {
    const found = videos.filter((v) => v.file === file);
    expect(found, `${file} is stored once`).toHaveLength(1);
    const v = found[0];
    expect(v?.status, `${file} status`).toBe('done');
    const stored = v?.frames ?? Number.NaN;
    diffs[file] = stored - probed;
    expect(
      Math.abs(stored - probed),
      `${file}: ${stored} frames stored, ffprobe counts ${probed}`,
    ).toBeLessThanOrEqual(1);
    expect(v?.storedChunks, `${file} chunks`).toBe(v?.chunkCount);
    expect(v?.chunksInStore, `${file} chunk records`).toBe(v?.chunkCount);
  }
  // stored − ffprobe per file, in the JSON report (test-results/e2e.json) for the record
  test.info().annotations.push({ type: 'frames stored − ffprobe', description: JSON.stringify(diffs) });
  return diffs;
}
