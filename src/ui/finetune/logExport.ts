// Training logs as files (pure; main thread): JSON Lines (one record per line, as `tubelet train --json`
// streams them) and CSV (one row per record, step and epoch columns side by side; columns added later go last).
import type { TrainRecord } from '../../shared/training.ts';

export function recordsToJsonl(records: readonly TrainRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

export const CSV_COLUMNS = [
  'type',
  'epoch',
  'step',
  'loss',
  'lr',
  'grad_norm',
  'clips_per_s',
  'read_ms',
  'forward_ms',
  'backward_ms',
  'optimizer_ms',
  'train_loss',
  'val_loss',
  'val_top1',
  'val_top5',
  'val_mean_class',
  'seconds',
  'train_top1',
  'train_top5',
] as const;

type Row = Partial<Record<(typeof CSV_COLUMNS)[number], string | number>>;

function row(r: TrainRecord): Row {
  if (r.type === 'step') {
    return {
      type: 'step',
      epoch: r.epoch,
      step: r.step,
      loss: r.loss,
      lr: r.lr,
      grad_norm: r.gradNorm,
      clips_per_s: r.clipsPerSec,
      read_ms: r.readMs,
      forward_ms: r.forwardMs,
      backward_ms: r.backwardMs,
      optimizer_ms: r.optimizerMs,
      // absent in records stored before train accuracy was measured: blank cells
      ...(r.trainTop1 === undefined ? {} : { train_top1: r.trainTop1 }),
      ...(r.trainTop5 === undefined ? {} : { train_top5: r.trainTop5 }),
    };
  }
  return {
    type: 'epoch',
    epoch: r.epoch,
    step: r.steps,
    train_loss: r.trainLoss,
    seconds: r.seconds,
    ...(r.val
      ? {
          val_loss: r.val.loss,
          val_top1: r.val.top1,
          val_top5: r.val.top5,
          val_mean_class: r.val.meanClassAccuracy,
        }
      : {}),
  };
}

/** CSV with a header row; empty cells where a column does not apply (epoch `step` is the epoch's step count). */
export function recordsToCsv(records: readonly TrainRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of records) {
    const cells = row(r);
    lines.push(CSV_COLUMNS.map((c) => (cells[c] === undefined ? '' : String(cells[c]))).join(','));
  }
  return `${lines.join('\n')}\n`;
}
