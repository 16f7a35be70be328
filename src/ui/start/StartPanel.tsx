// The Start panel (main thread): a fresh studio's path through dataset → model → finetune, each step linking to
// its panel and showing its state; System (GPU diagnostics) one click away.
import { useEffect, type ReactNode } from 'react';
import { navigate } from '../../state/actions.ts';
import { loadTrainCatalog, refreshRuns } from '../../state/finetuneActions.ts';
import { refreshStoredDatasets } from '../../state/ingestActions.ts';
import { useStudio, type PanelId } from '../../state/store.ts';
import { createOrRecreateToyActions } from '../../state/toyRecreate.ts';
import { ToyProgress } from '../datasets/ToyActionsCard.tsx';

function Step({
  n,
  title,
  done,
  state,
  panel,
  action,
  primary,
  children,
}: {
  n: number;
  title: string;
  done: boolean;
  state: string;
  panel: PanelId;
  action: string;
  /** The step's main control, before the link to its panel. */
  primary?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <li className={`start-step${done ? ' start-step--done' : ''}`} data-testid={`start-step-${n}`}>
      <span className="start-step__n" aria-hidden="true">
        {done ? '✓' : n}
      </span>
      <div className="start-step__body">
        <h2>{title}</h2>
        <p className="muted" data-testid={`start-step-${n}-state`}>
          {state}
        </p>
        <div className="row">
          {primary}
          <button
            type="button"
            className="button button--ghost"
            onClick={() => {
              navigate(panel);
            }}
          >
            {action}
          </button>
        </div>
        {children}
      </div>
    </li>
  );
}

export function StartPanel() {
  const ready = useStudio((s) => s.status === 'ready');
  const datasets = useStudio((s) => s.storedDatasets);
  const toyRunning = useStudio((s) => s.toyActions.jobId !== null);
  const finetune = useStudio((s) => s.finetune);
  const training = useStudio((s) => s.training);
  const runs = useStudio((s) => s.runs);
  useEffect(() => {
    if (!ready) return;
    void refreshStoredDatasets();
    void loadTrainCatalog();
    void refreshRuns();
  }, [ready]);
  const usable = (datasets ?? []).filter((d) => d.status === 'ready' && d.videosDone > 0);
  const model = finetune.draft?.model ?? null;
  const trainState =
    training.status === 'running' || training.status === 'starting'
      ? `Training ${training.run ?? ''}…`
      : runs && runs.length > 0
        ? `${runs.length} stored run${runs.length === 1 ? '' : 's'}`
        : 'No runs yet.';
  return (
    <div className="panel" data-testid="panel-start">
      <h1>Start</h1>
      <p className="muted">
        Train a video action-recognition model in three steps, entirely in this browser on WebGPU.{' '}
        <button
          type="button"
          className="link-button"
          onClick={() => {
            navigate('system');
          }}
        >
          Check your GPU on System
        </button>
      </p>
      <ol className="start-steps">
        <Step
          n={1}
          title="Add a dataset"
          done={usable.length > 0}
          state={
            datasets === null
              ? 'Looking for stored datasets…'
              : usable.length > 0
                ? `${usable.length} stored: ${usable.map((d) => d.name).join(', ')}`
                : 'None stored yet. Drop a folder of videos on Datasets, or make the built-in Toy Actions set.'
          }
          panel="datasets"
          action="Open Datasets"
          primary={
            <button
              type="button"
              className="button"
              disabled={!ready || toyRunning}
              onClick={() => void createOrRecreateToyActions(false)}
            >
              Create Toy Actions
            </button>
          }
        >
          <ToyProgress />
        </Step>
        <Step
          n={2}
          title="Pick a model"
          done={model !== null && usable.length > 0}
          state={
            model
              ? `Preset ${finetune.preset ?? 'custom'}: ${model}. Browse the zoo or import weights on Models.`
              : 'Loading the model zoo…'
          }
          panel="models"
          action="Open Models"
        />
        <Step
          n={3}
          title="Train"
          done={training.status === 'finished' || (runs?.length ?? 0) > 0}
          state={trainState}
          panel="finetune"
          action="Open Finetune"
        />
      </ol>
    </div>
  );
}
