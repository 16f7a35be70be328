// The scan-dataset job (compute worker): detects the layout of a dropped folder and parses its lists into a
// manifest, summarised for the Datasets panel. Only list/annotation files are read; videos are not touched.
import type { DatasetScanSummary, ScanDatasetSpec } from '../shared/protocol.ts';
import type { DroppedFile, SplitRole } from '../shared/datasets.ts';
import { TubeletError } from '../shared/errors.ts';
import { detectLayoutDeep, parseDataset } from '../data/datasets/detect.ts';
import type { JobContext } from './jobs.ts';

export async function scanDataset(spec: ScanDatasetSpec, job: JobContext): Promise<DatasetScanSummary> {
  if (spec.files.length === 0) {
    throw new TubeletError('INVALID_ARGUMENT', 'The drop holds no files.', {
      hint: 'Drop the dataset folder itself (with its videos and list files), not an empty folder.',
    });
  }
  const files: DroppedFile[] = spec.files.map(({ path, file }) => ({
    path,
    size: file.size,
    read: () => file.text(),
  }));
  job.progress('detecting layout', 0, 2);
  const guesses = await detectLayoutDeep(files);
  job.checkpoint();
  job.progress('reading lists', 1, 2);
  const manifest = await parseDataset(files, spec.format);
  job.progress('done', 2, 2);
  const folds = manifest.folds.map((fold) => {
    const counts: Record<SplitRole, number> = { train: 0, val: 0, test: 0, unused: 0 };
    for (const v of manifest.videos) {
      const role = v.splits[fold];
      if (role) counts[role] += 1;
    }
    return { fold, counts };
  });
  return {
    format: manifest.format,
    guesses: guesses.map((g) => ({ format: g.format, confidence: g.confidence, reasons: [...g.reasons] })),
    fileCount: files.length,
    totalBytes: files.reduce((s, f) => s + f.size, 0),
    classes: manifest.classes,
    videoCount: manifest.videos.length,
    missingCount: manifest.videos.filter((v) => v.path === null).length,
    unlabelledCount: manifest.videos.filter((v) => v.label === null).length,
    folds,
    issues: manifest.issues,
    issueCounts: manifest.issueCounts,
    sources: manifest.sources,
  };
}
