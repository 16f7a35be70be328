import { describe, expect, it } from 'vitest';
import { summariseEpoch } from './commands/benchTrain.ts';
import type { StepRecord } from '../src/shared/training.ts';

const step = (i: number, readMs: number, forwardMs: number, backwardMs: number): StepRecord => ({
  type: 'step',
  epoch: 0,
  step: i + 1,
  loss: 1,
  lr: 0.1,
  gradNorm: 1,
  clipsPerSec: 0,
  readMs,
  forwardMs,
  backwardMs,
  optimizerMs: 10,
});

describe('bench train summary', () => {
  it('drops two warm-up steps, takes medians and splits read from compute', () => {
    // two slow warm-up steps, then reading 100 ms and computing 400 ms per batch of 8
    const steps = [step(0, 5000, 9000, 9000), step(1, 3000, 50, 9000)];
    for (let i = 2; i < 12; i++) steps.push(step(i, i === 5 ? 900 : 100, 40, 350));
    const s = summariseEpoch(steps, 8);
    expect(s.steps).toBe(12);
    expect(s.read_ms).toBe(100);
    expect(s.forward_ms).toBe(40);
    expect(s.backward_ms).toBe(350);
    expect(s.read_clips_per_s).toBe(80);
    expect(s.compute_clips_per_s).toBe(20);
    expect(s.read_share).toBe(0.2);
    // over the timed steps: 10 batches of 8 in 10 × 500 ms + 800 ms for the slow read
    expect(s.clips_per_s).toBeCloseTo(80 / 5.8, 2);
  });
});
