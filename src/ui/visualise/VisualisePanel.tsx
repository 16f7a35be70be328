// The Visualise panel (main thread): pick a model (stored or zoo), a stored video, the method and layer; the explain
// job's heat maps over the clip's frames with an opacity slider, the top-k bars, and live webcam recognition.
import { useEffect, useState } from 'react';
import { EXPLAIN_METHODS, type ExplainMethod, type ExplainResult } from '../../shared/protocol.ts';
import { refreshStoredDatasets } from '../../state/ingestActions.ts';
import { refreshStoredModels } from '../../state/modelActions.ts';
import { useStudio } from '../../state/store.ts';
import { runExplain } from '../../state/visualiseActions.ts';
import { Card } from '../common/Card.tsx';
import { OverlayStrip, TopKBars } from './OverlayStrip.tsx';
import { WebcamView } from './WebcamView.tsx';

const ZOO_CHOICES = ['toy_r3d', 'r3d_18:tiny', 'mvit_v2_s:tiny', 'timesformer_b16:tiny'];
const METHOD_LABELS: Record<ExplainMethod, string> = {
  gradcam: 'Grad-CAM',
  gradcampp: 'Grad-CAM++',
  attention: 'Attention (CLS, mean of heads)',
  rollout: 'Attention rollout',
};

export function VisualisePanel() {
  const ready = useStudio((s) => s.status === 'ready');
  const datasets = useStudio((s) => s.storedDatasets);
  const models = useStudio((s) => s.models.stored);
  const [model, setModel] = useState('toy_r3d');
  const [dataset, setDataset] = useState('');
  const [videoIndex, setVideoIndex] = useState(0);
  const [method, setMethod] = useState<ExplainMethod | 'auto'>('auto');
  const [layer, setLayer] = useState('');
  const [opacity, setOpacity] = useState(0.5);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<ExplainResult | null>(null);
  useEffect(() => {
    if (!ready) return;
    void refreshStoredDatasets();
    void refreshStoredModels();
  }, [ready]);
  const chosenDataset = dataset || datasets?.[0]?.id || '';
  const classNames = datasets?.find((d) => d.id === chosenDataset)?.classes ?? null;
  const run = async (): Promise<void> => {
    setRunning(true);
    const r = await runExplain({
      model,
      input: { type: 'stored', datasetId: chosenDataset, videoIndex },
      ...(method === 'auto' ? {} : { method }),
      ...(layer ? { layer } : {}),
    });
    setRunning(false);
    if (r) setResult(r);
  };
  const explainedLabel = result?.topk.find((t) => t.index === result.classIndex)?.label ?? null;
  return (
    <div className="panel" data-testid="panel-visualise">
      <h1>Visualise</h1>
      <Card title="Explain a clip" testId="vis-form">
        <div className="eval-form">
          <label>
            Model
            <input
              list="vis-models"
              value={model}
              onChange={(e) => {
                setModel(e.target.value);
              }}
              aria-label="Model"
            />
            <datalist id="vis-models">
              {[...ZOO_CHOICES, ...(models ?? []).map((m) => m.name)].map((m) => (
                <option key={m} value={m} />
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
              {(datasets ?? []).map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Video
            <input
              type="number"
              min={0}
              value={videoIndex}
              onChange={(e) => {
                setVideoIndex(Math.max(0, Number(e.target.value) || 0));
              }}
              aria-label="Video index"
            />
          </label>
          <label>
            Method
            <select
              value={method}
              onChange={(e) => {
                setMethod(e.target.value as ExplainMethod | 'auto');
              }}
              aria-label="Method"
            >
              <option value="auto">Auto (Grad-CAM for CNNs, attention for transformers)</option>
              {EXPLAIN_METHODS.map((m) => (
                <option key={m} value={m}>
                  {METHOD_LABELS[m]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Layer
            <input
              list="vis-layers"
              value={layer}
              onChange={(e) => {
                setLayer(e.target.value);
              }}
              aria-label="Layer"
              placeholder="last"
            />
            <datalist id="vis-layers">
              {(result?.layers ?? []).map((l) => (
                <option key={l} value={l} />
              ))}
            </datalist>
          </label>
          <button
            type="button"
            onClick={() => void run()}
            disabled={!ready || running || !chosenDataset}
            data-testid="vis-run"
          >
            {running ? 'Explaining…' : 'Explain'}
          </button>
        </div>
      </Card>
      {result && (
        <Card title={`${result.model} · ${METHOD_LABELS[result.method]}`} testId="vis-result">
          <p className="muted" data-testid="vis-summary" data-method={result.method}>
            {result.layer ? `layer ${result.layer} · ` : ''}explaining class {result.classIndex}
            {explainedLabel ? ` (${explainedLabel})` : ''}
            {result.className ? ` · true class ${result.className}` : ''}
          </p>
          <label>
            Opacity
            <input
              type="range"
              min={0}
              max={1}
              step={0.05}
              value={opacity}
              onChange={(e) => {
                setOpacity(Number(e.target.value));
              }}
              aria-label="Overlay opacity"
              data-testid="vis-opacity"
            />
          </label>
          <OverlayStrip result={result} opacity={opacity} />
          <TopKBars topk={result.topk} testId="vis-topk" />
        </Card>
      )}
      <Card title="Webcam" testId="vis-webcam">
        <WebcamView model={model} classNames={classNames} />
      </Card>
    </div>
  );
}
