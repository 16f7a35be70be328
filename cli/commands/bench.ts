// `tubelet bench kernels`: runs the kernel benchmark job in the studio's worker and prints its rows (Node).
import type { BenchReport, BenchRow, JobEvent } from '../../src/shared/protocol.ts';
import type { Outcome } from '../../src/client/automation.ts';
import { formatError } from '../../src/shared/errors.ts';
import { CliError, UsageError } from '../errors.ts';
import type { StudioSession } from '../session.ts';

export async function benchKernels(
  session: StudioSession,
  spec: { quick: boolean; filter: string | undefined },
  onEvent: (event: JobEvent) => void,
): Promise<BenchReport> {
  await session.page.exposeFunction('__tubeletBenchEvent', onEvent);
  const outcome: Outcome<BenchReport> = await session.page.evaluate(async ({ quick, filter }) => {
    const handle = window.__tubelet;
    if (!handle) throw new Error('automation handle missing');
    const relay = (window as unknown as { __tubeletBenchEvent: (e: JobEvent) => void }).__tubeletBenchEvent;
    return handle.runJob(
      { kind: 'bench-kernels', quick, ...(filter === undefined ? {} : { filter }) },
      (e) => {
        relay(e);
      },
    );
  }, spec);
  if (!outcome.ok) throw new CliError(`bench failed: ${formatError(outcome.error)}`);
  if (outcome.value.rows.length === 0)
    throw new UsageError(`no benchmark row matches --filter '${spec.filter ?? ''}'`);
  return outcome.value;
}

function geomean(xs: number[]): number | null {
  return xs.length ? Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length) : null;
}

const fmt = (x: number | null, digits = 2): string => (x === null ? '—' : x.toFixed(digits));

/** A Markdown table (what docs/PERFORMANCE.md records), with geometric-mean speed-ups per op. */
export function formatBench(report: BenchReport): string {
  const g = report.adapter;
  const lines = [
    `Adapter: ${[g.vendor, g.architecture, g.description].filter(Boolean).join(' · ')}${g.isFallbackAdapter ? ' (software)' : ''}`,
    `Date: ${report.date}${report.quick ? ' (quick)' : ''}`,
    '',
    '| op | shape | ours ms | stock ms | speed-up | GFLOP/s | max err |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...report.rows.map(
      (r: BenchRow) =>
        `| ${r.op} | ${r.shape} | ${fmt(r.ours_ms)} | ${fmt(r.stock_ms)} | ${fmt(r.speedup)}× | ${fmt(r.gflops, 3)} | ${r.max_err.toExponential(1)} |`,
    ),
    '',
  ];
  const ops = [...new Set(report.rows.map((r) => r.op))];
  for (const op of ops) {
    const s = report.rows.filter((r) => r.op === op && r.speedup !== null).map((r) => r.speedup as number);
    const gm = geomean(s);
    if (gm !== null) lines.push(`geomean speed-up ${op}: ${gm.toFixed(2)}×`);
  }
  const all = geomean(report.rows.filter((r) => r.speedup !== null).map((r) => r.speedup as number));
  if (all !== null) lines.push(`geomean speed-up over all compared rows: ${all.toFixed(2)}×`);
  return lines.join('\n');
}
