// Dispatch for the HOG-target kernel (MaskFeat targets). Pure dispatch math plus one encoder pass; any thread
// with a GPUDevice. x: f32[B,H,W,3] NHWC (any value scale: [0,1] or 0–255) → f32[B, H/8, W/8, 3, 9].
import source from './hog.wgsl?raw';
import { getPipeline } from '../../pipelines.ts';
import { createStorage } from '../../buffers.ts';
import {
  HOG_BINS,
  HOG_CELL,
  HOG_CHANNELS,
  hogOutputShape,
  validateHogDims,
  type HogDims,
} from './hog.ref.ts';

export { hogOutputShape, type HogDims } from './hog.ref.ts';

/** Cells per workgroup along the width (hog.wgsl CELLS_PER_WG). */
export const HOG_CELLS_PER_WORKGROUP = 4;

export interface HogOptions {
  /** Where to write the features (≥ hogOutputBytes(dims)); by default a new buffer the caller owns. */
  readonly output?: GPUBuffer;
  readonly label?: string;
}

export function hogOutputBytes(dims: HogDims): number {
  return hogOutputShape(dims).reduce((a, b) => a * b, 1) * 4;
}

/** Workgroup counts [x, y, z] = [ceil(cellsX / 4), cellsY, batch]. */
export function hogDispatch(dims: HogDims): [number, number, number] {
  const [, cellsY, cellsX] = hogOutputShape(dims);
  return [Math.ceil(cellsX / HOG_CELLS_PER_WORKGROUP), cellsY, dims.batch];
}

export function validateHogLaunch(dims: HogDims, limits: GPUSupportedLimits): void {
  validateHogDims(dims);
  const maxGroups = limits.maxComputeWorkgroupsPerDimension;
  if (hogDispatch(dims).some((n) => n > maxGroups)) {
    throw new RangeError(
      `hog: ${dims.batch}×${dims.height}×${dims.width} needs more than ${maxGroups} workgroups`,
    );
  }
  const inBytes = dims.batch * dims.height * dims.width * HOG_CHANNELS * 4;
  if (inBytes > limits.maxStorageBufferBindingSize) {
    throw new RangeError(`hog: input of ${inBytes} bytes exceeds maxStorageBufferBindingSize`);
  }
}

/**
 * Encodes HOG targets of `x` into `encoder`; returns the output buffer f32[B, floor(H/8), floor(W/8), 3, 9]
 * (row-major; per cell the 3 channels' 9-bin L2-normalised histograms). Equals skimage's per-channel
 * `hog(..., cells_per_block=(1,1), block_norm='L2', feature_vector=False)` up to f32 rounding.
 * No temporaries: the frame size is a pipeline constant (one cached pipeline per H×W).
 */
export function encodeHog(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  x: GPUBuffer,
  dims: HogDims,
  opts: HogOptions = {},
): GPUBuffer {
  validateHogLaunch(dims, device.limits);
  const [, cellsY, cellsX] = hogOutputShape(dims);
  const label = opts.label ?? 'hog';
  const outBytes = hogOutputBytes(dims);
  if (opts.output && opts.output.size < outBytes) {
    throw new RangeError(`hog: output buffer holds ${opts.output.size} bytes, needs ${outBytes}`);
  }
  const out =
    opts.output ?? createStorage(device, `${label}:out[${dims.batch},${cellsY},${cellsX},3,9]`, outBytes);
  const pipeline = getPipeline(device, {
    key: `hog_cells4_${dims.height}x${dims.width}`,
    code: source,
    constants: { HEIGHT: dims.height, WIDTH: dims.width, CELLS_Y: cellsY, CELLS_X: cellsX },
  });
  const bindGroup = device.createBindGroup({
    label,
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: x } },
      { binding: 1, resource: { buffer: out, size: outBytes } },
    ],
  });
  const pass = encoder.beginComputePass({ label });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(...hogDispatch(dims));
  pass.end();
  return out;
}

/** Cell geometry re-exported for callers sizing frames. */
export const HOG_GEOMETRY = { cell: HOG_CELL, bins: HOG_BINS, channels: HOG_CHANNELS } as const;
