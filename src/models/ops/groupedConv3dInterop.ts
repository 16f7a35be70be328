// TF.js WebGPU-backend glue for our grouped Conv3D kernels (compute worker): hands TF.js tensors' GPUBuffers to our
// encoders, runs our passes after TF.js's pending commands, and returns outputs that TF.js owns and frees.
import { WebGPUBackend, type tf } from '../tf.ts';
import { flushTf, inputBuffer } from './webgpuInterop.ts';

/** The backend a kernel function was handed, checked to be TF.js's WebGPU backend. */
export function asWebGpuBackend(backend: unknown, kernelName: string): WebGPUBackend {
  if (!(backend instanceof WebGPUBackend))
    throw new TypeError(`${kernelName}: registered for 'webgpu' but called with another backend`);
  return backend;
}

/** The GPUBuffer behind a tensor, uploading CPU-resident values first (the upload is recorded by TF.js). */
export function gpuBufferOf(backend: WebGPUBackend, tensor: tf.TensorInfo): GPUBuffer {
  if (tensor.dtype !== 'float32')
    throw new TypeError(`grouped conv3d kernels take float32 tensors, got ${tensor.dtype}`);
  const resource = inputBuffer(backend, tensor);
  if (resource === null)
    throw new TypeError('grouped conv3d kernels need buffer-backed tensors (got a texture-backed one)');
  return resource;
}

export interface EncodeContext {
  readonly device: GPUDevice;
  readonly encoder: GPUCommandEncoder;
  /** The inputs' buffers, in the order given. */
  readonly inputs: readonly GPUBuffer[];
  /** The output tensor's buffer (owned by TF.js): write every element. */
  readonly output: GPUBuffer;
  /** Push temporaries here; they are destroyed right after the submit. */
  readonly temps: GPUBuffer[];
}

/**
 * Runs `encode` as one submission ordered after everything TF.js has recorded so far, writing into a fresh
 * float32 tensor of `outShape` allocated by the backend (so `tf.memory()` and disposal stay TF.js's). Returns its
 * TensorInfo for the kernel function to hand back to the engine.
 */
export function runOnWebGpu(
  backend: WebGPUBackend,
  inputs: readonly tf.TensorInfo[],
  outShape: number[],
  label: string,
  encode: (ctx: EncodeContext) => void,
): tf.TensorInfo {
  const inputBuffers = inputs.map((t) => gpuBufferOf(backend, t));
  const size = outShape.reduce((a, b) => a * b, 1);
  if (size === 0) return backend.makeTensorInfo(outShape, 'float32', new Float32Array(0));
  const out = backend.makeTensorInfo(outShape, 'float32');
  try {
    const output = gpuBufferOf(backend, out);
    // TF.js batches its dispatches and uploads in its own encoder and submits lazily: flush it so that the
    // producers of our inputs (and their uploads) are queued before our passes.
    flushTf(backend);
    const device = backend.device;
    const encoder = device.createCommandEncoder({ label });
    const temps: GPUBuffer[] = [];
    try {
      encode({ device, encoder, inputs: inputBuffers, output, temps });
      device.queue.submit([encoder.finish()]);
    } finally {
      for (const buffer of temps) buffer.destroy(); // safe after submit: the GPU keeps them until the work ends
    }
  } catch (error) {
    backend.disposeData(out.dataId);
    throw error;
  }
  return out;
}
