// Actions for ingesting a scanned drop and managing stored datasets (main thread): runs the ingest-dataset,
// list-datasets, delete-dataset and sample-clip jobs and keeps their serialisable results in the store.
import { readStorage, requestPersistentStorage } from '../client/storage.ts';
import type { SampledClip } from '../shared/protocol.ts';
import { reportError, requireClient } from './actions.ts';
import { pickedFiles } from './datasetActions.ts';
import { studioStore } from './store.ts';

type IngestState = ReturnType<typeof studioStore.getState>['datasetIngest'];

const setIngest = (patch: Partial<IngestState>): void => {
  studioStore.setState((s) => ({ datasetIngest: { ...s.datasetIngest, ...patch } }));
};

export async function refreshDatasetStorage(): Promise<void> {
  try {
    studioStore.setState({ datasetStorage: await readStorage() });
  } catch (error) {
    reportError(error);
  }
}

export async function persistDatasetStorage(): Promise<void> {
  try {
    const granted = await requestPersistentStorage();
    if (!granted) {
      reportError({
        code: 'STORAGE_UNAVAILABLE',
        message: 'The browser declined to make storage persistent.',
        hint: 'Chrome grants it to installed or frequently used sites; bookmarking the studio also helps.',
      });
    }
  } catch (error) {
    reportError(error);
  }
  await refreshDatasetStorage();
}

export async function refreshStoredDatasets(): Promise<void> {
  try {
    const list = await requireClient().startJob({ kind: 'list-datasets' }).result;
    studioStore.setState({ storedDatasets: [...list] });
  } catch (error) {
    reportError(error);
  }
}

/** Ingests the last scanned drop as one dataset (format as scanned or chosen by hand). */
export async function ingestScanned(options: { shortSide: number; name: string }): Promise<void> {
  const files = pickedFiles();
  const scan = studioStore.getState().datasetScan;
  if (files.length === 0 || !scan.summary) return;
  setIngest({
    startedAt: Date.now(),
    videosDone: 0,
    videosTotal: scan.summary.videoCount,
    frames: 0,
    bytes: 0,
    currentFile: null,
    failures: [],
    result: null,
  });
  let lastStorage = 0;
  const job = requireClient().startJob(
    {
      kind: 'ingest-dataset',
      files,
      format: scan.summary.format,
      shortSide: options.shortSide,
      ...(options.name.trim() ? { name: options.name.trim() } : {}),
    },
    (event) => {
      if (event.type !== 'ingest-progress') return;
      const failures = studioStore.getState().datasetIngest.failures;
      setIngest({
        videosDone: event.videosDone,
        videosTotal: event.videosTotal,
        frames: event.frames,
        bytes: event.bytes,
        currentFile: event.currentFile,
        ...(event.failure ? { failures: [...failures, event.failure] } : {}),
      });
      if (Date.now() - lastStorage > 2000) {
        lastStorage = Date.now();
        void refreshDatasetStorage();
      }
    },
  );
  setIngest({ jobId: job.id });
  try {
    const result = await job.result;
    setIngest({ result, failures: [...result.failures], currentFile: null });
  } catch (error) {
    reportError(error);
  } finally {
    setIngest({ jobId: null });
    await Promise.all([refreshStoredDatasets(), refreshDatasetStorage()]);
  }
}

export async function cancelIngest(): Promise<void> {
  const { jobId } = studioStore.getState().datasetIngest;
  if (jobId) await requireClient().cancelJob(jobId);
}

export async function deleteDataset(id: string): Promise<void> {
  try {
    await requireClient().startJob({ kind: 'delete-dataset', id }).result;
  } catch (error) {
    reportError(error);
  }
  await Promise.all([refreshStoredDatasets(), refreshDatasetStorage()]);
}

/** One sampled clip of a stored video, for thumbnails (frames stay with the caller, not in the store). */
export function sampleClip(datasetId: string, videoIndex: number, seed: number): Promise<SampledClip> {
  return requireClient().startJob({
    kind: 'sample-clip',
    datasetId,
    videoIndex,
    clipLen: 8,
    frameInterval: 2,
    seed,
  }).result;
}
