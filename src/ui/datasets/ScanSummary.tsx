// What a scan found (main thread): format (with a hand override), classes, splits per fold, and issues.
import type { DatasetScanSummary } from '../../shared/protocol.ts';
import { DATASET_FORMATS, type DatasetFormat } from '../../shared/datasets.ts';
import { rescanAs } from '../../state/datasetActions.ts';
import { Card } from '../common/Card.tsx';
import { formatBytes } from '../common/format.ts';

const FORMAT_NAMES: Record<DatasetFormat, string> = {
  ucf101: 'UCF101',
  hmdb51: 'HMDB51',
  kinetics: 'Kinetics',
  sthv2: 'Something-Something v2',
  'folder-per-class': 'Folder per class',
  'video-list': 'Video list (MMAction2 VideoDataset)',
  'rawframe-list': 'Raw-frame list (MMAction2 RawframeDataset)',
};

export function ScanSummary({ summary, busy }: { summary: DatasetScanSummary; busy: boolean }) {
  const top = summary.guesses[0];
  return (
    <div className="grid" data-testid="dataset-summary">
      <Card title="Layout">
        <label className="field">
          <span>Format</span>
          <select
            value={summary.format}
            disabled={busy}
            data-testid="dataset-format"
            onChange={(e) => void rescanAs(e.currentTarget.value as DatasetFormat)}
          >
            {DATASET_FORMATS.map((f) => (
              <option key={f} value={f}>
                {FORMAT_NAMES[f]}
              </option>
            ))}
          </select>
        </label>
        {top ? (
          <p className="muted">
            Detected {FORMAT_NAMES[top.format]}: {top.reasons.join('; ')}
          </p>
        ) : null}
        <dl className="kv">
          <div className="kv__row">
            <dt>Files</dt>
            <dd>
              {summary.fileCount.toLocaleString()} ({formatBytes(summary.totalBytes)})
            </dd>
          </div>
          <div className="kv__row">
            <dt>Videos</dt>
            <dd data-testid="dataset-videos">{summary.videoCount.toLocaleString()}</dd>
          </div>
          <div className="kv__row">
            <dt>Classes</dt>
            <dd data-testid="dataset-classes">{summary.classes.length.toLocaleString()}</dd>
          </div>
          <div className="kv__row">
            <dt>Listed but missing</dt>
            <dd>{summary.missingCount.toLocaleString()}</dd>
          </div>
          <div className="kv__row">
            <dt>Without label</dt>
            <dd>{summary.unlabelledCount.toLocaleString()}</dd>
          </div>
        </dl>
        <details>
          <summary>Class names</summary>
          <p className="mono small">{summary.classes.join(', ')}</p>
        </details>
      </Card>
      <Card title="Splits">
        {summary.folds.length === 0 ? (
          <p className="muted">The drop defines no split; one can be made when you create the dataset.</p>
        ) : (
          <table className="table" data-testid="dataset-splits">
            <thead>
              <tr>
                <th>Split</th>
                <th className="num">train</th>
                <th className="num">val</th>
                <th className="num">test</th>
                <th className="num">unused</th>
              </tr>
            </thead>
            <tbody>
              {summary.folds.map(({ fold, counts }) => (
                <tr key={fold}>
                  <td>{fold}</td>
                  <td className="num">{counts.train}</td>
                  <td className="num">{counts.val}</td>
                  <td className="num">{counts.test}</td>
                  <td className="num">{counts.unused}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="muted small">Read from: {summary.sources.join(', ') || 'folder names'}</p>
      </Card>
      <IssuesCard summary={summary} />
    </div>
  );
}

function IssuesCard({ summary }: { summary: DatasetScanSummary }) {
  const counts = Object.entries(summary.issueCounts);
  return (
    <Card title={`Issues (${counts.reduce((s, [, n]) => s + n, 0)})`} testId="dataset-issues" wide>
      {summary.issues.length === 0 ? (
        <p className="yes">Lists and files agree.</p>
      ) : (
        <>
          <p className="muted">
            {counts.map(([code, n]) => `${code} × ${n}`).join(' · ')} — problems are reported, not fatal.
          </p>
          <table className="table">
            <tbody>
              {summary.issues.slice(0, 200).map((issue, i) => (
                <tr key={i}>
                  <td className={issue.level === 'error' ? 'error-text' : 'muted'}>{issue.level}</td>
                  <td className="mono small">{issue.code}</td>
                  <td className="mono small">
                    {issue.file ?? ''}
                    {issue.line === undefined ? '' : `:${issue.line}`}
                  </td>
                  <td>{issue.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Card>
  );
}
