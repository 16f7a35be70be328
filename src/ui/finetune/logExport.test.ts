// Log export: JSON Lines round-trip every record; CSV has one row per record with fixed columns.
import { describe, expect, it } from 'vitest';
import type { TrainRecord } from '../../shared/training.ts';
import { CSV_COLUMNS, recordsToCsv, recordsToJsonl } from './logExport.ts';

const records: TrainRecord[] = [
  {
    type: 'step',
    epoch: 0,
    step: 1,
    loss: 2.5,
    lr: 0.001,
    gradNorm: 3,
    clipsPerSec: 4,
    readMs: 5,
    forwardMs: 6,
    backwardMs: 7,
    optimizerMs: 8,
  },
  {
    type: 'step',
    epoch: 0,
    step: 2,
    loss: 2,
    lr: 0.001,
    gradNorm: 2,
    trainTop1: 0.25,
    trainTop5: 0.75,
    clipsPerSec: 4,
    readMs: 5,
    forwardMs: 6,
    backwardMs: 7,
    optimizerMs: 8,
  },
  { type: 'epoch', epoch: 0, steps: 1, trainLoss: 2.5, val: null, seconds: 9 },
  {
    type: 'epoch',
    epoch: 1,
    steps: 1,
    trainLoss: 2,
    val: { count: 4, top1: 0.5, top5: 1, meanClassAccuracy: 0.25, loss: 1.5 },
    seconds: 3,
  },
];

describe('log export', () => {
  it('writes one JSON record per line', () => {
    const text = recordsToJsonl(records);
    expect(text.endsWith('\n')).toBe(true);
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual(records);
    expect(recordsToJsonl([])).toBe('');
  });

  it('writes CSV with a header and blank cells where a column does not apply', () => {
    const lines = recordsToCsv(records).trim().split('\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    // a step stored before train accuracy was measured leaves train_top1/train_top5 blank
    expect(lines[1]).toBe('step,0,1,2.5,0.001,3,4,5,6,7,8,,,,,,,,');
    expect(lines[2]).toBe('step,0,2,2,0.001,2,4,5,6,7,8,,,,,,,0.25,0.75');
    expect(lines[3]).toBe('epoch,0,1,,,,,,,,,2.5,,,,,9,,');
    expect(lines[4]).toBe('epoch,1,1,,,,,,,,,2,1.5,0.5,1,0.25,3,,');
  });
});
