// `tubelet zeroshot` (Node): runs the zero-shot job (CLIP frames vs class prompts, BIKE's full / half-class
// protocols) in the studio's worker and prints its metrics; --json prints the documented fields.
import { readFileSync } from 'node:fs';
import type { Outcome } from '../../src/client/automation.ts';
import { formatError } from '../../src/shared/errors.ts';
import type { JobEvent, ZeroShotResult, ZeroShotSpec } from '../../src/shared/protocol.ts';
import { CliError, UsageError } from '../errors.ts';
import type { StudioSession } from '../session.ts';
import { evalSplit } from './eval.ts';

export interface ZeroShotRequest {
  readonly model: string | undefined;
  readonly dataset: string | undefined;
  readonly protocol: string | undefined;
  readonly split: string | undefined;
  /** --prompt TEMPLATE (repeatable) */
  readonly prompts: readonly string[] | undefined;
  /** --templates FILE: one template per line (blank lines and # comments skipped) */
  readonly templatesFile: string | undefined;
  readonly frames: number | undefined;
  readonly seed: number | undefined;
}

export function zeroShotSpec(r: ZeroShotRequest): ZeroShotSpec {
  if (r.dataset === undefined) throw new UsageError('zeroshot needs --dataset ID (see tubelet datasets)');
  if (r.protocol !== undefined && r.protocol !== 'full' && r.protocol !== 'half')
    throw new UsageError(`--protocol must be full or half for zeroshot, got '${r.protocol}'`);
  const templates = [...(r.prompts ?? [])];
  if (r.templatesFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(r.templatesFile, 'utf8');
    } catch {
      throw new UsageError(`cannot read --templates ${r.templatesFile}`);
    }
    templates.push(
      ...text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#')),
    );
  }
  const split = r.split === undefined ? undefined : evalSplit(r.split);
  return {
    kind: 'zeroshot',
    dataset: r.dataset,
    ...(r.model === undefined ? {} : { model: r.model }),
    protocol: r.protocol ?? 'full',
    ...(templates.length ? { templates } : {}),
    ...(split === undefined ? {} : { split }),
    ...(r.frames === undefined ? {} : { frames: r.frames }),
    ...(r.seed === undefined ? {} : { seed: r.seed }),
  };
}

export async function runZeroShot(
  session: StudioSession,
  spec: ZeroShotSpec,
  onEvent: (event: JobEvent) => void,
): Promise<ZeroShotResult> {
  await session.page.exposeFunction('__tubeletZeroShotEvent', onEvent);
  const outcome: Outcome<ZeroShotResult> = await session.page.evaluate(async (s) => {
    const handle = window.__tubelet;
    if (!handle) throw new Error('automation handle missing');
    const w = window as unknown as { __tubeletZeroShotEvent: (e: JobEvent) => void };
    return handle.runJob(s, (e) => {
      w.__tubeletZeroShotEvent(e);
    });
  }, spec);
  if (!outcome.ok) throw new CliError(`zeroshot failed: ${formatError(outcome.error)}`);
  return outcome.value;
}

const pct = (v: number): string => (Number.isNaN(v) ? '—' : `${(100 * v).toFixed(2)} %`);

export function formatZeroShot(r: ZeroShotResult): string {
  const lines = [
    `${r.model}${r.random ? ' (RANDOM WEIGHTS — ' + r.note + ')' : ''} on ${r.dataset}, split ${r.split}, ${r.frames} frames per video, ${r.per_video.length} videos`,
    `  templates: ${r.templates.map((t) => JSON.stringify(t)).join(', ')}`,
    `  full-class (${r.classes.length} classes): top-1 ${pct(r.top1)} · top-5 ${pct(r.top5)} · mean class ${pct(r.mean_class_accuracy)}`,
  ];
  if (r.splits) {
    lines.push(`  half-class, ${r.splits.length} splits: top-1 ${pct(r.mean ?? NaN)} ± ${pct(r.std ?? NaN)}`);
    for (const s of r.splits)
      lines.push(
        `    seed ${s.seed}: ${s.videos} videos of classes [${s.classes.join(', ')}] top-1 ${pct(s.top1)} · top-5 ${pct(s.top5)}`,
      );
  }
  lines.push(`  ${r.seconds.toFixed(1)} s`);
  return lines.join('\n');
}
