// `tubelet runs`: the stored training runs with status, epochs, best and final val top-1 and the last
// checkpoint, from the studio's worker (Node). --json prints the documented fields only.
import type { StoredRunSummary } from '../../src/shared/training.ts';
import type { Outcome } from '../../src/client/automation.ts';
import { formatError } from '../../src/shared/errors.ts';
import { CliError } from '../errors.ts';
import type { StudioSession } from '../session.ts';

/** One run as `tubelet runs --json` prints it. */
export interface RunsJsonRow {
  readonly run: string;
  readonly name: string;
  readonly status: StoredRunSummary['status'];
  readonly epochs_done: number;
  readonly epochs: number;
  readonly best_val_top1: number | null;
  readonly final_val_top1: number | null;
  readonly checkpoint: string | null;
}

export async function listRuns(session: StudioSession): Promise<readonly StoredRunSummary[]> {
  const outcome: Outcome<readonly StoredRunSummary[]> = await session.page.evaluate(async () => {
    const handle = window.__tubelet;
    if (!handle) throw new Error('automation handle missing');
    return handle.runJob({ kind: 'list-runs' });
  });
  if (!outcome.ok) throw new CliError(`runs failed: ${formatError(outcome.error)}`);
  return outcome.value;
}

export function runsJson(list: readonly StoredRunSummary[]): RunsJsonRow[] {
  return list.map((r) => ({
    run: r.run,
    name: r.name,
    status: r.status,
    epochs_done: r.epochs_done,
    epochs: r.epochs,
    best_val_top1: r.best_val_top1,
    final_val_top1: r.final_val_top1,
    checkpoint: r.checkpoint,
  }));
}

const pct = (v: number | null): string => (v === null ? '—' : `${(100 * v).toFixed(1)} %`);

export function formatRuns(list: readonly StoredRunSummary[]): string {
  if (list.length === 0) return 'No training runs stored (start one with `tubelet train`).';
  return [
    '| run | name | status | epochs | best val top-1 | final val top-1 | last checkpoint |',
    '| --- | --- | --- | ---: | ---: | ---: | --- |',
    ...list.map(
      (r) =>
        `| ${r.run} | ${r.name} | ${r.status} | ${r.epochs_done}/${r.epochs} | ${pct(r.best_val_top1)} | ${pct(r.final_val_top1)} | ${r.checkpoint ?? '—'} |`,
    ),
  ].join('\n');
}
