// Memory and epoch-time estimates, checked against hand-worked numbers.
import { describe, expect, it } from 'vitest';
import type { TrainConfig } from '../../shared/trainConfig.ts';
import { epochTime, memoryEstimate, optimizerSlots } from './estimate.ts';

const base = {
  data: { clipLen: 4, frameInterval: 1, numClips: 2, temporalJitter: false, cropSize: 10 },
  batchSize: 3,
  gradAccumSteps: 1,
  optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 },
} as unknown as TrainConfig;

describe('estimates', () => {
  it('counts weights, gradients, optimizer slots and activations', () => {
    const m = memoryEstimate(base, { params: 1000, macs: 0, convOutputs: 500 });
    expect(m.weights).toBe(4000);
    expect(m.gradients).toBe(4000);
    expect(m.optimizer).toBe(4000); // one momentum slot
    // 3 clips × 500 outputs × 3 kept × 4 B + input 3 × (4·2) × 10 × 10 × 3 × 4 B × 2 (raw and augmented)
    expect(m.activations).toBe(3 * 500 * 3 * 4 + 3 * 8 * 100 * 3 * 4 * 2);
    expect(m.total).toBe(m.weights + m.gradients + m.optimizer + m.activations);
    const adam = { ...base, gradAccumSteps: 2, optimizer: { kind: 'adamw' } } as unknown as TrainConfig;
    expect(memoryEstimate(adam, { params: 1000, macs: 0, convOutputs: 0 })).toMatchObject({
      gradients: 8000,
      optimizer: 8000,
    });
    expect(optimizerSlots({ kind: 'sgd', lr: 1, momentum: 0, nesterov: false, weightDecay: 0 })).toBe(0);
  });

  it('times an epoch of full batches at the given clips/s, or says it cannot', () => {
    const t = epochTime(base, 20, 2, { kind: 'stored', run: 'r' });
    expect(t.steps).toBe(6); // 20 clips, batches of 3, last partial batch dropped
    expect(t.seconds).toBe(9); // 18 clips at 2 clips/s
    expect(epochTime(base, 20, null, { kind: 'none' }).seconds).toBeNull();
  });
});
