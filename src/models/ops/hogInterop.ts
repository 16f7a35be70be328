// Interop between TF.js 4.22 backends and our kernels (compute worker): GPUBuffers of TF.js tensors on the
// webgpu backend, flushing TF.js's pending commands before ours, outputs that TF.js owns and frees, and the
// CPU backend's synchronous reads/writes for the reference implementations. Used by hog.ts and batchNorm5d.ts.
import { tf, type WebGPUBackend } from '../tf.ts';
import { flushTf, inputBuffer, outputTensor } from './webgpuInterop.ts';

export { asWebGPUBackend as asWebGpuBackend, flushTf } from './webgpuInterop.ts';

/** The minimal synchronous surface of a CPU-like KernelBackend (MathBackendCPU). */
interface SyncBackend {
  readSync(dataId: tf.DataId): unknown;
  write(values: Float32Array, shape: number[], dtype: 'float32'): tf.DataId;
}

function isSyncBackend(backend: unknown): backend is SyncBackend {
  const b = backend as Partial<SyncBackend> | null;
  return typeof b?.readSync === 'function' && typeof b.write === 'function';
}

/** f32 values of a float32 tensor on a synchronous (CPU) backend. */
export function readCpu(backend: unknown, t: tf.TensorInfo): Float32Array {
  if (!isSyncBackend(backend)) throw new Error('readCpu: backend cannot read synchronously');
  if (t.dtype !== 'float32') throw new TypeError(`expected a float32 tensor, got ${t.dtype}`);
  const values = backend.readSync(t.dataId);
  if (values instanceof Float32Array) return values;
  // a float32 view of int32 data (TF.js's cast int32→float32 shares the data): convert
  if (values instanceof Int32Array || values instanceof Uint8Array) return Float32Array.from(values);
  throw new TypeError('readCpu: backend returned non-numeric data');
}

/** A new float32 tensor on a synchronous (CPU) backend holding `values`. */
export function writeCpu(backend: unknown, values: Float32Array, shape: number[]): tf.TensorInfo {
  if (!isSyncBackend(backend)) throw new Error('writeCpu: backend cannot write synchronously');
  return { dataId: backend.write(values, shape, 'float32'), shape, dtype: 'float32' };
}

/**
 * The GPUBuffer holding a float32 tensor's data on the webgpu backend. CPU-resident values are uploaded
 * first (TF.js records that copy in its own encoder, so call flushTf before submitting work that reads it).
 */
export function gpuBufferOf(backend: WebGPUBackend, t: tf.TensorInfo): GPUBuffer {
  const stored = backend.tensorMap.get(t.dataId);
  if (t.dtype !== 'float32' || stored.dtype !== 'float32') {
    // TF.js's cast int32→float32 relabels int32 data without converting it; see materialiseFloat32
    throw new TypeError(`expected float32 data, got ${t.dtype} stored as ${stored.dtype}`);
  }
  const resource = inputBuffer(backend, t);
  if (resource === null) {
    throw new TypeError('tensor data is not in a GPUBuffer (textures are not supported by our kernels)');
  }
  return resource;
}

/**
 * A float32 tensor whose data really is f32 (TF.js's cast int32→float32 only relabels the int32 data, which
 * raw kernels would misread). Call inside tf.tidy.
 */
export function materialiseFloat32(t: tf.Tensor): tf.Tensor {
  return t.dtype === 'float32' ? t : tf.add(tf.cast(t, 'float32'), 0);
}

/** A float32 output tensor allocated by TF.js's buffer manager (TF.js frees it on dispose) and its buffer. */
export function tfOwnedOutput(
  backend: WebGPUBackend,
  shape: number[],
): { info: tf.TensorInfo; buffer: GPUBuffer } {
  return outputTensor(backend, shape);
}

/**
 * Call after gpuBufferOf/tfOwnedOutput for every tensor involved (their uploads are recorded by TF.js).
 * Flushes TF.js, records our passes with `encode` into our own labelled encoder on TF.js's device, submits
 * them, then destroys the temporaries `encode` returned (WebGPU keeps them alive until the work completes).
 */
export function submitOnTfDevice(
  backend: WebGPUBackend,
  label: string,
  encode: (device: GPUDevice, encoder: GPUCommandEncoder) => readonly GPUBuffer[],
): void {
  flushTf(backend);
  const device = backend.device;
  const encoder = device.createCommandEncoder({ label });
  const temporaries = encode(device, encoder);
  device.queue.submit([encoder.finish()]);
  for (const buffer of temporaries) buffer.destroy();
}
