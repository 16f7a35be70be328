// Header indicator for the built-in Toy Actions dataset (main thread): progress while it is being made in
// the background, then a short confirmation when this session created it.
import { ProgressBar } from '../common/ProgressBar.tsx';
import { useStudio } from '../../state/store.ts';

export function ToyActionsStatus() {
  const toy = useStudio((s) => s.toyActions);
  if (toy.jobId !== null) {
    const label =
      toy.total === 0
        ? 'Toy Actions: checking…'
        : `Creating Toy Actions · encoded ${toy.encoded}/${toy.total} · stored ${toy.ingested}/${toy.total}`;
    return (
      <div className="toy-status" data-testid="toy-status" data-state="running">
        <ProgressBar done={toy.encoded + toy.ingested} total={2 * toy.total} label={label} />
      </div>
    );
  }
  if (toy.result && toy.result.created > 0) {
    const r = toy.result;
    return (
      <div className="toy-status status status--good" data-testid="toy-status" data-state="ready">
        <span className="status__dot" />
        {`${r.name} ready · ${r.videos} videos · ${r.classes.length} classes`}
      </div>
    );
  }
  return null;
}
