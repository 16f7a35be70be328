// Stored training runs (main thread): status, epochs, best val top-1 and last checkpoint, with Resume and
// checkpoint deletion (keep best-k and last, keep only last, or the whole run).
import { pruneRun, resumeRun } from '../../state/finetuneActions.ts';
import type { StoredRunSummary } from '../../shared/training.ts';
import { Card } from '../common/Card.tsx';
import { formatBytes } from '../common/format.ts';

const pct = (v: number | null): string => (v === null ? '—' : `${(100 * v).toFixed(1)} %`);

function RunRow({ r, busy }: { r: StoredRunSummary; busy: boolean }) {
  const resumable = r.status !== 'finished' && r.status !== 'running';
  return (
    <tr data-testid={`run-${r.run}`}>
      <td>
        <div>{r.name}</div>
        <div className="muted small mono">{r.run}</div>
      </td>
      <td>{r.status}</td>
      <td className="num">
        {r.epochs_done} / {r.epochs}
      </td>
      <td className="num">{pct(r.best_val_top1)}</td>
      <td className="small mono">
        {r.checkpoint ? r.checkpoint.slice(r.run.length + 1) : '—'}
        <div className="muted">
          {r.checkpoints} kept · {formatBytes(r.checkpointBytes)}
        </div>
      </td>
      <td>
        <div className="row row--tight">
          <button
            type="button"
            className="button button--ghost"
            disabled={busy || !resumable}
            onClick={() => void resumeRun(r.run)}
          >
            Resume
          </button>
          {r.prunable > 0 ? (
            <button
              type="button"
              className="button button--ghost"
              disabled={busy}
              title="Delete checkpoints that are neither the last nor among the best k"
              onClick={() => void pruneRun(r.run, 'best-and-last')}
            >
              Delete {r.prunable} old
            </button>
          ) : null}
          <button
            type="button"
            className="button button--ghost"
            disabled={busy || r.checkpoints <= 1}
            title="Delete every checkpoint but the last (Resume needs only the last)"
            onClick={() => {
              if (window.confirm(`Delete ${r.checkpoints - 1} checkpoints of ${r.run}, keeping the last?`))
                void pruneRun(r.run, 'last');
            }}
          >
            Keep last only
          </button>
          <button
            type="button"
            className="button button--ghost"
            disabled={busy}
            onClick={() => {
              if (window.confirm(`Delete run ${r.run} and all its checkpoints?`))
                void pruneRun(r.run, 'none');
            }}
          >
            Delete
          </button>
        </div>
      </td>
    </tr>
  );
}

export function RunsCard({ runs, busy }: { runs: readonly StoredRunSummary[]; busy: boolean }) {
  return (
    <Card title="Runs" testId="runs-card" wide>
      {runs.length === 0 ? (
        <p className="muted">No runs stored yet.</p>
      ) : (
        <table className="table" data-testid="runs-table">
          <thead>
            <tr>
              <th>Run</th>
              <th>Status</th>
              <th className="num">Epochs</th>
              <th className="num">Best val top-1</th>
              <th>Last checkpoint</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <RunRow key={r.run} r={r} busy={busy} />
            ))}
          </tbody>
        </table>
      )}
      <p className="muted small">
        Each run keeps its last checkpoint and its best by val top-1 (the config&apos;s keepBest); older ones
        are deleted as it saves.
      </p>
    </Card>
  );
}
