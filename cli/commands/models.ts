// `tubelet models`: the model zoo with parameters and multiply-adds, from the studio's worker (Node).
import type { ModelSummary } from '../../src/shared/protocol.ts';
import type { Outcome } from '../../src/client/automation.ts';
import { formatError } from '../../src/shared/errors.ts';
import { CliError } from '../errors.ts';
import type { StudioSession } from '../session.ts';

export async function listModels(session: StudioSession): Promise<readonly ModelSummary[]> {
  const outcome: Outcome<readonly ModelSummary[]> = await session.page.evaluate(async () => {
    const handle = window.__tubelet;
    if (!handle) throw new Error('automation handle missing');
    return handle.runJob({ kind: 'models' });
  });
  if (!outcome.ok) throw new CliError(`models failed: ${formatError(outcome.error)}`);
  return outcome.value;
}

const millions = (n: number): string => `${(n / 1e6).toFixed(1)} M`;

export function formatModels(list: readonly ModelSummary[]): string {
  const rows = list.map((m) => {
    const [, t, h, w] = m.input;
    return `| ${m.name} | ${m.family} | ${millions(m.params)} | ${(m.macs / 1e9).toFixed(2)} | ${t}×${h}×${w} | ${m.numClasses} |`;
  });
  return [
    '| model | family | params | GMACs | input T×H×W | classes |',
    '| --- | --- | ---: | ---: | --- | ---: |',
    ...rows,
  ].join('\n');
}
