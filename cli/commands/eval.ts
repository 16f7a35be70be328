// `tubelet eval` and `tubelet evals` (Node): run the eval job in the studio's worker (progress per video on stderr)
// and print its metrics, or list the stored evaluations. --json prints the documented fields only.
import type { Outcome } from '../../src/client/automation.ts';
import { formatError } from '../../src/shared/errors.ts';
import type {
  EvalAverage,
  EvalResult,
  EvalSpec,
  JobEvent,
  StoredEvalSummary,
} from '../../src/shared/protocol.ts';
import { CliError, UsageError } from '../errors.ts';
import type { StudioSession } from '../session.ts';

const AVERAGES: readonly EvalAverage[] = ['score', 'prob', 'none', 'sum', 'max'];

export interface EvalRequest {
  readonly model: string | undefined;
  readonly dataset: string | undefined;
  readonly protocol: string | undefined;
  readonly views: string | undefined;
  readonly average: string | undefined;
  readonly split: string | undefined;
  readonly checkpoint: string | undefined;
  readonly run: string | undefined;
  readonly clipLen?: number | undefined;
  readonly interval?: number | undefined;
  readonly cropSize?: number | undefined;
}

/** --split test|val|N|all|TAG → the split tag the worker filters on ('test1', 'val1', 'all', …); undefined = preset's. */
export function evalSplit(split: string | undefined): string | undefined {
  if (split === undefined) return undefined;
  if (/^[123]$/.test(split)) return `test${split}`;
  if (split === 'test' || split === 'val') return `${split}1`;
  if (split === 'all' || /^(train|test|val)[123]$/.test(split)) return split;
  throw new UsageError(`--split must be test, val, 1, 2, 3, all or a tag such as test2, got '${split}'`);
}

export function evalSpec(r: EvalRequest): EvalSpec {
  if (r.model === undefined) throw new UsageError('eval needs --model NAME');
  if (r.dataset === undefined) throw new UsageError('eval needs --dataset ID (see tubelet datasets)');
  if (r.checkpoint !== undefined || r.run !== undefined) {
    throw new UsageError(
      'eval --checkpoint/--run is not supported yet: export the run and import it as a model',
    );
  }
  if (r.protocol !== undefined && r.views !== undefined) {
    throw new UsageError('pass --protocol NAME or --views CLIPSxCROPS, not both');
  }
  if (r.average !== undefined && !(AVERAGES as readonly string[]).includes(r.average)) {
    throw new UsageError(`--average must be one of ${AVERAGES.join(', ')}, got '${r.average}'`);
  }
  const split = evalSplit(r.split);
  return {
    kind: 'eval',
    model: r.model,
    dataset: r.dataset,
    protocol: r.protocol ?? (r.views === undefined ? 'single-view' : 'custom'),
    ...(r.views === undefined ? {} : { views: r.views }),
    ...(r.average === undefined ? {} : { average: r.average as EvalAverage }),
    ...(split === undefined ? {} : { split }),
    ...(r.clipLen === undefined ? {} : { clipLen: r.clipLen }),
    ...(r.interval === undefined ? {} : { frameInterval: r.interval }),
    ...(r.cropSize === undefined ? {} : { cropSize: r.cropSize }),
  };
}

export async function runEval(
  session: StudioSession,
  spec: EvalSpec,
  onEvent: (event: JobEvent) => void,
): Promise<EvalResult> {
  await session.page.exposeFunction('__tubeletEvalEvent', onEvent);
  const outcome: Outcome<EvalResult> = await session.page.evaluate(async (s) => {
    const handle = window.__tubelet;
    if (!handle) throw new Error('automation handle missing');
    const w = window as unknown as { __tubeletEvalEvent: (e: JobEvent) => void };
    return handle.runJob(s, (e) => {
      w.__tubeletEvalEvent(e);
    });
  }, spec);
  if (!outcome.ok) throw new CliError(`eval failed: ${formatError(outcome.error)}`);
  return outcome.value;
}

/** The documented `tubelet eval --json` object. */
export function evalJson(r: EvalResult): Record<string, unknown> {
  return {
    id: r.id,
    model: r.model,
    dataset: r.dataset,
    top1: r.top1,
    top5: r.top5,
    mean_class_accuracy: r.mean_class_accuracy,
    confusion: r.confusion,
    per_class: r.per_class,
    per_video: r.per_video,
    protocol: r.protocol,
    classes: r.classes,
    scored: r.scored,
    resumed: r.resumed,
    seconds: r.seconds,
  };
}

const pct = (v: number | null): string => (v === null || Number.isNaN(v) ? '—' : `${(100 * v).toFixed(2)} %`);

export function formatEval(r: EvalResult): string {
  const p = r.protocol;
  return [
    `${r.model} on ${r.dataset} (${p.name}, split ${p.split ?? 'all'}): ${r.per_video.length} videos × ${p.viewsPerVideo} views (${p.numClips} clips × ${p.crop}, ${p.clipLen}×${p.frameInterval}, crop ${p.cropSize}, average ${p.average})`,
    `  top-1 ${pct(r.top1)} · top-5 ${pct(r.top5)} · mean class ${pct(r.mean_class_accuracy)} · ${r.seconds.toFixed(1)} s (${r.scored} scored, ${r.resumed} resumed)`,
    ...r.per_class.map((a, c) => `  ${(r.classes[c] ?? String(c)).padEnd(24)} ${pct(a)}`),
  ].join('\n');
}

export async function listEvals(session: StudioSession): Promise<readonly StoredEvalSummary[]> {
  const outcome: Outcome<readonly StoredEvalSummary[]> = await session.page.evaluate(async () => {
    const handle = window.__tubelet;
    if (!handle) throw new Error('automation handle missing');
    return handle.runJob({ kind: 'list-evals' });
  });
  if (!outcome.ok) throw new CliError(`evals failed: ${formatError(outcome.error)}`);
  return outcome.value;
}

export function formatEvals(list: readonly StoredEvalSummary[]): string {
  if (list.length === 0) return 'No evaluations stored (run one with `tubelet eval`).';
  return [
    '| model | dataset | protocol | split | status | videos | top-1 | top-5 | mean class |',
    '| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: |',
    ...list.map(
      (e) =>
        `| ${e.model} | ${e.dataset} | ${e.protocol} | ${e.split ?? 'all'} | ${e.status} | ${e.videosDone}/${e.videosTotal} | ${pct(e.top1)} | ${pct(e.top5)} | ${pct(e.meanClassAccuracy)} |`,
    ),
  ].join('\n');
}
