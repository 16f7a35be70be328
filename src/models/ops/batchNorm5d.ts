// Training-mode BatchNorm for f32[N,D,H,W,C] as a differentiable TF.js op (compute worker): kernels
// 'TubeletBatchNorm5dTrain' and '…Grad' on webgpu (our WGSL passes via hogInterop) and cpu (the f64 references),
// a registered gradient, and the conv+BN folding helper for export.
import { tf } from '../tf.ts';
import {
  encodeBatchNorm5dBackward,
  encodeBatchNorm5dForward,
  type Bn5dDims,
} from '../../gpu/kernels/batchnorm5d/batchnorm5d.ts';
import {
  batchNorm5dBackwardRef,
  batchNorm5dForwardRef,
} from '../../gpu/kernels/batchnorm5d/batchnorm5d.ref.ts';
import {
  asWebGpuBackend,
  gpuBufferOf,
  readCpu,
  submitOnTfDevice,
  tfOwnedOutput,
  writeCpu,
} from './hogInterop.ts';

export { foldBatchNorm, type BatchNormStats, type FoldedConv } from '../../gpu/kernels/batchnorm5d/fold.ts';

export const BN5D_TRAIN_KERNEL = 'TubeletBatchNorm5dTrain';
export const BN5D_GRAD_KERNEL = 'TubeletBatchNorm5dTrainGrad';

const FORWARD_INPUTS = ['x', 'gamma', 'beta', 'runningMean', 'runningVar'] as const;
const GRAD_INPUTS = ['dy', 'x', 'mean', 'variance', 'gamma', 'dmean', 'dvar'] as const;

type Infos<K extends string> = Record<K, tf.TensorInfo>;

function pick<K extends string>(
  inputs: tf.NamedTensorInfoMap,
  names: readonly K[],
  kernel: string,
): Infos<K> {
  const out = {} as Infos<K>;
  for (const name of names) {
    const t = inputs[name];
    if (!t) throw new Error(`${kernel}: missing input ${name}`);
    out[name] = t;
  }
  return out;
}

function dimsOf(x: tf.TensorInfo): Bn5dDims {
  const channels = x.shape[x.shape.length - 1] ?? 0;
  return { rows: x.shape.reduce((a, b) => a * b, 1) / Math.max(channels, 1), channels };
}

function numberAttr(attrs: tf.NamedAttrMap | undefined, name: string): number {
  const v = attrs?.[name];
  if (typeof v !== 'number') throw new TypeError(`batchNorm5d: attribute ${name} must be a number`);
  return v;
}

const forwardWebGpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = asWebGpuBackend(backend);
  if (!gpu) throw new Error(`${BN5D_TRAIN_KERNEL}: not the webgpu backend`);
  const t = pick(inputs, FORWARD_INPUTS, BN5D_TRAIN_KERNEL);
  const dims = dimsOf(t.x);
  const buf = {
    x: gpuBufferOf(gpu, t.x),
    gamma: gpuBufferOf(gpu, t.gamma),
    beta: gpuBufferOf(gpu, t.beta),
    runningMean: gpuBufferOf(gpu, t.runningMean),
    runningVar: gpuBufferOf(gpu, t.runningVar),
  };
  const perChannel = [dims.channels];
  const [y, mean, variance, newRunningMean, newRunningVar] = [
    t.x.shape,
    ...Array<number[]>(4).fill(perChannel),
  ].map((shape) => tfOwnedOutput(gpu, shape));
  if (!y || !mean || !variance || !newRunningMean || !newRunningVar) throw new Error('unreachable');
  submitOnTfDevice(gpu, BN5D_TRAIN_KERNEL, (device, encoder) => {
    const outputs = {
      y: y.buffer,
      mean: mean.buffer,
      variance: variance.buffer,
      newRunningMean: newRunningMean.buffer,
      newRunningVar: newRunningVar.buffer,
    };
    const eps = numberAttr(attrs, 'eps');
    const momentum = numberAttr(attrs, 'momentum');
    return encodeBatchNorm5dForward(device, encoder, buf, dims, { eps, momentum, outputs, label: 'bn5d' })
      .temporaries;
  });
  return [y.info, mean.info, variance.info, newRunningMean.info, newRunningVar.info];
};

const forwardCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const t = pick(inputs, FORWARD_INPUTS, BN5D_TRAIN_KERNEL);
  const dims = dimsOf(t.x);
  const read = (name: (typeof FORWARD_INPUTS)[number]): Float32Array => readCpu(backend, t[name]);
  const r = batchNorm5dForwardRef(
    read('x'),
    read('gamma'),
    read('beta'),
    read('runningMean'),
    read('runningVar'),
    dims,
    {
      eps: numberAttr(attrs, 'eps'),
      momentum: numberAttr(attrs, 'momentum'),
    },
  );
  const c = [dims.channels];
  return [
    writeCpu(backend, r.y, t.x.shape),
    writeCpu(backend, r.mean, c),
    writeCpu(backend, r.variance, c),
    writeCpu(backend, r.newRunningMean, c),
    writeCpu(backend, r.newRunningVar, c),
  ];
};

const gradWebGpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = asWebGpuBackend(backend);
  if (!gpu) throw new Error(`${BN5D_GRAD_KERNEL}: not the webgpu backend`);
  const t = pick(inputs, GRAD_INPUTS, BN5D_GRAD_KERNEL);
  const dims = dimsOf(t.x);
  const buf = {
    dy: gpuBufferOf(gpu, t.dy),
    x: gpuBufferOf(gpu, t.x),
    mean: gpuBufferOf(gpu, t.mean),
    variance: gpuBufferOf(gpu, t.variance),
    gamma: gpuBufferOf(gpu, t.gamma),
    dmean: gpuBufferOf(gpu, t.dmean),
    dvar: gpuBufferOf(gpu, t.dvar),
  };
  const dx = tfOwnedOutput(gpu, t.x.shape);
  const dgamma = tfOwnedOutput(gpu, [dims.channels]);
  const dbeta = tfOwnedOutput(gpu, [dims.channels]);
  submitOnTfDevice(gpu, BN5D_GRAD_KERNEL, (device, encoder) => {
    const outputs = { dx: dx.buffer, dgamma: dgamma.buffer, dbeta: dbeta.buffer };
    const eps = numberAttr(attrs, 'eps');
    return encodeBatchNorm5dBackward(device, encoder, buf, dims, { eps, outputs, label: 'bn5d:grad' })
      .temporaries;
  });
  return [dx.info, dgamma.info, dbeta.info];
};

const gradCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const t = pick(inputs, GRAD_INPUTS, BN5D_GRAD_KERNEL);
  const dims = dimsOf(t.x);
  const read = (name: (typeof GRAD_INPUTS)[number]): Float32Array => readCpu(backend, t[name]);
  const eps = numberAttr(attrs, 'eps');
  const r = batchNorm5dBackwardRef(
    read('dy'),
    read('x'),
    read('mean'),
    read('variance'),
    read('gamma'),
    dims,
    eps,
    read('dmean'),
    read('dvar'),
  );
  const c = [dims.channels];
  return [writeCpu(backend, r.dx, t.x.shape), writeCpu(backend, r.dgamma, c), writeCpu(backend, r.dbeta, c)];
};

/** Gradient of the forward kernel: dys = [dy, dmean, dvariance, ·, ·]; running statistics get zero gradient. */
const gradConfig: tf.GradConfig = {
  kernelName: BN5D_TRAIN_KERNEL,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true, false, false],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dmean, dvar] = dys as tf.Tensor[];
    const [x, gamma, mean, variance] = saved;
    if (!dy || !dmean || !dvar || !x || !gamma || !mean || !variance) {
      throw new Error(`${BN5D_TRAIN_KERNEL} gradient: missing saved tensors or dys`);
    }
    const grads = tf
      .engine()
      .runKernel<tf.Tensor[]>(
        BN5D_GRAD_KERNEL,
        { dy, x, mean, variance, gamma, dmean, dvar },
        { eps: attrs.eps ?? 0 },
      );
    const [dx, dgamma, dbeta] = grads;
    if (!dx || !dgamma || !dbeta) throw new Error(`${BN5D_GRAD_KERNEL}: expected three outputs`);
    return {
      x: () => dx,
      gamma: () => dgamma,
      beta: () => dbeta,
      runningMean: () => tf.zerosLike(gamma),
      runningVar: () => tf.zerosLike(gamma),
    };
  },
};

let registered = false;

/** Registers both kernels for webgpu and cpu, and the gradient (idempotent; batchNorm5dTrain calls it). */
export function registerBatchNorm5dKernels(): void {
  if (registered) return;
  tf.registerKernel({ kernelName: BN5D_TRAIN_KERNEL, backendName: 'webgpu', kernelFunc: forwardWebGpu });
  tf.registerKernel({ kernelName: BN5D_TRAIN_KERNEL, backendName: 'cpu', kernelFunc: forwardCpu });
  tf.registerKernel({ kernelName: BN5D_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: gradWebGpu });
  tf.registerKernel({ kernelName: BN5D_GRAD_KERNEL, backendName: 'cpu', kernelFunc: gradCpu });
  tf.registerGradient(gradConfig);
  registered = true;
}

export interface BatchNorm5dTrainOptions {
  /** added to the variance; default 1e-5 (PyTorch) */
  readonly eps?: number;
  /** running-stat momentum, PyTorch convention (weight of the new batch); default 0.1 */
  readonly momentum?: number;
  /** f32[C] running statistics to update (not modified; the updated values are returned) */
  readonly runningMean: tf.Tensor1D;
  readonly runningVar: tf.Tensor1D;
}

export interface BatchNorm5dTrainResult {
  /** f32[N,D,H,W,C] */
  readonly y: tf.Tensor5D;
  /** f32[C]: batch mean and BIASED batch variance over N·D·H·W (what normalised y; as tf.moments) */
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
  /** f32[C]: (1 − momentum)·running + momentum·batch, with the UNBIASED variance (N·D·H·W − 1 denominator;
   *  biased when N·D·H·W = 1) for running_var, as PyTorch. Not differentiable. */
  readonly newRunningMean: tf.Tensor1D;
  readonly newRunningVar: tf.Tensor1D;
}

/**
 * Training-mode BatchNorm over x: f32[N,D,H,W,C] (channels last) with batch statistics per channel:
 * y = (x − mean)/sqrt(var + eps)·gamma + beta, gamma/beta: f32[C]. Differentiable w.r.t. x, gamma and beta
 * through y, mean and variance (tf.grads works); webgpu runs our WGSL passes, cpu the f64 references.
 */
export function batchNorm5dTrain(
  x: tf.Tensor5D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  opts: BatchNorm5dTrainOptions,
): BatchNorm5dTrainResult {
  registerBatchNorm5dKernels();
  if (x.rank !== 5 || x.size === 0)
    throw new RangeError(`batchNorm5dTrain: x must be a non-empty 5-D tensor`);
  if (x.dtype !== 'float32') throw new TypeError(`batchNorm5dTrain: x must be float32, got ${x.dtype}`);
  const channels = x.shape[4];
  for (const [name, t] of [
    ['gamma', gamma],
    ['beta', beta],
    ['runningMean', opts.runningMean],
    ['runningVar', opts.runningVar],
  ] as const) {
    if (t.rank !== 1 || t.shape[0] !== channels)
      throw new RangeError(`batchNorm5dTrain: ${name} must be f32[${channels}], got [${t.shape.join(',')}]`);
  }
  const eps = opts.eps ?? 1e-5;
  const momentum = opts.momentum ?? 0.1;
  if (!(eps >= 0) || !(momentum >= 0 && momentum <= 1)) {
    throw new RangeError(`batchNorm5dTrain: need eps ≥ 0 and momentum in [0, 1], got ${eps}, ${momentum}`);
  }
  const [y, mean, variance, newRunningMean, newRunningVar] = tf
    .engine()
    .runKernel<tf.Tensor[]>(
      BN5D_TRAIN_KERNEL,
      { x, gamma, beta, runningMean: opts.runningMean, runningVar: opts.runningVar },
      { eps, momentum },
    );
  if (!y || !mean || !variance || !newRunningMean || !newRunningVar) throw new Error('expected five outputs');
  return {
    y: y as tf.Tensor5D,
    mean: mean as tf.Tensor1D,
    variance: variance as tf.Tensor1D,
    newRunningMean: newRunningMean as tf.Tensor1D,
    newRunningVar: newRunningVar as tf.Tensor1D,
  };
}
