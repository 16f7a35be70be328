// Bridge between TF.js 4.22's WebGPUBackend and our raw WGSL kernels (compute worker): the GPUBuffers behind
// input tensors, outputs allocated by TF.js (so it owns, pools and frees them and tf.memory() stays right), and
// command ordering (TF.js's pending commands are submitted before ours; ours are submitted at once). The one place
// these backend internals are touched: the HOG/BatchNorm, grouped-conv and attention glue files build on it.
import { WebGPUBackend, type tf } from '../tf.ts';
import { submitAndRelease } from '../../gpu/transient.ts';

export type TensorInfo = tf.TensorInfo;

/** The backend a kernel runs on, when it is TF.js's WebGPU backend. */
export function asWebGPUBackend(backend: unknown): WebGPUBackend | null {
  return backend instanceof WebGPUBackend ? backend : null;
}

/** Elements of a shape (0 for empty tensors). */
export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The parts of the backend that hold tensor data (structural, so duck-typed callers can use it too). */
export interface TensorStore {
  uploadToGPU(dataId: object): void;
  readonly tensorMap: { get(dataId: object): { resource?: unknown } | undefined };
}

/**
 * The storage buffer holding `t` (f32 or i32 data), uploading CPU-resident values first. Null when the data lives
 * in a texture or external texture (callers fall back to TF.js's own kernel).
 */
export function inputBuffer(backend: TensorStore, t: TensorInfo): GPUBuffer | null {
  backend.uploadToGPU(t.dataId);
  const resource = backend.tensorMap.get(t.dataId)?.resource;
  return resource instanceof GPUBuffer ? resource : null;
}

/** The parts of the backend that batch commands (structural, as above). */
export interface CommandQueueOwner {
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** Submits every command TF.js has recorded so far, so work we submit next runs after it (queue order). */
export function flushTf(backend: CommandQueueOwner): void {
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
}

export interface OutputTensor {
  readonly info: TensorInfo;
  readonly buffer: GPUBuffer;
}

/** A new float32 tensor of `shape` whose (uninitialised) storage buffer comes from TF.js's buffer pool. */
export function outputTensor(backend: WebGPUBackend, shape: readonly number[]): OutputTensor {
  const info = backend.makeTensorInfo([...shape], 'float32');
  const resource = inputBuffer(backend, info); // no values: only allocates
  if (resource === null) {
    backend.disposeData(info.dataId);
    throw new Error('TF.js did not give the output tensor a storage buffer');
  }
  return { info, buffer: resource };
}

/**
 * Submits TF.js's recorded commands, then records `encode` on a command encoder of our own and submits it, so
 * our kernels see every earlier TF.js result and later TF.js work sees ours. Transient buffers are released.
 */
export function runAfterTf(
  backend: WebGPUBackend,
  label: string,
  encode: (encoder: GPUCommandEncoder) => void,
): void {
  flushTf(backend);
  const encoder = backend.device.createCommandEncoder({ label });
  encode(encoder);
  submitAndRelease(backend.device, encoder);
}

/**
 * Runs a kernel that writes one float32 output of `shape`: allocates it through TF.js, encodes after TF.js's
 * pending work, and disposes the output again if encoding throws.
 */
export function runKernelToOutput(
  backend: WebGPUBackend,
  label: string,
  shape: readonly number[],
  encode: (encoder: GPUCommandEncoder, out: GPUBuffer) => void,
): TensorInfo {
  const out = outputTensor(backend, shape);
  try {
    runAfterTf(backend, label, (encoder) => {
      encode(encoder, out.buffer);
    });
  } catch (error) {
    backend.disposeData(out.info.dataId);
    throw error;
  }
  return out.info;
}
