// One r3d_18 training step for the GPU benchmark against PyTorch (Node + Dawn, scripts/gpu-bench.mjs; any TF.js
// backend): random clips and labels, forward, cross-entropy, backward and an SGD (momentum 0.9) update through the
// loop's own Optimizer, plus the Finetune panel's memory estimate for the same batch and clip.
import { Rng } from '../shared/random.ts';
import { memoryEstimate } from '../shared/memoryEstimate.ts';
import type { TrainConfig } from '../shared/trainConfig.ts';
import { buildModel } from '../models/zoo/registry.ts';
import { tf } from '../models/tf.ts';
import { Optimizer } from './optimizers.ts';
import { trainPreset } from './presets.ts';

export interface TrainStepBench {
  /** Enqueues one step (the caller waits for the GPU). */
  readonly step: () => void;
  /** The Finetune panel's estimate of the bytes this step keeps on the GPU. */
  readonly estimateBytes: number;
  readonly dispose: () => void;
}

/** r3d_18 with `classes` outputs on x f32[batch, clip, size, size, 3] ~ U(−1, 1), seeded. */
export function r3dTrainStep(batch: number, clip: number, size: number, classes: number): TrainStepBench {
  const model = buildModel('r3d_18', { numClasses: classes, seed: 3 });
  const rng = new Rng(9);
  const x = tf.tensor5d(rng.float32(batch * clip * size * size * 3, -1, 1), [batch, clip, size, size, 3]);
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, () => rng.int(classes)),
      'int32',
    ),
    classes,
  );
  const params = [...model.parameters()].map(([name, variable]) => ({ name, variable }));
  const byVariable = new Map(params.map((p) => [p.variable.name, p.name]));
  const optimizer = new Optimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 }, params);
  const config: TrainConfig = {
    ...trainPreset('fgkvmempred-ucf101-finetune-r3d18-16x4-112'),
    batchSize: batch,
    data: { clipLen: clip, frameInterval: 4, numClips: 1, temporalJitter: false, cropSize: size },
    optimizer: { kind: 'sgd', lr: 0.01, momentum: 0.9, nesterov: false, weightDecay: 1e-4 },
  };
  const one = [1, clip, size, size, 3] as const;
  const cost = { params: model.paramCount(), macs: model.macs(one), convOutputs: model.convOutputs(one) };
  return {
    step: () => {
      const { value, grads } = tf.variableGrads(
        () =>
          tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(labels, model.forward(x, { training: true })),
        params.map((p) => p.variable),
      );
      const named: Record<string, tf.Tensor> = {};
      for (const [varName, g] of Object.entries(grads)) named[byVariable.get(varName) ?? varName] = g;
      optimizer.apply(named, 0.01);
      tf.dispose([value, ...Object.values(grads)]);
    },
    estimateBytes: memoryEstimate(config, cost).total,
    dispose: () => {
      tf.dispose([x, labels]);
      model.dispose();
    },
  };
}
