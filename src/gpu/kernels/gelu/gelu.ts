// Dispatch for elementwise GELU (erf or tanh form) forward and backward on flat f32 buffers: one pass each,
// 4 elements per thread. Pure dispatch math plus encoder calls; any thread with a GPUDevice.
import commonSource from './geluCommon.wgsl?raw';
import forwardSource from './geluForward.wgsl?raw';
import backwardSource from './geluBackward.wgsl?raw';
import { getPipeline } from '../../pipelines.ts';
import { createStorage } from '../../buffers.ts';
import type { GeluApproximate } from './gelu.ref.ts';

export type { GeluApproximate } from './gelu.ref.ts';

const WG = 256;
const PER_THREAD = 4;

/** Workgroups for `size` elements, folded into (x, y) so neither passes the device limit. */
export function geluGroups(size: number, maxGroupsPerDim = 65535): [number, number, number] {
  if (!Number.isInteger(size) || size <= 0)
    throw new RangeError(`gelu: size must be a positive integer, got ${size}`);
  const groups = Math.ceil(size / (WG * PER_THREAD));
  const gx = Math.min(groups, maxGroupsPerDim);
  const gy = Math.ceil(groups / gx);
  if (gy > maxGroupsPerDim) throw new RangeError(`gelu: ${size} elements need more workgroups than allowed`);
  return [gx, gy, 1];
}

export interface GeluEncodeOptions {
  readonly approximate: GeluApproximate;
  /** Buffer to write into (e.g. a TF.js-owned tensor); created when absent. */
  readonly output?: GPUBuffer;
  readonly label?: string;
}

export interface GeluEncoded {
  /** f32[size]; the caller owns it */
  readonly output: GPUBuffer;
  /** destroy after the submit */
  readonly temporaries: GPUBuffer[];
}

function encode(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  kind: 'fwd' | 'bwd',
  inputs: readonly GPUBuffer[],
  size: number,
  opts: GeluEncodeOptions,
): GeluEncoded {
  if (size * 4 > device.limits.maxStorageBufferBindingSize) {
    throw new RangeError(`gelu: ${size} elements exceed maxStorageBufferBindingSize`);
  }
  const groups = geluGroups(size, device.limits.maxComputeWorkgroupsPerDimension);
  const label = opts.label ?? `gelu_${kind}`;
  const output = opts.output ?? createStorage(device, `${label}:out`, size * 4);
  const params = device.createBuffer({
    label: `${label}:params`,
    size: 16,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(params, 0, new Uint32Array([size, groups[0], 0, 0]));
  const tanhForm = opts.approximate === 'tanh';
  const pipe = getPipeline(device, {
    key: `gelu_${kind}${tanhForm ? '_tanh' : ''}`,
    code: `${commonSource}\n${kind === 'fwd' ? forwardSource : backwardSource}`,
    constants: { TANH_FORM: tanhForm ? 1 : 0 },
  });
  const bindGroup = device.createBindGroup({
    label,
    layout: pipe.getBindGroupLayout(0),
    entries: [params, ...inputs, output].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const pass = encoder.beginComputePass({ label });
  pass.setPipeline(pipe);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(...groups);
  pass.end();
  return { output, temporaries: [params] };
}

/** Encodes y = gelu(x) for x: f32[size]. */
export function encodeGeluForward(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  x: GPUBuffer,
  size: number,
  opts: GeluEncodeOptions,
): GeluEncoded {
  return encode(device, encoder, 'fwd', [x], size, opts);
}

/** Encodes dx = dy · gelu'(x) for x, dy: f32[size]. */
export function encodeGeluBackward(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  x: GPUBuffer,
  dy: GPUBuffer,
  size: number,
  opts: GeluEncodeOptions,
): GeluEncoded {
  return encode(device, encoder, 'bwd', [x, dy], size, opts);
}
