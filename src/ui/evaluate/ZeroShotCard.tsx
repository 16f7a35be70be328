// The Evaluate panel's zero-shot section (main thread): edit prompt templates, see the dataset's class names as
// prompts, run CLIP zero-shot (full-class or BIKE's half-class protocol) and read the per-split table with mean ± std.
import { useState } from 'react';
import { RANDOM_CLIP, type ZeroShotProtocol, type ZeroShotResult } from '../../shared/protocol.ts';
import { useStudio } from '../../state/store.ts';
import { runZeroShot } from '../../state/zeroshotActions.ts';
import { Card } from '../common/Card.tsx';
import { ProgressBar } from '../common/ProgressBar.tsx';

const pct = (v: number | undefined): string => (v === undefined ? '—' : `${(100 * v).toFixed(1)} %`);
const DEFAULT_TEMPLATES = 'This is a video about {}';

function ZeroShotResults({ r }: { r: ZeroShotResult }) {
  return (
    <div data-testid="zeroshot-result">
      {r.random ? (
        <p className="muted" data-testid="zeroshot-random">
          {r.model}: {r.note}.
        </p>
      ) : null}
      <p>
        Full-class ({r.classes.length} classes, {r.per_video.length} videos, {r.frames} frames each): top-1{' '}
        {pct(r.top1)} · top-5 {pct(r.top5)} · mean class {pct(r.mean_class_accuracy)}
      </p>
      {r.splits ? (
        <table data-testid="zeroshot-splits">
          <caption>
            Half-class protocol: {r.splits.length} seeded splits, top-1 {pct(r.mean)} ± {pct(r.std)}
          </caption>
          <thead>
            <tr>
              <th>seed</th>
              <th>classes</th>
              <th>videos</th>
              <th>top-1</th>
              <th>top-5</th>
              <th>mean class</th>
            </tr>
          </thead>
          <tbody>
            {r.splits.map((s) => (
              <tr key={s.seed} className="zeroshot__split">
                <td>{s.seed}</td>
                <td>{s.classes.map((c) => r.classes[c] ?? String(c)).join(', ')}</td>
                <td>{s.videos}</td>
                <td>{pct(s.top1)}</td>
                <td>{pct(s.top5)}</td>
                <td>{pct(s.mean_class_accuracy)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>
                mean ± std
              </th>
              <td data-testid="zeroshot-mean">
                {pct(r.mean)} ± {pct(r.std)}
              </td>
              <td colSpan={2} />
            </tr>
          </tfoot>
        </table>
      ) : null}
    </div>
  );
}

export function ZeroShotCard({ dataset }: { dataset: string }) {
  const ready = useStudio((s) => s.status === 'ready');
  const datasets = useStudio((s) => s.storedDatasets);
  const classes = datasets?.find((d) => d.id === dataset)?.classes ?? [];
  const [templates, setTemplates] = useState(DEFAULT_TEMPLATES);
  const [protocol, setProtocol] = useState<ZeroShotProtocol>('half');
  const [frames, setFrames] = useState(4);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [result, setResult] = useState<ZeroShotResult | null>(null);
  const list = templates
    .split('\n')
    .map((t) => t.trim())
    .filter(Boolean);
  const run = async (): Promise<void> => {
    setProgress({ done: 0, total: 0 });
    setResult(null);
    const r = await runZeroShot(
      { dataset, model: RANDOM_CLIP, protocol, templates: list, frames },
      (done, total) => {
        setProgress({ done, total });
      },
    );
    setProgress(null);
    setResult(r);
  };
  const first = list[0] ?? '{}';
  return (
    <Card title="Zero-shot (CLIP)" testId="zeroshot">
      <div className="eval-form">
        <label>
          CLIP model
          <input value={RANDOM_CLIP} readOnly aria-label="CLIP model" size={16} />
        </label>
        <label>
          Zero-shot protocol
          <select
            value={protocol}
            onChange={(e) => {
              setProtocol(e.target.value as ZeroShotProtocol);
            }}
            aria-label="Zero-shot protocol"
          >
            <option value="half">half-class (10 splits)</option>
            <option value="full">full-class</option>
          </select>
        </label>
        <label>
          Frames
          <input
            type="number"
            min={1}
            max={64}
            value={frames}
            onChange={(e) => {
              setFrames(Math.max(1, Math.min(64, Number(e.target.value) || 1)));
            }}
            aria-label="Frames per video"
          />
        </label>
        <button
          type="button"
          className="button"
          disabled={!ready || !dataset || list.length === 0 || progress !== null}
          onClick={() => void run()}
        >
          Run zero-shot
        </button>
      </div>
      <label className="zeroshot__templates">
        Prompt templates (one per line, {'{}'} is the class name; several are ensembled)
        <textarea
          value={templates}
          rows={3}
          cols={60}
          onChange={(e) => {
            setTemplates(e.target.value);
          }}
          aria-label="Prompt templates"
        />
      </label>
      <p className="muted" data-testid="zeroshot-classes">
        {classes.length} classes, e.g. “{first.split('{}').join(classes[0] ?? 'class')}”: {classes.join(', ')}
      </p>
      <p className="muted">
        {RANDOM_CLIP} has seeded random weights and a generated vocabulary: its accuracy tests the protocol,
        not recognition.
      </p>
      {progress ? (
        <ProgressBar
          done={progress.done}
          total={progress.total}
          label={`${progress.done}/${progress.total} videos`}
        />
      ) : null}
      {result ? <ZeroShotResults r={result} /> : null}
    </Card>
  );
}
