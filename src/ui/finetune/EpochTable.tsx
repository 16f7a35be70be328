// Validation after each epoch (main thread): train loss, val loss, top-1, top-5 and mean class accuracy.
import type { EpochRecord, TrainRecord } from '../../shared/training.ts';

const pct = (v: number | undefined): string => (v === undefined ? '—' : `${(100 * v).toFixed(1)} %`);

export function EpochTable({ records }: { records: readonly TrainRecord[] }) {
  const epochs = records.filter((r): r is EpochRecord => r.type === 'epoch');
  if (epochs.length === 0) return <p className="muted small">Validation appears here after each epoch.</p>;
  return (
    <table className="table" data-testid="epoch-table">
      <thead>
        <tr>
          <th>Epoch</th>
          <th className="num">train loss</th>
          <th className="num">val loss</th>
          <th className="num">val top-1</th>
          <th className="num">val top-5</th>
          <th className="num">mean class</th>
          <th className="num">time</th>
        </tr>
      </thead>
      <tbody>
        {epochs.map((e) => (
          <tr key={e.epoch}>
            <td>{e.epoch + 1}</td>
            <td className="num">{e.trainLoss.toFixed(4)}</td>
            <td className="num">{e.val ? e.val.loss.toFixed(4) : '—'}</td>
            <td className="num">{pct(e.val?.top1)}</td>
            <td className="num">{pct(e.val?.top5)}</td>
            <td className="num">{pct(e.val?.meanClassAccuracy)}</td>
            <td className="num">{e.seconds.toFixed(1)} s</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
