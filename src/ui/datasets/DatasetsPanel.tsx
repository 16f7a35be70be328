// The Datasets panel (main thread): drop a folder, see what Tubelet understood of it, ingest it, and browse
// or delete the stored datasets, with storage used against quota.
import { useEffect } from 'react';
import { cancelScan } from '../../state/datasetActions.ts';
import {
  persistDatasetStorage,
  refreshDatasetStorage,
  refreshStoredDatasets,
} from '../../state/ingestActions.ts';
import { useStudio } from '../../state/store.ts';
import { ProgressBar } from '../common/ProgressBar.tsx';
import { StorageCard } from '../system/StorageCard.tsx';
import { DropZone } from './DropZone.tsx';
import { IngestCard } from './IngestCard.tsx';
import { ScanSummary } from './ScanSummary.tsx';
import { StoredDatasets } from './StoredDatasets.tsx';
import { ToyActionsCard } from './ToyActionsCard.tsx';

export function DatasetsPanel() {
  const scan = useStudio((s) => s.datasetScan);
  const ingesting = useStudio((s) => s.datasetIngest.jobId !== null);
  const stored = useStudio((s) => s.storedDatasets);
  const storage = useStudio((s) => s.datasetStorage);
  const ready = useStudio((s) => s.status === 'ready' || s.status === 'unsupported');
  const busy = scan.jobId !== null;
  useEffect(() => {
    void refreshDatasetStorage();
  }, []);
  useEffect(() => {
    if (ready) void refreshStoredDatasets();
  }, [ready]);
  return (
    <div className="panel" data-testid="panel-datasets">
      <h1>Datasets</h1>
      <DropZone busy={busy || ingesting} />
      {busy ? (
        <div className="row">
          <ProgressBar
            done={scan.done}
            total={scan.total}
            label={`${scan.stage ?? ''} (${scan.fileCount} files)`}
          />
          <button type="button" className="button button--ghost" onClick={() => void cancelScan()}>
            Cancel
          </button>
        </div>
      ) : null}
      {scan.summary ? <ScanSummary summary={scan.summary} busy={busy || ingesting} /> : null}
      {scan.summary ? <IngestCard disabled={busy || scan.summary.videoCount === 0} /> : null}
      <ToyActionsCard />
      <h2>Stored datasets</h2>
      {storage ? <StorageCard storage={storage} onPersist={persistDatasetStorage} /> : null}
      {stored ? <StoredDatasets list={stored} busy={ingesting} /> : null}
    </div>
  );
}
