// The Datasets panel (main thread): drop a folder, see what Tubelet understood of it.
import { cancelScan } from '../../state/datasetActions.ts';
import { useStudio } from '../../state/store.ts';
import { ProgressBar } from '../common/ProgressBar.tsx';
import { DropZone } from './DropZone.tsx';
import { ScanSummary } from './ScanSummary.tsx';

export function DatasetsPanel() {
  const scan = useStudio((s) => s.datasetScan);
  const busy = scan.jobId !== null;
  return (
    <div className="panel" data-testid="panel-datasets">
      <h1>Datasets</h1>
      <DropZone busy={busy} />
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
      {scan.summary ? <ScanSummary summary={scan.summary} busy={busy} /> : null}
    </div>
  );
}
