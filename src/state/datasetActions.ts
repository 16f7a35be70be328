// Actions of the Datasets panel (main thread): gather dropped files, scan them in the worker, re-scan with
// a format chosen by hand. The picked File handles stay here, outside the serialisable store.
import {
  filesFromDrop,
  filesFromInput,
  hasDirectoryPicker,
  pickDirectory,
  type PickedFile,
} from '../client/files.ts';
import type { DatasetFormat } from '../shared/datasets.ts';
import { studioStore } from './store.ts';
import { reportError, requireClient } from './actions.ts';

let picked: readonly PickedFile[] = [];

/** The files of the last drop (for the ingest that follows a scan). */
export function pickedFiles(): readonly PickedFile[] {
  return picked;
}

const setScan = (patch: Partial<ReturnType<typeof studioStore.getState>['datasetScan']>): void => {
  studioStore.setState((s) => ({ datasetScan: { ...s.datasetScan, ...patch } }));
};

export async function scanPickedFiles(files: readonly PickedFile[], format?: DatasetFormat): Promise<void> {
  picked = files;
  setScan({ fileCount: files.length, formatOverride: format ?? null, summary: null });
  const job = requireClient().startJob(
    { kind: 'scan-dataset', files, ...(format === undefined ? {} : { format }) },
    (event) => {
      if (event.type === 'progress') setScan({ stage: event.stage, done: event.done, total: event.total });
    },
  );
  setScan({ jobId: job.id, stage: 'starting', done: 0, total: 1 });
  try {
    setScan({ summary: await job.result });
  } catch (error) {
    reportError(error);
  } finally {
    setScan({ jobId: null, stage: null });
  }
}

export { hasDirectoryPicker };

/** Walks a drop (folders recursively) and scans it. */
export async function scanDrop(items: DataTransferItemList): Promise<void> {
  await scanPickedFiles(await filesFromDrop(items));
}

/** Scans the files of a folder <input>. */
export async function scanInput(list: FileList): Promise<void> {
  await scanPickedFiles(filesFromInput(list));
}

/** Opens the directory picker and scans the chosen folder; nothing happens when the user cancels. */
export async function scanPickedDirectory(): Promise<void> {
  const files = await pickDirectory();
  if (files) await scanPickedFiles(files);
}

/** Parses the last drop again as `format` (the user overrides the detection). */
export async function rescanAs(format: DatasetFormat): Promise<void> {
  if (picked.length > 0) await scanPickedFiles(picked, format);
}

export async function cancelScan(): Promise<void> {
  const { jobId } = studioStore.getState().datasetScan;
  if (jobId) await requireClient().cancelJob(jobId);
}
