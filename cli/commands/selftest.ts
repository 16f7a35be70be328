// `tubelet selftest`: runs the GPU self-test job through the automation handle (Node).
import type { JobEvent, SelfTestResult } from '../../src/shared/protocol.ts';
import type { Outcome } from '../../src/client/automation.ts';
import { formatError } from '../../src/shared/errors.ts';
import { CliError } from '../errors.ts';
import type { StudioSession } from '../session.ts';

export interface SelfTestOutput extends Omit<SelfTestResult, 'sample'> {
  readonly sample: number[];
  readonly adapterMode: string;
}

export async function selftest(
  session: StudioSession,
  spec: { size: number; seed: number },
  onEvent: (event: JobEvent) => void,
): Promise<SelfTestOutput> {
  await session.page.exposeFunction('__tubeletCliEvent', onEvent);
  const outcome: Outcome<Omit<SelfTestResult, 'sample'> & { sample: number[] }> = await session.page.evaluate(
    async ({ size, seed }) => {
      const handle = window.__tubelet;
      if (!handle) throw new Error('automation handle missing');
      const relay = (window as unknown as { __tubeletCliEvent: (e: JobEvent) => void }).__tubeletCliEvent;
      const out = await handle.runJob({ kind: 'selftest', m: size, n: size, k: size, seed }, (e) => {
        relay(e);
      });
      return out.ok
        ? { ok: true as const, value: { ...out.value, sample: Array.from(out.value.sample) } }
        : out;
    },
    spec,
  );
  if (!outcome.ok) throw new CliError(`selftest failed: ${formatError(outcome.error)}`);
  return { ...outcome.value, adapterMode: session.mode };
}

export function formatSelfTest(r: SelfTestOutput): string {
  return [
    `${r.ok ? 'PASS' : 'FAIL'}  ${r.kernel} ${r.shape.m}×${r.shape.k} · ${r.shape.k}×${r.shape.n} (seed ${r.seed}, ${r.adapterMode})`,
    `  max |GPU − CPU| ${r.maxAbsError.toExponential(3)} (tolerance ${r.tolerance.toExponential(3)})`,
    `  via TF.js on the shared device ${r.tfMaxAbsError.toExponential(3)}`,
    `  GPU ${r.gpuMs.toFixed(1)} ms, CPU ${r.cpuMs.toFixed(1)} ms`,
  ].join('\n');
}
