// Interop between TF.js's WebGPU backend (4.22) and our own compute passes (compute worker): GPUBuffers of input
// tensors (uploading CPU-resident values first), outputs allocated through the backend so TF.js owns and frees
// them, and flushing TF.js's pending commands before ours so queue order matches program order.
import type { tf } from '../tf.ts';
import { flushTf, inputBuffer as bufferOf } from './webgpuInterop.ts';

type TensorInfo = tf.TensorInfo;

/** The parts of tfjs-backend-webgpu's WebGPUBackend we rely on (all public in its 4.22 typings). */
export interface WebGpuBackendLike {
  readonly device: GPUDevice;
  readonly tensorMap: { get(dataId: object): { resource?: unknown } | undefined };
  uploadToGPU(dataId: object): void;
  makeTensorInfo(shape: number[], dtype: 'float32' | 'int32'): TensorInfo;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** Whether `backend` is a WebGPU backend whose buffers we can bind (duck-typed: no runtime import of TF.js). */
export function isWebGpuBackend(backend: object): backend is WebGpuBackendLike {
  const b = backend as Partial<Record<keyof WebGpuBackendLike, unknown>>;
  return (
    typeof GPUDevice !== 'undefined' &&
    b.device instanceof GPUDevice &&
    typeof b.uploadToGPU === 'function' &&
    typeof b.submitQueue === 'function' &&
    typeof b.ensureCommandEncoderReady === 'function' &&
    typeof b.endComputePassEncoder === 'function' &&
    typeof b.makeTensorInfo === 'function' &&
    typeof b.tensorMap === 'object'
  );
}

/** The GPUBuffer holding `info`, uploading CPU-resident values first (the upload joins TF.js's encoder). */
export function inputBuffer(backend: WebGpuBackendLike, info: TensorInfo): GPUBuffer {
  const resource = bufferOf(backend, info);
  if (resource === null) {
    throw new Error(`attention: input of shape [${info.shape.join(',')}] is not held in a GPUBuffer`);
  }
  return resource;
}

/** A new output tensor allocated by the backend (TF.js owns and later frees the buffer) and its buffer. */
export function outputBuffer(
  backend: WebGpuBackendLike,
  shape: number[],
  label: string,
): { info: TensorInfo; buffer: GPUBuffer } {
  const info = backend.makeTensorInfo(shape, 'float32');
  const buffer = inputBuffer(backend, info);
  buffer.label = label;
  return { info, buffer };
}

/** Submits everything TF.js has recorded so far (uploads, earlier kernels), so our later submit runs after it. */
export const flushBackend: (backend: WebGpuBackendLike) => void = flushTf;

/** The parts of the CPU backend (and any backend with host-side values) the CPU kernels use. */
export interface HostBackendLike {
  readSync(dataId: object): unknown;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

export function isHostBackend(backend: object): backend is HostBackendLike {
  const b = backend as Partial<Record<keyof HostBackendLike, unknown>>;
  return typeof b.readSync === 'function' && typeof b.makeTensorInfo === 'function';
}

/** Values of a float32 or int32 tensor on a host backend. */
export function hostValues(backend: HostBackendLike, info: TensorInfo): Float32Array | Int32Array {
  const values = backend.readSync(info.dataId);
  if (values instanceof Float32Array || values instanceof Int32Array) return values;
  throw new Error(
    `attention: expected float32 or int32 values, got ${Object.prototype.toString.call(values)}`,
  );
}
