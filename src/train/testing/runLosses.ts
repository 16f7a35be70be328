// TEST-ONLY: drive a TrainingRun and collect its step losses, stopping (resumably) after a given step.
import type { TrainingRun } from '../run.ts';

/** Trains `run` until it ends or its last step reaches `stopAfterStep`; returns the step losses in order. */
export async function lossesOf(run: TrainingRun, stopAfterStep = Infinity): Promise<number[]> {
  const out: number[] = [];
  let last = 0;
  await run.train({
    onRecord: (r) => {
      if (r.type === 'step') {
        out.push(r.loss);
        last = r.step;
      }
    },
    shouldStop: () => last >= stopAfterStep,
  });
  return out;
}

/** Disposes a run and its model. */
export function finish(run: TrainingRun): void {
  run.dispose();
  run.trainer.model.dispose();
}
