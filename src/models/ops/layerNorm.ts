// LayerNorm over the last dimension as a differentiable TF.js op (compute worker): kernels 'TubeletLayerNorm'
// and '…Grad' on webgpu (our fused WGSL passes, via hogInterop) and cpu (the f64 references), a registered
// gradient, and `layerNormComposed`, the stock TF.js composition (moments + arithmetic) used as baseline.
import { tf } from '../tf.ts';
import { encodeLayerNormBackward, encodeLayerNormForward } from '../../gpu/kernels/layernorm/layernorm.ts';
import {
  layerNormBackwardRef,
  layerNormForwardRef,
  type LayerNormDims,
} from '../../gpu/kernels/layernorm/layernorm.ref.ts';
import {
  asWebGpuBackend,
  gpuBufferOf,
  readCpu,
  submitOnTfDevice,
  tfOwnedOutput,
  writeCpu,
} from './hogInterop.ts';

export const LAYER_NORM_KERNEL = 'TubeletLayerNorm';
export const LAYER_NORM_GRAD_KERNEL = 'TubeletLayerNormGrad';

function input(inputs: tf.NamedTensorInfoMap, name: string, kernel: string): tf.TensorInfo {
  const t = inputs[name];
  if (!t) throw new Error(`${kernel}: missing input ${name}`);
  return t;
}

function dimsOf(x: tf.TensorInfo): LayerNormDims {
  const cols = x.shape[x.shape.length - 1] ?? 0;
  return { rows: x.shape.reduce((a, b) => a * b, 1) / Math.max(cols, 1), cols };
}

function epsAttr(attrs: tf.NamedAttrMap | undefined): number {
  const v = attrs?.eps;
  if (typeof v !== 'number') throw new TypeError('layerNorm: attribute eps must be a number');
  return v;
}

const forwardWebGpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = asWebGpuBackend(backend);
  if (!gpu) throw new Error(`${LAYER_NORM_KERNEL}: not the webgpu backend`);
  const [x, gamma, beta] = ['x', 'gamma', 'beta'].map((n) => input(inputs, n, LAYER_NORM_KERNEL));
  if (!x || !gamma || !beta) throw new Error('unreachable');
  const dims = dimsOf(x);
  const buf = { x: gpuBufferOf(gpu, x), gamma: gpuBufferOf(gpu, gamma), beta: gpuBufferOf(gpu, beta) };
  const y = tfOwnedOutput(gpu, x.shape);
  const mean = tfOwnedOutput(gpu, [dims.rows]);
  const rstd = tfOwnedOutput(gpu, [dims.rows]);
  submitOnTfDevice(gpu, LAYER_NORM_KERNEL, (device, encoder) => {
    const outputs = { y: y.buffer, mean: mean.buffer, rstd: rstd.buffer };
    return encodeLayerNormForward(device, encoder, buf, dims, { eps: epsAttr(attrs), outputs }).temporaries;
  });
  return [y.info, mean.info, rstd.info];
};

const forwardCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const [x, gamma, beta] = ['x', 'gamma', 'beta'].map((n) => input(inputs, n, LAYER_NORM_KERNEL));
  if (!x || !gamma || !beta) throw new Error('unreachable');
  const dims = dimsOf(x);
  const r = layerNormForwardRef(
    readCpu(backend, x),
    readCpu(backend, gamma),
    readCpu(backend, beta),
    dims,
    epsAttr(attrs),
  );
  return [
    writeCpu(backend, r.y, x.shape),
    writeCpu(backend, r.mean, [dims.rows]),
    writeCpu(backend, r.rstd, [dims.rows]),
  ];
};

const GRAD_INPUTS = ['dy', 'x', 'gamma', 'mean', 'rstd'];

const gradWebGpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = asWebGpuBackend(backend);
  if (!gpu) throw new Error(`${LAYER_NORM_GRAD_KERNEL}: not the webgpu backend`);
  const [dy, x, gamma, mean, rstd] = GRAD_INPUTS.map((n) => input(inputs, n, LAYER_NORM_GRAD_KERNEL));
  if (!dy || !x || !gamma || !mean || !rstd) throw new Error('unreachable');
  const dims = dimsOf(x);
  const buf = {
    dy: gpuBufferOf(gpu, dy),
    x: gpuBufferOf(gpu, x),
    gamma: gpuBufferOf(gpu, gamma),
    mean: gpuBufferOf(gpu, mean),
    rstd: gpuBufferOf(gpu, rstd),
  };
  const dx = tfOwnedOutput(gpu, x.shape);
  const dgamma = tfOwnedOutput(gpu, [dims.cols]);
  const dbeta = tfOwnedOutput(gpu, [dims.cols]);
  submitOnTfDevice(gpu, LAYER_NORM_GRAD_KERNEL, (device, encoder) => {
    const outputs = { dx: dx.buffer, dgamma: dgamma.buffer, dbeta: dbeta.buffer };
    return encodeLayerNormBackward(device, encoder, buf, dims, { eps: epsAttr(attrs), outputs }).temporaries;
  });
  return [dx.info, dgamma.info, dbeta.info];
};

const gradCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const [dy, x, gamma] = GRAD_INPUTS.map((n) => input(inputs, n, LAYER_NORM_GRAD_KERNEL));
  if (!dy || !x || !gamma) throw new Error('unreachable');
  const dims = dimsOf(x);
  const r = layerNormBackwardRef(
    readCpu(backend, dy),
    readCpu(backend, x),
    readCpu(backend, gamma),
    dims,
    epsAttr(attrs),
  );
  return [
    writeCpu(backend, r.dx, x.shape),
    writeCpu(backend, r.dgamma, [dims.cols]),
    writeCpu(backend, r.dbeta, [dims.cols]),
  ];
};

/** Gradient of the forward kernel through y only (mean and rstd are internal outputs). */
const gradConfig: tf.GradConfig = {
  kernelName: LAYER_NORM_KERNEL,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const dy = (dys as (tf.Tensor | null)[])[0];
    const [x, gamma, mean, rstd] = saved;
    if (!dy || !x || !gamma || !mean || !rstd)
      throw new Error(`${LAYER_NORM_KERNEL} gradient: missing dy or saved tensors`);
    const [dx, dgamma, dbeta] = tf
      .engine()
      .runKernel<tf.Tensor[]>(LAYER_NORM_GRAD_KERNEL, { dy, x, gamma, mean, rstd }, { eps: attrs.eps ?? 0 });
    if (!dx || !dgamma || !dbeta) throw new Error(`${LAYER_NORM_GRAD_KERNEL}: expected three outputs`);
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};

let registered = false;

/** Registers both kernels for webgpu and cpu, and the gradient (idempotent; layerNorm calls it). */
export function registerLayerNormKernels(): void {
  if (registered) return;
  tf.registerKernel({ kernelName: LAYER_NORM_KERNEL, backendName: 'webgpu', kernelFunc: forwardWebGpu });
  tf.registerKernel({ kernelName: LAYER_NORM_KERNEL, backendName: 'cpu', kernelFunc: forwardCpu });
  tf.registerKernel({ kernelName: LAYER_NORM_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: gradWebGpu });
  tf.registerKernel({ kernelName: LAYER_NORM_GRAD_KERNEL, backendName: 'cpu', kernelFunc: gradCpu });
  tf.registerGradient(gradConfig);
  registered = true;
}

export interface LayerNormOptions {
  /** added to the variance; default 1e-5 (torch.nn.LayerNorm) */
  readonly eps?: number;
  /** 'fused' (default on webgpu and cpu): our kernels; 'composed': stock TF.js ops */
  readonly impl?: 'fused' | 'composed';
}

function check(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): void {
  const cols = x.shape[x.rank - 1];
  if (x.rank < 1 || x.size === 0) throw new RangeError('layerNorm: x must be a non-empty tensor');
  if (x.dtype !== 'float32') throw new TypeError(`layerNorm: x must be float32, got ${x.dtype}`);
  for (const [name, t] of [
    ['gamma', gamma],
    ['beta', beta],
  ] as const) {
    if (t.rank !== 1 || t.shape[0] !== cols)
      throw new RangeError(`layerNorm: ${name} must be f32[${cols}], got [${t.shape.join(',')}]`);
  }
  if (!(eps >= 0)) throw new RangeError(`layerNorm: eps must be ≥ 0, got ${eps}`);
}

/**
 * The stock TF.js composition: y = (x − mean)·rsqrt(var + eps)·gamma + beta over the last axis (tf.moments),
 * differentiated by TF.js's autodiff. x: f32[..., C], gamma/beta: f32[C].
 */
export function layerNormComposed<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps = 1e-5,
): T {
  return tf.tidy<T>(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return x
      .sub(mean)
      .mul(tf.rsqrt(variance.add(eps)))
      .mul(gamma)
      .add<T>(beta);
  });
}

/**
 * LayerNorm over the last dimension, as torch.nn.LayerNorm(C, eps) with elementwise affine: x: f32[..., C],
 * gamma/beta: f32[C] → f32[..., C]. Differentiable w.r.t. x, gamma and beta. On webgpu this runs our fused
 * kernels (one pass forward, three backward), which beat the composition in `tubelet bench kernels`
 * (docs/PERFORMANCE.md); other backends without our kernel use the composition.
 */
export function layerNorm<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  opts: LayerNormOptions = {},
): T {
  const eps = opts.eps ?? 1e-5;
  check(x, gamma, beta, eps);
  const backend = tf.getBackend();
  if (opts.impl === 'composed' || (backend !== 'webgpu' && backend !== 'cpu')) {
    return layerNormComposed(x, gamma, beta, eps);
  }
  registerLayerNormKernels();
  const [y, mean, rstd] = tf.engine().runKernel<tf.Tensor[]>(LAYER_NORM_KERNEL, { x, gamma, beta }, { eps });
  if (!y || !mean || !rstd) throw new Error(`${LAYER_NORM_KERNEL}: expected three outputs`);
  mean.dispose(); // the gradient keeps its own copies of the saved outputs
  rstd.dispose();
  return y as T;
}
