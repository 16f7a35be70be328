// The Finetune panel (main thread): set up a run (preset, dataset, model, config forms), train / stop / resume
// it in the worker, watch the live dashboard and per-epoch validation, export its logs, and manage stored runs.
import { useEffect, useMemo } from 'react';
import { loadTrainCatalog, refreshRuns, updateDraft } from '../../state/finetuneActions.ts';
import { refreshStoredDatasets } from '../../state/ingestActions.ts';
import { useStudio } from '../../state/store.ts';
import { configProblems } from '../../shared/trainConfig.ts';
import { Card } from '../common/Card.tsx';
import { AugmentPreviewCard } from './AugmentPreviewCard.tsx';
import { ConfigForm } from './ConfigForm.tsx';
import { EpochTable } from './EpochTable.tsx';
import { EstimateCard } from './EstimateCard.tsx';
import { LogExport } from './LogExport.tsx';
import { RunsCard } from './RunsCard.tsx';
import { SetupCard } from './SetupCard.tsx';
import { TrainDashboard } from './TrainDashboard.tsx';

export function FinetunePanel() {
  const ready = useStudio((s) => s.status === 'ready');
  const { catalog, preset, draft } = useStudio((s) => s.finetune);
  const training = useStudio((s) => s.training);
  const datasets = useStudio((s) => s.storedDatasets);
  const runs = useStudio((s) => s.runs);
  const toyDone = useStudio((s) => s.toyActions.result !== null);
  useEffect(() => {
    if (!ready) return;
    void loadTrainCatalog();
    void refreshRuns();
  }, [ready]);
  useEffect(() => {
    if (ready) void refreshStoredDatasets();
  }, [ready, toyDone]);
  const problems = useMemo(() => (draft ? configProblems(draft) : []), [draft]);
  const busy = training.jobId !== null;
  const dataset = datasets?.find((d) => d.id === draft?.dataset || d.name === draft?.dataset);
  return (
    <div className="panel" data-testid="panel-finetune">
      <h1>Finetune</h1>
      {!catalog || !draft ? (
        <p className="muted">Loading presets…</p>
      ) : (
        <div className="stack">
          <div className="finetune-top">
            <div className="stack">
              <SetupCard
                catalog={catalog}
                preset={preset}
                draft={draft}
                datasets={datasets ?? []}
                valid={problems.length === 0}
                status={training.status}
                busy={busy}
                run={training.run}
              />
              <EstimateCard
                draft={draft}
                valid={problems.length === 0}
                dataset={dataset}
                records={training.records}
                shownKey={training.throughputKey}
                shownRun={training.run}
                runs={runs ?? []}
              />
            </div>
            <Card title="Config" testId="finetune-config">
              <ConfigForm draft={draft} problems={problems} disabled={busy} onChange={updateDraft} />
            </Card>
          </div>
          <TrainDashboard
            records={training.records}
            totalSteps={training.totalSteps}
            clipsPerStep={training.clipsPerStep}
            status={training.status}
          />
          <Card
            title="Validation each epoch"
            testId="finetune-epochs"
            actions={<LogExport records={training.records} run={training.run} />}
          >
            <EpochTable records={training.records} />
          </Card>
          <AugmentPreviewCard draft={draft} enabled={problems.length === 0 && dataset !== undefined} />
          {runs ? <RunsCard runs={runs} busy={busy} /> : null}
        </div>
      )}
    </div>
  );
}
