// The Evaluate panel (main thread): pick model, dataset, protocol (or custom views), averaging and split; run the
// eval job with a progress bar and ETA; show the result, confusion matrix, per-class bars and past evaluations.
import { useEffect, useState } from 'react';
import { EVAL_PROTOCOL_NAMES, type EvalAverage } from '../../shared/protocol.ts';
import { cancelEvaluation, refreshEvals, startEvaluation } from '../../state/evalActions.ts';
import { refreshStoredDatasets } from '../../state/ingestActions.ts';
import { refreshStoredModels } from '../../state/modelActions.ts';
import { useStudio } from '../../state/store.ts';
import { Card } from '../common/Card.tsx';
import { ProgressBar } from '../common/ProgressBar.tsx';
import { ConfusionMatrix, EvalSummaryCard, PerClassBars } from './EvalResults.tsx';
import { ZeroShotCard } from './ZeroShotCard.tsx';

const AVERAGES: readonly EvalAverage[] = ['score', 'prob', 'none', 'sum', 'max'];
const pct = (v: number | null): string => (v === null ? '—' : `${(100 * v).toFixed(1)} %`);

function eta(done: number, total: number, startDone: number, startedAt: number): string {
  const rate = (done - startDone) / Math.max(1, Date.now() - startedAt);
  if (startDone < 0 || rate <= 0 || done >= total) return '';
  return ` · about ${Math.ceil((total - done) / rate / 1000)} s left`;
}

export function EvaluatePanel() {
  const ready = useStudio((s) => s.status === 'ready');
  const ev = useStudio((s) => s.evaluate);
  const datasets = useStudio((s) => s.storedDatasets);
  const models = useStudio((s) => s.models.stored);
  const [model, setModel] = useState('toy_r3d');
  const [dataset, setDataset] = useState('');
  const [protocol, setProtocol] = useState<string>('custom');
  const [views, setViews] = useState('3x3');
  const [average, setAverage] = useState<EvalAverage>('score');
  const [split, setSplit] = useState('test1');
  useEffect(() => {
    if (!ready) return;
    void refreshStoredDatasets();
    void refreshStoredModels();
    void refreshEvals();
  }, [ready]);
  const chosenDataset = dataset || datasets?.[0]?.id || '';
  const running = ev.jobId !== null;
  const run = (): void => {
    void startEvaluation({
      model,
      dataset: chosenDataset,
      protocol,
      average,
      ...(protocol === 'custom' ? { views } : {}),
      ...(split ? { split } : {}),
    });
  };
  return (
    <div className="panel" data-testid="panel-evaluate">
      <h1>Evaluate</h1>
      <Card title="Protocol" testId="eval-form">
        <div className="eval-form">
          <label>
            Model
            <input
              list="eval-models"
              value={model}
              onChange={(e) => {
                setModel(e.target.value);
              }}
              aria-label="Model"
            />
            <datalist id="eval-models">
              {(models ?? []).map((m) => (
                <option key={m.name} value={m.name} />
              ))}
            </datalist>
          </label>
          <label>
            Dataset
            <select
              value={chosenDataset}
              onChange={(e) => {
                setDataset(e.target.value);
              }}
              aria-label="Dataset"
            >
              {(datasets ?? []).length === 0 ? <option value="">(no stored dataset)</option> : null}
              {(datasets ?? []).map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Protocol
            <select
              value={protocol}
              onChange={(e) => {
                setProtocol(e.target.value);
              }}
              aria-label="Protocol"
            >
              {EVAL_PROTOCOL_NAMES.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </label>
          {protocol === 'custom' ? (
            <label>
              Views (clips×crops)
              <input
                value={views}
                onChange={(e) => {
                  setViews(e.target.value);
                }}
                aria-label="Views"
                size={6}
              />
            </label>
          ) : null}
          <label>
            Average
            <select
              value={average}
              onChange={(e) => {
                setAverage(e.target.value as EvalAverage);
              }}
              aria-label="Average"
            >
              {AVERAGES.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          </label>
          <label>
            Split
            <input
              value={split}
              onChange={(e) => {
                setSplit(e.target.value);
              }}
              aria-label="Split"
              size={8}
            />
          </label>
          {running ? (
            <button type="button" className="button button--ghost" onClick={() => void cancelEvaluation()}>
              Stop
            </button>
          ) : (
            <button type="button" className="button" disabled={!ready || !chosenDataset} onClick={run}>
              Evaluate
            </button>
          )}
        </div>
        {running ? (
          <ProgressBar
            done={ev.done}
            total={ev.total}
            label={`${ev.done}/${ev.total} videos${eta(ev.done, ev.total, ev.startDone, ev.startedAt)}`}
          />
        ) : null}
      </Card>
      {ev.result ? (
        <>
          <EvalSummaryCard r={ev.result} />
          <ConfusionMatrix r={ev.result} />
          <PerClassBars r={ev.result} />
        </>
      ) : null}
      <ZeroShotCard dataset={chosenDataset} />
      <Card title="Past evaluations" testId="eval-past">
        {ev.past && ev.past.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th>model</th>
                <th>dataset</th>
                <th>protocol</th>
                <th>split</th>
                <th>status</th>
                <th>videos</th>
                <th>top-1</th>
                <th>top-5</th>
                <th>mean class</th>
              </tr>
            </thead>
            <tbody>
              {ev.past.map((e) => (
                <tr key={e.id}>
                  <td>{e.model}</td>
                  <td>{e.dataset}</td>
                  <td>{e.protocol}</td>
                  <td>{e.split ?? 'all'}</td>
                  <td>{e.status}</td>
                  <td>
                    {e.videosDone}/{e.videosTotal}
                  </td>
                  <td>{pct(e.top1)}</td>
                  <td>{pct(e.top5)}</td>
                  <td>{pct(e.meanClassAccuracy)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">No evaluations stored yet.</p>
        )}
      </Card>
    </div>
  );
}
