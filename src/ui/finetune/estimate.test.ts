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

  it('uses the multigrid run’s mean steps per epoch and its peak B·T·S²', () => {
    const grid = {
      ...base,
      data: { ...base.data, clipLen: 8, numClips: 1, cropSize: 28 },
      batchSize: 8,
      epochs: 10,
      schedule: {
        warmupEpochs: 0,
        warmupStartFactor: 1,
        decay: { kind: 'multistep', milestones: [6, 8], gamma: 0.1 },
      },
      multigrid: {
        longCycle: false,
        shortCycle: true,
        longCycleFactors: [[1, 1]],
        shortCycleFactors: [0.5, Math.SQRT1_2],
        epochFactor: 1.5,
      },
    } as unknown as TrainConfig;
    // short cycle: batches 32, 16, 8 at crops 14, 20, 28; 100 clips → 32+16+8+32 = 88 → 4 steps in each of 15 epochs
    const t = epochTime(grid, 100, 2, { kind: 'stored', run: 'r' });
    expect(t.steps).toBe(4);
    expect(t.seconds).toBe(16); // 4 steps × 8 default-shape clips at 2 clips/s
    // peak B·T·S²: 16·8·20² = 51200 against the default 8·8·28² = 50176
    const plainConfig: TrainConfig = { ...grid };
    delete plainConfig.multigrid;
    const plain = memoryEstimate(plainConfig, { params: 0, macs: 0, convOutputs: 100 });
    const m = memoryEstimate(grid, { params: 0, macs: 0, convOutputs: 100 });
    expect(m.activations / plain.activations).toBeCloseTo(51200 / 50176, 10);
  });
});
