// Test helper (compute worker or Node): one forward+backward of a zoo model in training mode, summarised so that
// tests on every backend can check gradients reach every parameter and BN running statistics move.
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import type { ZooModel } from './zooModel.ts';

export interface StepSummary {
  readonly loss: number;
  /** parameters whose gradient is not finite */
  readonly nonFinite: readonly string[];
  /** parameters whose gradient is exactly zero everywhere */
  readonly zero: readonly string[];
  readonly gradCount: number;
  /** how many BN running_mean buffers changed */
  readonly runningMeansChanged: number;
  readonly runningMeans: number;
  /** tensors alive after the step minus before (0: nothing leaked) */
  readonly leaked: number;
}

/** Cross-entropy of random labels on x f32[N,T,H,W,3] ~ N(0, 1) (seeded); gradients w.r.t. every parameter. */
export async function trainingStepSummary(
  model: ZooModel,
  input: readonly [number, number, number, number],
  seed: number,
): Promise<StepSummary> {
  const [n, t, h, w] = input;
  const rng = new Rng(seed);
  const x = tf.tensor5d(
    Float32Array.from({ length: n * t * h * w * 3 }, () => rng.normal()),
    [n, t, h, w, 3],
  );
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: n }, () => rng.int(model.numClasses)),
      'int32',
    ),
    model.numClasses,
  );
  const means = [...model.buffers()].filter(([k]) => k.endsWith('running_mean')).map(([, v]) => v);
  const meansBefore = await Promise.all(means.map((v) => v.data()));
  const params = model.parameters();
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(labels, model.forward(x, { training: true })),
    [...params.values()],
  );
  const nonFinite: string[] = [];
  const zero: string[] = [];
  for (const [name, v] of params) {
    const g = grads[v.name];
    if (!g) {
      nonFinite.push(`${name} (no gradient)`);
      continue;
    }
    const values = await g.data();
    if (!values.every(Number.isFinite)) nonFinite.push(name);
    else if (values.every((e) => e === 0)) zero.push(name);
  }
  const loss = (await value.data())[0] ?? NaN;
  tf.dispose([value, ...Object.values(grads)]);
  const leaked = tf.memory().numTensors - before;
  const meansAfter = await Promise.all(means.map((v) => v.data()));
  const runningMeansChanged = meansAfter.filter((a, i) => a.some((e, j) => e !== meansBefore[i]?.[j])).length;
  tf.dispose([x, labels]);
  return {
    loss,
    nonFinite,
    zero,
    gradCount: Object.keys(grads).length,
    runningMeansChanged,
    runningMeans: means.length,
    leaked,
  };
}

/** Loss and every parameter's gradient (by PyTorch name) of one training-mode step; x, labels seeded. */
export async function lossAndGrads(
  model: ZooModel,
  input: readonly [number, number, number, number],
  seed: number,
): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  const [n, t, h, w] = input;
  const rng = new Rng(seed);
  const x = tf.tensor5d(
    Float32Array.from({ length: n * t * h * w * 3 }, () => rng.normal()),
    [n, t, h, w, 3],
  );
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: n }, () => rng.int(model.numClasses)),
      'int32',
    ),
    model.numClasses,
  );
  const params = model.parameters();
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(labels, model.forward(x, { training: true })),
    [...params.values()],
  );
  const out = new Map<string, Float32Array>();
  for (const [name, v] of params) {
    const g = grads[v.name];
    if (g) out.set(name, (await g.data()) as Float32Array);
  }
  const loss = (await value.data())[0] ?? NaN;
  tf.dispose([value, x, labels, ...Object.values(grads)]);
  return { loss, grads: out };
}
