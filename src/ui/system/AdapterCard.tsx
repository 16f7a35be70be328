// Adapter, device features and TF.js backend (main thread).
import type { DoctorReport } from '../../shared/protocol.ts';
import { Card } from '../common/Card.tsx';

const KEY_FEATURES = ['timestamp-query', 'subgroups', 'shader-f16'] as const;

export function AdapterCard({ report }: { report: DoctorReport }) {
  const { gpu, tf } = report;
  const rows: [string, string][] = [
    ['Vendor', gpu.vendor || '—'],
    ['Architecture', gpu.architecture || '—'],
    ['Device', gpu.device || '—'],
    ['Description', gpu.description || '—'],
    ['Kind', gpu.isFallbackAdapter ? 'Software (fallback adapter)' : 'Hardware'],
    [
      'Subgroup size',
      gpu.subgroupMinSize === null ? '—' : `${gpu.subgroupMinSize}–${gpu.subgroupMaxSize ?? '?'}`,
    ],
    ['TF.js', `${tf.version} on ${tf.backend}${tf.sharesDevice ? ', sharing our GPU device' : ''}`],
    ['Cross-origin isolated', report.crossOriginIsolated ? 'yes' : 'no'],
  ];
  return (
    <Card title="Adapter" testId="adapter-card">
      <dl className="kv">
        {rows.map(([k, v]) => (
          <div key={k} className="kv__row">
            <dt>{k}</dt>
            <dd data-testid={`adapter-${k.toLowerCase().replace(/\W+/g, '-')}`}>{v}</dd>
          </div>
        ))}
      </dl>
      <div className="chips" data-testid="features">
        {KEY_FEATURES.map((f) => {
          const on = gpu.features.includes(f);
          return (
            <span
              key={f}
              className={`chip ${on ? 'chip--on' : 'chip--off'}`}
              title={on ? 'enabled' : 'not available'}
            >
              {on ? '✓' : '✗'} {f}
            </span>
          );
        })}
      </div>
      <details className="muted">
        <summary>All {gpu.features.length} enabled features</summary>
        <p className="mono">{gpu.features.join(', ')}</p>
      </details>
    </Card>
  );
}
