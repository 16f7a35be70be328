// Dispatch for training-mode BatchNorm over channels-last tensors (x: f32[N,D,H,W,C] as f32[rows, C]) and its
// gradient: three passes each (chunked partial reductions → per-channel combine → elementwise), no atomics.
// Pure dispatch math plus encoder calls; any thread with a GPUDevice.
import paramsSource from './bnParams.wgsl?raw';
import statsSource from './bnStats.wgsl?raw';
import statsCombineSource from './bnStatsCombine.wgsl?raw';
import normalizeSource from './bnNormalize.wgsl?raw';
import gradSumsSource from './bnGradSums.wgsl?raw';
import gradCombineSource from './bnGradCombine.wgsl?raw';
import gradApplySource from './bnGradApply.wgsl?raw';
import { getPipeline } from '../../pipelines.ts';
import { createStorage } from '../../buffers.ts';
import { unbiasFactor, validateBn5dDims, type Bn5dDims } from './batchnorm5d.ref.ts';

export type { Bn5dDims } from './batchnorm5d.ref.ts';

/** Upper bound on chunks per channel block of the partial-sum passes (keeps the combine passes short). */
const MAX_CHUNKS = 512;
/**
 * Rows each thread of a partial-sum pass reduces, at least (a multiple of the passes' 8-row register block).
 * Long per-thread runs keep the workgroup count and so the barriers low (SwiftShader runs a barrier as a fibre
 * switch of every invocation); the blocked per-thread sums (8 rows pairwise, 8 blocks a group) keep the error
 * chain short, so accuracy does not pay for it (see bnStats.wgsl).
 */
const MIN_ROWS_PER_THREAD = 128;
const BLOCK_ROWS = 8;
const WG = 256;

export interface Bn5dPlan {
  /** channel lanes per workgroup (power of two ≤ 32); row lanes = 256 / tc */
  readonly tc: number;
  readonly tr: number;
  readonly rowsPerChunk: number;
  readonly chunks: number;
  /** workgroups of the partial-sum passes: [ceil(C / tc), chunks, 1] */
  readonly partialGroups: [number, number, number];
  /** workgroups of the elementwise passes, the 1-D grid folded into (x, y) */
  readonly elementGroups: [number, number, number];
}

export function bn5dPlan(dims: Bn5dDims, maxGroupsPerDim = 65535): Bn5dPlan {
  validateBn5dDims(dims);
  const { rows, channels } = dims;
  let tc = 1;
  while (tc < channels && tc < 32) tc *= 2;
  const tr = WG / tc;
  const needed = Math.ceil(rows / (tr * MAX_CHUNKS));
  const rowsPerThread = Math.max(MIN_ROWS_PER_THREAD, Math.ceil(needed / BLOCK_ROWS) * BLOCK_ROWS);
  const rowsPerChunk = tr * rowsPerThread;
  const chunks = Math.ceil(rows / rowsPerChunk);
  const groups = Math.ceil((rows * channels) / WG);
  const gx = Math.min(groups, maxGroupsPerDim);
  const gy = Math.ceil(groups / gx);
  if (gy > maxGroupsPerDim || channels > maxGroupsPerDim) {
    throw new RangeError(`batchnorm5d: ${rows}×${channels} needs more workgroups than the device allows`);
  }
  return {
    tc,
    tr,
    rowsPerChunk,
    chunks,
    partialGroups: [Math.ceil(channels / tc), chunks, 1],
    elementGroups: [gx, gy, 1],
  };
}

export interface Bn5dForwardInputs {
  /** f32[rows, C] */
  readonly x: GPUBuffer;
  /** f32[C] each */
  readonly gamma: GPUBuffer;
  readonly beta: GPUBuffer;
  readonly runningMean: GPUBuffer;
  readonly runningVar: GPUBuffer;
}

export interface Bn5dForwardOutputs {
  /** f32[rows, C] */
  readonly y: GPUBuffer;
  /** f32[C] each: batch mean, biased batch variance, updated running stats (PyTorch momentum semantics) */
  readonly mean: GPUBuffer;
  readonly variance: GPUBuffer;
  readonly newRunningMean: GPUBuffer;
  readonly newRunningVar: GPUBuffer;
}

export interface Bn5dBackwardInputs {
  /** f32[rows, C] each */
  readonly dy: GPUBuffer;
  readonly x: GPUBuffer;
  /** f32[C] each: the forward's batch mean and biased variance, and gamma */
  readonly mean: GPUBuffer;
  readonly variance: GPUBuffer;
  readonly gamma: GPUBuffer;
  /** f32[C]: gradients reaching the forward's mean / variance outputs; zeros when absent */
  readonly dmean?: GPUBuffer;
  readonly dvar?: GPUBuffer;
}

export interface Bn5dBackwardOutputs {
  readonly dx: GPUBuffer;
  readonly dgamma: GPUBuffer;
  readonly dbeta: GPUBuffer;
}

/** What an encode call produced: outputs (caller owns them) and temporaries to destroy after the submit. */
export interface Bn5dEncoded<T> {
  readonly outputs: T;
  readonly temporaries: GPUBuffer[];
}

export interface Bn5dEncodeOptions<T> {
  /** Buffers to write into (e.g. TF.js-owned tensors); any missing one is created. */
  readonly outputs?: Partial<T>;
  readonly label?: string;
}

function uploadParams(
  device: GPUDevice,
  label: string,
  dims: Bn5dDims,
  plan: Bn5dPlan,
  eps: number,
  momentum: number,
) {
  const data = new ArrayBuffer(32);
  new Uint32Array(data, 0, 4).set([dims.rows, dims.channels, plan.rowsPerChunk, plan.chunks]);
  new Float32Array(data, 16, 4).set([eps, momentum, unbiasFactor(dims.rows), 1 / dims.rows]);
  const buffer = device.createBuffer({
    label,
    size: 32,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

function pipeline(device: GPUDevice, key: string, source: string, plan?: Bn5dPlan): GPUComputePipeline {
  return getPipeline(device, {
    key: plan ? `${key}_tc${plan.tc}` : key,
    code: `${paramsSource}\n${source}`,
    ...(plan ? { constants: { TC: plan.tc, TR: plan.tr } } : {}),
  });
}

function dispatch(
  device: GPUDevice,
  pass: GPUComputePassEncoder,
  pipe: GPUComputePipeline,
  label: string,
  buffers: readonly GPUBuffer[],
  groups: readonly [number, number, number],
): void {
  const bindGroup = device.createBindGroup({
    label,
    layout: pipe.getBindGroupLayout(0),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  pass.setPipeline(pipe);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(...groups);
}

function checkSizes(dims: Bn5dDims, limits: GPUSupportedLimits): void {
  const bytes = dims.rows * dims.channels * 4;
  if (bytes > limits.maxStorageBufferBindingSize || dims.rows * dims.channels >= 2 ** 32) {
    throw new RangeError(`batchnorm5d: ${dims.rows}×${dims.channels} exceeds maxStorageBufferBindingSize`);
  }
}

/**
 * Encodes the training forward: y = (x − mean)/sqrt(var + eps)·gamma + beta with batch statistics over rows,
 * plus mean, biased variance and the running-stat update (PyTorch: running_var uses the unbiased variance).
 */
export function encodeBatchNorm5dForward(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  inputs: Bn5dForwardInputs,
  dims: Bn5dDims,
  opts: { readonly eps: number; readonly momentum: number } & Bn5dEncodeOptions<Bn5dForwardOutputs>,
): Bn5dEncoded<Bn5dForwardOutputs> {
  const plan = bn5dPlan(dims, device.limits.maxComputeWorkgroupsPerDimension);
  checkSizes(dims, device.limits);
  const label = opts.label ?? 'bn5d';
  const c4 = dims.channels * 4;
  const given = opts.outputs ?? {};
  const outputs: Bn5dForwardOutputs = {
    y: given.y ?? createStorage(device, `${label}:y`, dims.rows * c4),
    mean: given.mean ?? createStorage(device, `${label}:mean`, c4),
    variance: given.variance ?? createStorage(device, `${label}:variance`, c4),
    newRunningMean: given.newRunningMean ?? createStorage(device, `${label}:newRunningMean`, c4),
    newRunningVar: given.newRunningVar ?? createStorage(device, `${label}:newRunningVar`, c4),
  };
  const params = uploadParams(device, `${label}:params`, dims, plan, opts.eps, opts.momentum);
  const partials = createStorage(device, `${label}:partials`, plan.chunks * c4 * 4);
  const stats = createStorage(device, `${label}:stats`, 5 * c4);
  const pass = encoder.beginComputePass({ label });
  const { x, gamma, beta, runningMean, runningVar } = inputs;
  dispatch(
    device,
    pass,
    pipeline(device, 'bn5d_stats', statsSource, plan),
    `${label}:stats`,
    [params, x, partials],
    plan.partialGroups,
  );
  dispatch(
    device,
    pass,
    pipeline(device, 'bn5d_stats_combine', statsCombineSource),
    `${label}:combine`,
    [params, partials, gamma, runningMean, runningVar, stats],
    [dims.channels, 1, 1],
  );
  dispatch(
    device,
    pass,
    pipeline(device, 'bn5d_normalize', normalizeSource),
    `${label}:normalize`,
    [params, x, stats, beta, outputs.y],
    plan.elementGroups,
  );
  pass.end();
  const packed = [outputs.mean, outputs.variance, outputs.newRunningMean, outputs.newRunningVar];
  packed.forEach((out, i) => {
    encoder.copyBufferToBuffer(stats, i * c4, out, 0, c4);
  });
  return { outputs, temporaries: [params, partials, stats] };
}

/** Encodes the gradient of the training forward (see batchNorm5dBackwardRef for the formulas). */
export function encodeBatchNorm5dBackward(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  inputs: Bn5dBackwardInputs,
  dims: Bn5dDims,
  opts: { readonly eps: number } & Bn5dEncodeOptions<Bn5dBackwardOutputs>,
): Bn5dEncoded<Bn5dBackwardOutputs> {
  const plan = bn5dPlan(dims, device.limits.maxComputeWorkgroupsPerDimension);
  checkSizes(dims, device.limits);
  const label = opts.label ?? 'bn5d:grad';
  const c4 = dims.channels * 4;
  const given = opts.outputs ?? {};
  const outputs: Bn5dBackwardOutputs = {
    dx: given.dx ?? createStorage(device, `${label}:dx`, dims.rows * c4),
    dgamma: given.dgamma ?? createStorage(device, `${label}:dgamma`, c4),
    dbeta: given.dbeta ?? createStorage(device, `${label}:dbeta`, c4),
  };
  const temporaries: GPUBuffer[] = [];
  const scratch = (name: string, bytes: number): GPUBuffer => {
    const buffer = createStorage(device, `${label}:${name}`, bytes);
    temporaries.push(buffer);
    return buffer;
  };
  const params = uploadParams(device, `${label}:params`, dims, plan, opts.eps, 0);
  temporaries.push(params);
  const partials = scratch('partials', plan.chunks * c4 * 2);
  const grads = scratch('grads', 2 * c4);
  const coef = scratch('coef', 8 * c4);
  const dmean = inputs.dmean ?? scratch('zeroDmean', c4); // new buffers are zero-filled
  const dvar = inputs.dvar ?? scratch('zeroDvar', c4);
  const { dy, x, mean, variance, gamma } = inputs;
  const pass = encoder.beginComputePass({ label });
  dispatch(
    device,
    pass,
    pipeline(device, 'bn5d_grad_sums', gradSumsSource, plan),
    `${label}:sums`,
    [params, dy, x, mean, variance, partials],
    plan.partialGroups,
  );
  dispatch(
    device,
    pass,
    pipeline(device, 'bn5d_grad_combine', gradCombineSource),
    `${label}:combine`,
    [params, partials, gamma, mean, variance, dmean, dvar, grads, coef],
    [dims.channels, 1, 1],
  );
  dispatch(
    device,
    pass,
    pipeline(device, 'bn5d_grad_apply', gradApplySource),
    `${label}:apply`,
    [params, dy, x, coef, outputs.dx],
    plan.elementGroups,
  );
  pass.end();
  encoder.copyBufferToBuffer(grads, 0, outputs.dgamma, 0, c4);
  encoder.copyBufferToBuffer(grads, c4, outputs.dbeta, 0, c4);
  return { outputs, temporaries };
}
