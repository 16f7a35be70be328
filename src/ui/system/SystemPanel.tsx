// The System panel: what the worker found about this browser and GPU (main thread).
import { refreshDoctor } from '../../state/actions.ts';
import { useStudio } from '../../state/store.ts';
import { AdapterCard } from './AdapterCard.tsx';
import { CodecsCard } from './CodecsCard.tsx';
import { LimitsCard } from './LimitsCard.tsx';
import { SelfTestCard } from './SelfTestCard.tsx';
import { StorageCard } from './StorageCard.tsx';

export function SystemPanel() {
  const report = useStudio((s) => s.doctor);
  const loading = useStudio((s) => s.doctorLoading);
  const status = useStudio((s) => s.status);
  const startupError = useStudio((s) => s.startupError);
  return (
    <div className="panel" data-testid="panel-system">
      <div className="panel__title">
        <h1>System</h1>
        <button
          type="button"
          className="button button--ghost"
          disabled={loading}
          onClick={() => void refreshDoctor()}
        >
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {status === 'failed' && startupError ? (
        <p className="error-text">
          The compute worker could not start: <code>{startupError.code}</code> {startupError.message}
        </p>
      ) : null}
      {report ? (
        <div className="grid" data-testid="system-report">
          <AdapterCard report={report} />
          <SelfTestCard />
          <LimitsCard gpu={report.gpu} />
          <div className="stack">
            <CodecsCard codecs={report.codecs} />
            <StorageCard storage={report.storage} />
          </div>
        </div>
      ) : status === 'starting' || loading ? (
        <p className="muted">Asking the compute worker about the GPU…</p>
      ) : null}
      {report ? <p className="muted mono small">{report.userAgent}</p> : null}
    </div>
  );
}
