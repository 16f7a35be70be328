// `tubelet toy`: creates the built-in Toy Actions dataset in the studio (or finds it complete) through the
// automation handle and prints a summary (Node).
import type { JobEvent, ToyActionsResult } from '../../src/shared/protocol.ts';
import type { Outcome } from '../../src/client/automation.ts';
import { formatError } from '../../src/shared/errors.ts';
import { CliError } from '../errors.ts';
import type { StudioSession } from '../session.ts';

/** What `tubelet toy --json` prints: one object, snake_case like the other dataset commands. */
export interface ToyOutput {
  readonly dataset: string;
  readonly name: string;
  readonly videos: number;
  readonly classes: number;
  readonly class_names: readonly string[];
  readonly splits: ToyActionsResult['splits'];
  readonly frames: number;
  readonly bytes: number;
  readonly encoded_bytes: number;
  readonly containers: ToyActionsResult['containers'];
  /** Videos created by this call (0 when the dataset was already complete). */
  readonly created: number;
  readonly seconds: number;
}

export async function toy(session: StudioSession, onEvent: (event: JobEvent) => void): Promise<ToyOutput> {
  await session.page.exposeFunction('__tubeletToyEvent', onEvent);
  const outcome: Outcome<ToyActionsResult> = await session.page.evaluate(async () => {
    const handle = window.__tubelet;
    if (!handle) throw new Error('automation handle missing');
    const relay = (window as unknown as { __tubeletToyEvent: (e: JobEvent) => void }).__tubeletToyEvent;
    return handle.runJob({ kind: 'toy-actions' }, (e) => {
      relay(e);
    });
  });
  if (!outcome.ok) throw new CliError(`toy failed: ${formatError(outcome.error)}`);
  const r = outcome.value;
  return {
    dataset: r.dataset,
    name: r.name,
    videos: r.videos,
    classes: r.classes.length,
    class_names: r.classes,
    splits: r.splits,
    frames: r.frames,
    bytes: r.bytes,
    encoded_bytes: r.encodedBytes,
    containers: r.containers,
    created: r.created,
    seconds: Math.round(r.seconds * 100) / 100,
  };
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export function formatToy(r: ToyOutput): string {
  const made = r.created === 0 ? 'already stored' : `${r.created} videos created`;
  const containers = Object.entries(r.containers)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return [
    `${r.name} (${r.dataset}): ${made} in ${r.seconds.toFixed(1)} s`,
    `  ${r.videos} videos (${containers}), ${r.classes} classes: ${r.class_names.join(', ')}`,
    `  splits: train ${r.splits.train}, val ${r.splits.val}, test ${r.splits.test}`,
    `  ${r.frames} frames stored, ${mb(r.bytes)}${r.encoded_bytes > 0 ? `; ${mb(r.encoded_bytes)} encoded` : ''}`,
  ].join('\n');
}
