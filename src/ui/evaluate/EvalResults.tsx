// The Evaluate panel's results (main thread): the summary card, a row-normalised confusion-matrix heatmap as a
// CSS grid (class names on hover, rows sortable by accuracy) and per-class accuracy bars (plain DOM).
import { useState } from 'react';
import type { EvalResult } from '../../shared/protocol.ts';
import { Card } from '../common/Card.tsx';

const pct = (v: number | null): string => (v === null || Number.isNaN(v) ? '—' : `${(100 * v).toFixed(1)} %`);

export function EvalSummaryCard({ r }: { r: EvalResult }) {
  const p = r.protocol;
  return (
    <Card title="Result" testId="eval-result">
      <dl className="eval-summary">
        <dt>top-1</dt>
        <dd data-testid="eval-top1">{pct(r.top1)}</dd>
        <dt>top-5</dt>
        <dd>{pct(r.top5)}</dd>
        <dt>mean class</dt>
        <dd>{pct(r.mean_class_accuracy)}</dd>
        <dt>views</dt>
        <dd>
          {p.numClips} clips × {p.crop} ({p.viewsPerVideo} per video, {p.clipLen}×{p.frameInterval}, crop{' '}
          {p.cropSize}, {p.average})
        </dd>
        <dt>videos</dt>
        <dd>
          {r.per_video.length} ({r.scored} scored now, {r.resumed} resumed)
        </dd>
        <dt>time</dt>
        <dd>{r.seconds.toFixed(1)} s</dd>
      </dl>
    </Card>
  );
}

export function ConfusionMatrix({ r }: { r: EvalResult }) {
  const [sorted, setSorted] = useState(false);
  const n = r.classes.length;
  const order = r.classes.map((_, i) => i);
  if (sorted) order.sort((a, b) => (r.per_class[a] ?? -1) - (r.per_class[b] ?? -1));
  return (
    <Card
      title="Confusion matrix (rows: true class, normalised)"
      testId="eval-confusion"
      actions={
        <button
          type="button"
          onClick={() => {
            setSorted((s) => !s);
          }}
        >
          {sorted ? 'Class order' : 'Sort by accuracy'}
        </button>
      }
    >
      <div className="confusion" style={{ gridTemplateColumns: `repeat(${n}, minmax(6px, 1fr))` }}>
        {order.flatMap((t) => {
          const row = r.confusion[t] ?? [];
          const sum = row.reduce((a, b) => a + b, 0);
          return order.map((p) => {
            const count = row[p] ?? 0;
            const v = sum ? count / sum : 0;
            return (
              <div
                key={`${t}-${p}`}
                className="confusion__cell"
                title={`true ${r.classes[t] ?? t} → predicted ${r.classes[p] ?? p}: ${count} (${pct(v)})`}
                style={{ backgroundColor: `rgba(37, 99, 235, ${v.toFixed(3)})` }}
              />
            );
          });
        })}
      </div>
    </Card>
  );
}

export function PerClassBars({ r }: { r: EvalResult }) {
  return (
    <Card title="Per-class accuracy" testId="eval-per-class">
      <div className="per-class">
        {r.classes.map((name, c) => {
          const a = r.per_class[c] ?? null;
          return (
            <div key={name} className="per-class__row">
              <span className="per-class__name">{name}</span>
              <span className="per-class__bar">
                <span className="per-class__fill" style={{ width: `${100 * (a ?? 0)}%` }} />
              </span>
              <span className="per-class__value">{pct(a)}</span>
            </div>
          );
        })}
      </div>
    </Card>
  );
}
