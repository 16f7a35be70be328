// Grad-CAM and Grad-CAM++ for zoo models (compute worker or Node): the chosen layer's output is tapped by adding a
// zero probe, so the gradient of the class score w.r.t. the probe is the gradient w.r.t. that activation.
import { tf } from '../../models/tf.ts';
import { type Act, type Module, type RunContext } from '../../models/nn/module.ts';
import type { ZooModel } from '../../models/zoo/zooModel.ts';
import { TubeletError } from '../../shared/errors.ts';
import { normalise01, resizeTrilinear, type Map3D } from './maps.ts';

export type CamMethod = 'gradcam' | 'gradcam++';

export interface CamResult {
  readonly method: CamMethod;
  readonly layer: string;
  readonly classIndex: number;
  /** logits of the clip, f32[numClasses] */
  readonly logits: Float32Array;
  /** the ReLU'd map at the layer's resolution (before upsampling) */
  readonly raw: Map3D;
  /** upsampled to the input clip's T×H×W and min–max normalised to [0, 1] */
  readonly map: Map3D;
}

type Forward = (x: Act, ctx: RunContext) => Act;

/** Named submodules whose output is a 5-D activation (what Grad-CAM can explain), for input [1,T,H,W,C]. */
export function camLayers(
  model: ZooModel,
  input: readonly [number, number, number, number, number],
): string[] {
  const rank5: string[] = [];
  withTaps(
    model,
    (name) => (_x, y) => {
      if (y.shape.length === 5 && !rank5.includes(name)) rank5.push(name);
      return y;
    },
    () => model.macs(input),
  );
  return rank5;
}

function withTaps<R>(
  model: ZooModel,
  tap: (name: string) => (x: Act, y: Act) => Act,
  run: () => R,
  only?: string,
): R {
  const patched: Module[] = [];
  for (const [name, m] of model.namedModules()) {
    if (only !== undefined && name !== only) continue;
    const original: Forward = m.forward.bind(m);
    const t = tap(name);
    Object.defineProperty(m, 'forward', {
      value: ((x, ctx) => t(x, original(x, ctx))) satisfies Forward,
      configurable: true,
      writable: true,
    });
    patched.push(m);
  }
  try {
    return run();
  } finally {
    for (const m of patched) delete (m as { forward?: unknown }).forward;
  }
}

function channelWeights(method: CamMethod, a: tf.Tensor5D, g: tf.Tensor5D): tf.Tensor {
  if (method === 'gradcam') return tf.mean(g, [1, 2, 3], true);
  // Grad-CAM++: α = g² / (2g² + Σ_thw A · g³), weights = Σ_thw α · relu(g)
  const g2 = tf.square(g);
  const g3 = tf.mul(g2, g);
  const sumA = tf.sum(a, [1, 2, 3], true);
  const denom = tf.add(tf.add(tf.mul(2, g2), tf.mul(sumA, g3)), 1e-7);
  // a mask product, not tf.where: webgpu has no rank-5 where
  const alpha = tf.mul(tf.div(g2, denom), tf.cast(tf.notEqual(g, 0), 'float32'));
  return tf.sum(tf.mul(alpha, tf.relu(g)), [1, 2, 3], true);
}

/** Grad-CAM(++) of `layer` for clip x f32[1,T,H,W,C]; `classIndex` defaults to the predicted class. */
export async function gradCam(
  model: ZooModel,
  x: tf.Tensor5D,
  opts: { layer: string; method?: CamMethod; classIndex?: number },
): Promise<CamResult> {
  const method = opts.method ?? 'gradcam';
  const [n, t, h, w, c] = x.shape;
  if (n !== 1) throw new TubeletError('INVALID_ARGUMENT', `explain takes one clip, got a batch of ${n}`);
  if (!model.namedModules().some(([name]) => name === opts.layer))
    throw new TubeletError('INVALID_ARGUMENT', `${model.name} has no layer '${opts.layer}'`, {
      hint: `choose one of: ${camLayers(model, [1, t, h, w, c]).join(', ')}`,
    });
  let shape: number[] = [];
  withTaps(
    model,
    () => (_x, y) => ((shape = y.shape), y),
    () => model.macs([1, t, h, w, c]),
    opts.layer,
  );
  if (shape.length !== 5)
    throw new TubeletError(
      'INVALID_ARGUMENT',
      `layer '${opts.layer}' output is not 5-D: [${shape.join(', ')}]`,
    );
  const logitsT = model.forward(x, { training: false });
  const logits = new Float32Array(await logitsT.data());
  logitsT.dispose();
  const classIndex =
    opts.classIndex ?? logits.reduce((best, v, i) => (v > (logits[best] ?? -Infinity) ? i : best), 0);
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= logits.length)
    throw new TubeletError('INVALID_ARGUMENT', `class ${classIndex} outside 0…${logits.length - 1}`);

  const probe = tf.zeros(shape);
  let act: tf.Tensor5D | null = null;
  const score = (p: tf.Tensor): tf.Scalar =>
    withTaps(
      model,
      () => (_x, y) => {
        const yt = y as tf.Tensor5D;
        act = tf.keep(yt.clone());
        return tf.add(yt, p);
      },
      () => {
        const out = model.forward(x, { training: false });
        return tf.reshape<tf.Rank.R0>(tf.slice(out, [0, classIndex], [1, 1]), []);
      },
      opts.layer,
    );
  const grad = tf.grad(score)(probe) as tf.Tensor5D;
  probe.dispose();
  const a = act as tf.Tensor5D | null;
  if (a === null) throw new TubeletError('INTERNAL', `layer '${opts.layer}' did not run`);
  const camT = tf.tidy(() => tf.relu(tf.sum(tf.mul(channelWeights(method, a, grad), a), 4)));
  const data = new Float32Array(await camT.data());
  tf.dispose([camT, grad, a]);
  const raw: Map3D = { t: shape[1] ?? 1, h: shape[2] ?? 1, w: shape[3] ?? 1, data };
  const up = resizeTrilinear(raw, t, h, w);
  return { method, layer: opts.layer, classIndex, logits, raw, map: { ...up, data: normalise01(up.data) } };
}
