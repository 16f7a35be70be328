// GELU as a differentiable TF.js op (compute worker): kernels 'TubeletGelu' and '…Grad' on webgpu (our fused
// WGSL pass, via hogInterop) and cpu (the f64 references), a registered gradient, and `geluComposed`, the stock
// TF.js composition (erf or tanh plus arithmetic) used as baseline.
import { tf } from '../tf.ts';
import { encodeGeluBackward, encodeGeluForward, type GeluApproximate } from '../../gpu/kernels/gelu/gelu.ts';
import { geluBackwardRef, geluForwardRef } from '../../gpu/kernels/gelu/gelu.ref.ts';
import {
  asWebGpuBackend,
  gpuBufferOf,
  readCpu,
  submitOnTfDevice,
  tfOwnedOutput,
  writeCpu,
} from './hogInterop.ts';

export type { GeluApproximate } from '../../gpu/kernels/gelu/gelu.ref.ts';

export const GELU_KERNEL = 'TubeletGelu';
export const GELU_GRAD_KERNEL = 'TubeletGeluGrad';

function input(inputs: tf.NamedTensorInfoMap, name: string, kernel: string): tf.TensorInfo {
  const t = inputs[name];
  if (!t) throw new Error(`${kernel}: missing input ${name}`);
  return t;
}

function approximateAttr(attrs: tf.NamedAttrMap | undefined): GeluApproximate {
  const v = attrs?.approximate;
  if (v === 'none') return 'none';
  if (v === 'tanh') return 'tanh';
  throw new TypeError(`gelu: approximate must be 'none' or 'tanh', got ${JSON.stringify(v)}`);
}

const size = (t: tf.TensorInfo): number => t.shape.reduce((a, b) => a * b, 1);

const forwardWebGpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = asWebGpuBackend(backend);
  if (!gpu) throw new Error(`${GELU_KERNEL}: not the webgpu backend`);
  const x = input(inputs, 'x', GELU_KERNEL);
  const xb = gpuBufferOf(gpu, x);
  const y = tfOwnedOutput(gpu, x.shape);
  submitOnTfDevice(
    gpu,
    GELU_KERNEL,
    (device, encoder) =>
      encodeGeluForward(device, encoder, xb, size(x), {
        approximate: approximateAttr(attrs),
        output: y.buffer,
      }).temporaries,
  );
  return y.info;
};

const forwardCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const x = input(inputs, 'x', GELU_KERNEL);
  return writeCpu(backend, geluForwardRef(readCpu(backend, x), approximateAttr(attrs)), x.shape);
};

const gradWebGpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = asWebGpuBackend(backend);
  if (!gpu) throw new Error(`${GELU_GRAD_KERNEL}: not the webgpu backend`);
  const x = input(inputs, 'x', GELU_GRAD_KERNEL);
  const dy = input(inputs, 'dy', GELU_GRAD_KERNEL);
  const [xb, dyb] = [gpuBufferOf(gpu, x), gpuBufferOf(gpu, dy)];
  const dx = tfOwnedOutput(gpu, x.shape);
  submitOnTfDevice(
    gpu,
    GELU_GRAD_KERNEL,
    (device, encoder) =>
      encodeGeluBackward(device, encoder, xb, dyb, size(x), {
        approximate: approximateAttr(attrs),
        output: dx.buffer,
      }).temporaries,
  );
  return dx.info;
};

const gradCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const x = input(inputs, 'x', GELU_GRAD_KERNEL);
  const dy = input(inputs, 'dy', GELU_GRAD_KERNEL);
  return writeCpu(
    backend,
    geluBackwardRef(readCpu(backend, x), readCpu(backend, dy), approximateAttr(attrs)),
    x.shape,
  );
};

const gradConfig: tf.GradConfig = {
  kernelName: GELU_KERNEL,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    if (!x || Array.isArray(dy)) throw new Error(`${GELU_KERNEL} gradient: expected one dy and the saved x`);
    return {
      x: () =>
        tf
          .engine()
          .runKernel<tf.Tensor>(GELU_GRAD_KERNEL, { x, dy }, { approximate: attrs.approximate ?? 'none' }),
    };
  },
};

let registered = false;

/** Registers both kernels for webgpu and cpu, and the gradient (idempotent; gelu calls it). */
export function registerGeluKernels(): void {
  if (registered) return;
  tf.registerKernel({ kernelName: GELU_KERNEL, backendName: 'webgpu', kernelFunc: forwardWebGpu });
  tf.registerKernel({ kernelName: GELU_KERNEL, backendName: 'cpu', kernelFunc: forwardCpu });
  tf.registerKernel({ kernelName: GELU_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: gradWebGpu });
  tf.registerKernel({ kernelName: GELU_GRAD_KERNEL, backendName: 'cpu', kernelFunc: gradCpu });
  tf.registerGradient(gradConfig);
  registered = true;
}

export interface GeluOptions {
  /** 'none' (default, torch.nn.GELU()): x·Φ(x) with erf; 'tanh': torch.nn.GELU(approximate='tanh') */
  readonly approximate?: GeluApproximate;
  /** 'fused' (default on webgpu and cpu): our kernels; 'composed': stock TF.js ops */
  readonly impl?: 'fused' | 'composed';
}

/** The stock TF.js composition of GELU (differentiated by TF.js's autodiff). */
export function geluComposed<T extends tf.Tensor>(x: T, approximate: GeluApproximate = 'none'): T {
  return tf.tidy<T>(() => {
    const inner =
      approximate === 'tanh'
        ? tf.tanh(x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI)))
        : tf.erf(x.mul(Math.SQRT1_2));
    return x.mul(0.5).mul<T>(inner.add(1));
  });
}

/**
 * GELU elementwise, as torch.nn.GELU(approximate): x: f32[any] → same shape, differentiable. On webgpu this runs
 * our fused kernel (one pass each way), which beats the composition in `tubelet bench kernels`
 * (docs/PERFORMANCE.md); backends without our kernel use the composition.
 */
export function gelu<T extends tf.Tensor>(x: T, opts: GeluOptions = {}): T {
  const approximate = opts.approximate ?? 'none';
  if (x.dtype !== 'float32') throw new TypeError(`gelu: x must be float32, got ${x.dtype}`);
  const backend = tf.getBackend();
  if (opts.impl === 'composed' || x.size === 0 || (backend !== 'webgpu' && backend !== 'cpu')) {
    return geluComposed(x, approximate);
  }
  registerGeluKernels();
  return tf.engine().runKernel<T>(GELU_KERNEL, { x }, { approximate });
}
