// The HOG-target op for MaskFeat (compute worker): TF.js kernel 'TubeletHog' on the webgpu backend (our WGSL
// kernel through hogInterop) and on the cpu backend (the CPU reference). No gradient: targets are constants.
import { tf } from '../tf.ts';
import { encodeHog, hogOutputShape } from '../../gpu/kernels/hog/hog.ts';
import { hogRef } from '../../gpu/kernels/hog/hog.ref.ts';
import {
  asWebGpuBackend,
  gpuBufferOf,
  materialiseFloat32,
  readCpu,
  submitOnTfDevice,
  tfOwnedOutput,
  writeCpu,
} from './hogInterop.ts';

export const HOG_KERNEL = 'TubeletHog';

function frameDims(x: tf.TensorInfo): { batch: number; height: number; width: number } {
  const [batch, height, width, channels] = x.shape;
  if (
    x.shape.length !== 4 ||
    channels !== 3 ||
    batch === undefined ||
    height === undefined ||
    width === undefined
  ) {
    throw new RangeError(`hogTargets: frames must be f32[B,H,W,3], got [${x.shape.join(',')}]`);
  }
  return { batch, height, width };
}

const hogWebGpu: tf.KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x;
  const gpu = asWebGpuBackend(backend);
  if (!x || !gpu) throw new Error(`${HOG_KERNEL}: needs input x on the webgpu backend`);
  const dims = frameDims(x);
  const xBuf = gpuBufferOf(gpu, x);
  const out = tfOwnedOutput(gpu, hogOutputShape(dims));
  submitOnTfDevice(gpu, HOG_KERNEL, (device, encoder) => {
    encodeHog(device, encoder, xBuf, dims, { output: out.buffer, label: HOG_KERNEL });
    return [];
  });
  return out.info;
};

const hogCpu: tf.KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x;
  if (!x) throw new Error(`${HOG_KERNEL}: missing input x`);
  const dims = frameDims(x);
  return writeCpu(backend, hogRef(readCpu(backend, x), dims, { binning: 'f32-cross' }), hogOutputShape(dims));
};

let registered = false;

/** Registers 'TubeletHog' for the webgpu and cpu backends (idempotent; hogTargets calls it). */
export function registerHogKernels(): void {
  if (registered) return;
  tf.registerKernel({ kernelName: HOG_KERNEL, backendName: 'webgpu', kernelFunc: hogWebGpu });
  tf.registerKernel({ kernelName: HOG_KERNEL, backendName: 'cpu', kernelFunc: hogCpu });
  registered = true;
}

/**
 * MaskFeat HOG targets: frames f32[B,H,W,3] (NHWC, RGB; any value scale, [0,1] or 0–255; other dtypes are converted
 * to float32) → f32[B, floor(H/8), floor(W/8), 3, 9]: per 8×8 cell and channel, the 9-bin unsigned-orientation
 * histogram, L2-normalised — skimage's per-channel hog(..., cells_per_block=(1,1), block_norm='L2').
 * Partial cells at the bottom/right are dropped. H, W ≥ 8. Runs on webgpu (our kernel) or cpu (reference).
 * For clips, reshape [N,T,H,W,3] to [N·T,H,W,3] first. Not differentiable (targets).
 */
export function hogTargets(frames: tf.Tensor4D): tf.Tensor {
  registerHogKernels();
  return tf.tidy(() => {
    const x = materialiseFloat32(frames);
    return tf.engine().runKernel<tf.Tensor>(HOG_KERNEL, { x });
  });
}
