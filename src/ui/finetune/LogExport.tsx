// Download buttons for the shown run's logs as JSON Lines and CSV (main thread).
import type { TrainRecord } from '../../shared/training.ts';
import { downloadText } from '../common/download.ts';
import { recordsToCsv, recordsToJsonl } from './logExport.ts';

export function LogExport({ records, run }: { records: readonly TrainRecord[]; run: string | null }) {
  const name = run ?? 'training-log';
  const empty = records.length === 0;
  return (
    <div className="row row--tight">
      <button
        type="button"
        className="button button--ghost"
        data-testid="log-jsonl"
        disabled={empty}
        onClick={() => {
          downloadText(`${name}.jsonl`, recordsToJsonl(records), 'application/jsonl');
        }}
      >
        Logs (JSONL)
      </button>
      <button
        type="button"
        className="button button--ghost"
        data-testid="log-csv"
        disabled={empty}
        onClick={() => {
          downloadText(`${name}.csv`, recordsToCsv(records), 'text/csv');
        }}
      >
        Logs (CSV)
      </button>
    </div>
  );
}
