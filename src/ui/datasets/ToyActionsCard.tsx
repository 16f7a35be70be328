// The Datasets panel's Toy Actions card (main thread): create or re-create the built-in dataset, with progress.
import { createOrRecreateToyActions, TOY_DATASET_ID } from '../../state/toyRecreate.ts';
import { useStudio } from '../../state/store.ts';
import { Card } from '../common/Card.tsx';
import { ProgressBar } from '../common/ProgressBar.tsx';

/** Progress of the running toy job as one bar (encode and ingest each count once per video). */
export function ToyProgress() {
  const toy = useStudio((s) => s.toyActions);
  if (toy.jobId === null) return null;
  const label =
    toy.total === 0
      ? 'Checking Toy Actions…'
      : `Creating Toy Actions · encoded ${toy.encoded}/${toy.total} · stored ${toy.ingested}/${toy.total}`;
  return <ProgressBar done={toy.encoded + toy.ingested} total={2 * toy.total} label={label} />;
}

export function ToyActionsCard() {
  const running = useStudio((s) => s.toyActions.jobId !== null);
  const ready = useStudio((s) => s.status === 'ready');
  const stored = useStudio((s) => s.storedDatasets?.find((d) => d.id === TOY_DATASET_ID) ?? null);
  const label = stored ? 'Re-create Toy Actions' : 'Create Toy Actions';
  return (
    <Card title="Toy Actions" testId="toy-card">
      <p className="muted">
        A built-in synthetic dataset: 8 classes of moving shapes, 576 short videos made in your browser
        (nothing is downloaded). Enough to try every panel in a few minutes.
      </p>
      <div className="row">
        <button
          type="button"
          className="button"
          disabled={running || !ready}
          title={
            stored
              ? 'Delete the stored Toy Actions dataset and build it again from its seed'
              : 'Generate, encode and store the Toy Actions dataset'
          }
          onClick={() => void createOrRecreateToyActions(stored !== null)}
        >
          {label}
        </button>
        <span className="muted" data-testid="toy-card-state">
          {running ? 'working…' : stored ? `stored · ${stored.videoCount} videos` : 'not created yet'}
        </span>
      </div>
      <ToyProgress />
    </Card>
  );
}
