// Sole importer of TF.js (compute worker). Creates TF.js's webgpu backend on OUR GPUDevice so that TF.js
// tensors and our WGSL kernels share buffers, and re-exports the `tf` namespace for the rest of models/.
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { registerConv3dKernels } from './ops/conv3d.ts';

export { tf, WebGPUBackend };
export type Tensor = tf.Tensor;

let boundDevice: GPUDevice | null = null;

/** Registers (or re-registers after device loss) the `webgpu` backend on `device` and makes it current. */
export async function initTf(device: GPUDevice, adapterInfo: GPUAdapterInfo): Promise<void> {
  if (boundDevice === device && tf.getBackend() === 'webgpu') return;
  try {
    tf.removeBackend('webgpu'); // the package registers a factory that makes its own device; replace it
  } catch {
    // not registered: nothing to replace
  }
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapterInfo), 3);
  const ok = await tf.setBackend('webgpu');
  if (!ok) throw new Error('TF.js could not initialise its webgpu backend on the shared device');
  await tf.ready();
  registerConv3dKernels(); // our Conv3D forward/backward kernels replace TF.js's naive webgpu ones
  boundDevice = device;
}

/** The GPUDevice TF.js's current backend uses, or null when the backend is not webgpu. */
export function tfDevice(): GPUDevice | null {
  const backend = tf.backend();
  return backend instanceof WebGPUBackend ? backend.device : null;
}

export function tfVersion(): string {
  return tf.version.tfjs;
}

export function tfBackendName(): string {
  return tf.getBackend();
}

/**
 * Wraps a storage buffer of our kernels as a TF.js tensor without copying (the buffer must stay alive
 * while the tensor is used; TF.js does not take ownership). x: f32[shape].
 */
export function tensorFromGpuBuffer(buffer: GPUBuffer, shape: number[]): tf.Tensor {
  return tf.tensor({ buffer }, shape, 'float32');
}

/** Submits TF.js's pending GPU commands and resolves when the device has finished all submitted work. */
export async function gpuSync(): Promise<void> {
  const backend = tf.backend();
  if (!(backend instanceof WebGPUBackend)) return;
  backend.submitQueue();
  await backend.device.queue.onSubmittedWorkDone();
}

/** Runs `work` with TF.js environment flags set, restoring their previous values afterwards. */
export async function withFlags<T>(
  flags: Record<string, boolean | number>,
  work: () => Promise<T>,
): Promise<T> {
  const env = tf.env();
  const saved = Object.fromEntries(Object.keys(flags).map((k) => [k, env.get(k)]));
  for (const [k, v] of Object.entries(flags)) env.set(k, v);
  try {
    return await work();
  } finally {
    for (const [k, v] of Object.entries(saved)) env.set(k, v);
  }
}
