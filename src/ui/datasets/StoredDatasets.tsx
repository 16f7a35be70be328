// Stored datasets (main thread): per-class and per-split counts, failures, an animated clip thumbnail, delete.
import { deleteDataset } from '../../state/ingestActions.ts';
import type { StoredDatasetSummary } from '../../shared/protocol.ts';
import { Card } from '../common/Card.tsx';
import { formatBytes } from '../common/format.ts';
import { ClipThumbnail } from './ClipThumbnail.tsx';
import { FailureList } from './FailureList.tsx';

function StoredDataset({ d, busy }: { d: StoredDatasetSummary; busy: boolean }) {
  const splits = Object.entries(d.perSplit).sort(([a], [b]) => a.localeCompare(b));
  return (
    <Card
      title={d.name}
      testId={`stored-dataset-${d.id}`}
      wide
      actions={
        <button
          type="button"
          className="button button--ghost"
          disabled={busy}
          data-testid="dataset-delete"
          onClick={() => {
            if (window.confirm(`Delete ${d.name} and its ${d.videosDone} stored videos?`))
              void deleteDataset(d.id);
          }}
        >
          Delete
        </button>
      }
    >
      <p data-testid="stored-summary">
        {d.format} · short side {d.shortSide} · {d.videosDone}/{d.videoCount} videos stored · {d.videosFailed}{' '}
        failed · {d.frames} frames · {formatBytes(d.bytes)}
        {d.status === 'ingesting' ? ' · ingest not finished (ingest again to resume)' : ''}
      </p>
      {d.videosDone > 0 ? <ClipThumbnail datasetId={d.id} /> : null}
      <div className="row">
        <table className="table" data-testid="stored-classes">
          <thead>
            <tr>
              <th>Class</th>
              <th>Videos</th>
            </tr>
          </thead>
          <tbody>
            {d.classes.map((c, i) => (
              <tr key={c}>
                <td>{c}</td>
                <td>{d.perClass[i] ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className="table" data-testid="stored-splits">
          <thead>
            <tr>
              <th>Split</th>
              <th>Videos</th>
            </tr>
          </thead>
          <tbody>
            {splits.map(([s, n]) => (
              <tr key={s}>
                <td>{s}</td>
                <td>{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <FailureList failures={d.failures} testId="stored-failures" />
    </Card>
  );
}

export function StoredDatasets({ list, busy }: { list: readonly StoredDatasetSummary[]; busy: boolean }) {
  if (list.length === 0) return <p className="muted">No datasets stored yet.</p>;
  return (
    <div className="grid" data-testid="stored-datasets">
      {list.map((d) => (
        <StoredDataset key={d.id} d={d} busy={busy} />
      ))}
    </div>
  );
}
