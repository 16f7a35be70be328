// The toy-actions job (compute worker): builds the built-in Toy Actions dataset with progress. Builds run one
// at a time (the first-start build and `tubelet toy` may ask together); a later one finds the work done.
import type { ToyActionsResult, ToyActionsSpec } from '../shared/protocol.ts';
import { buildToyActions } from '../data/toy/build.ts';
import { DEFAULT_TOY_CONFIG, type ToyConfig } from '../data/toy/classes.ts';
import type { JobContext } from './jobs.ts';

let queue: Promise<unknown> = Promise.resolve();

export function toyConfigOf(spec: ToyActionsSpec): ToyConfig {
  const d = DEFAULT_TOY_CONFIG;
  return {
    seed: spec.seed ?? d.seed,
    size: spec.size ?? d.size,
    frames: spec.frames ?? d.frames,
    fps: spec.fps ?? d.fps,
    perClass: spec.perClass ?? d.perClass,
  };
}

export function runToyActions(spec: ToyActionsSpec, job: JobContext): Promise<ToyActionsResult> {
  const config = toyConfigOf(spec);
  const run = queue.then(() => {
    job.checkpoint();
    return buildToyActions(config, {
      signal: job.signal,
      onProgress: (stage, done, total) => {
        job.progress(stage, done, total);
      },
    });
  });
  queue = run.catch(() => undefined);
  return run;
}
