// Dispatch for the tiled matmul kernel (the GPU self-test's kernel). Pure dispatch math plus one encoder pass.
// a: f32[M,K], b: f32[K,N] → c: f32[M,N], all row-major storage buffers.
import source from './matmul.wgsl?raw';
import { getPipeline } from '../../pipelines.ts';
import { createStorage, uploadUniformU32 } from '../../buffers.ts';

export const MATMUL_TILE = 16;

export interface MatmulDims {
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

/** Workgroup counts [x, y, z] for an M×N output. */
export function matmulDispatch({ m, n }: MatmulDims): [number, number, number] {
  return [Math.ceil(n / MATMUL_TILE), Math.ceil(m / MATMUL_TILE), 1];
}

export function validateMatmulDims(dims: MatmulDims, limits: GPUSupportedLimits): void {
  for (const [name, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v <= 0)
      throw new RangeError(`matmul: ${name} must be a positive integer, got ${v}`);
  }
  const [x, y] = matmulDispatch(dims);
  if (x > limits.maxComputeWorkgroupsPerDimension || y > limits.maxComputeWorkgroupsPerDimension) {
    throw new RangeError(`matmul: ${dims.m}×${dims.n} needs more workgroups than the device allows`);
  }
}

/** Encodes C = A·B into `encoder`; returns the output buffer (caller owns it). */
export function encodeMatmul(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  a: GPUBuffer,
  b: GPUBuffer,
  dims: MatmulDims,
): GPUBuffer {
  validateMatmulDims(dims, device.limits);
  const pipeline = getPipeline(device, { key: 'matmul_tiled16', code: source });
  const out = createStorage(device, `matmul:c[${dims.m},${dims.n}]`, dims.m * dims.n * 4);
  const uniforms = uploadUniformU32(device, 'matmul:dims', [dims.m, dims.n, dims.k]);
  const bindGroup = device.createBindGroup({
    label: 'matmul',
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: a } },
      { binding: 1, resource: { buffer: b } },
      { binding: 2, resource: { buffer: out } },
      { binding: 3, resource: { buffer: uniforms } },
    ],
  });
  const pass = encoder.beginComputePass({ label: 'matmul' });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(...matmulDispatch(dims));
  pass.end();
  return out;
}
