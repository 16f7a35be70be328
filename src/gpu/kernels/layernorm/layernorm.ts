// Dispatch for LayerNorm over the last dimension (x: f32[rows, cols]) and its gradient: the forward is one pass
// (a workgroup per row), the backward a row pass for dx plus two column passes (chunked partials → combine) for
// dgamma and dbeta. No atomics. Pure dispatch math plus encoder calls; any thread with a GPUDevice.
import commonSource from './lnCommon.wgsl?raw';
import forwardSource from './lnForward.wgsl?raw';
import dxSource from './lnBackwardDx.wgsl?raw';
import partialSource from './lnBackwardParamsPartial.wgsl?raw';
import combineSource from './lnBackwardParamsCombine.wgsl?raw';
import { getPipeline } from '../../pipelines.ts';
import { createStorage } from '../../buffers.ts';
import { validateLayerNormDims, type LayerNormDims } from './layernorm.ref.ts';

export type { LayerNormDims } from './layernorm.ref.ts';

const WG = 64;
/** Column-pass chunks are at least this many rows; more when the chunk count would pass MAX_CHUNKS. */
const MIN_CHUNK_ROWS = 16;
const MAX_CHUNKS = 1024;

export interface LayerNormPlan {
  /** workgroups of the row passes: one per row, folded into (x, y) */
  readonly rowGroups: [number, number, number];
  readonly chunkRows: number;
  readonly chunks: number;
  /** workgroups of the partial pass: [ceil(cols / 64), chunks, 1] */
  readonly partialGroups: [number, number, number];
  /** workgroups of the combine pass: [ceil(cols / 64), 1, 1] */
  readonly combineGroups: [number, number, number];
}

export function layerNormPlan(dims: LayerNormDims, maxGroupsPerDim = 65535): LayerNormPlan {
  validateLayerNormDims(dims);
  const { rows, cols } = dims;
  const gx = Math.min(rows, maxGroupsPerDim);
  const gy = Math.ceil(rows / gx);
  const chunkRows = Math.max(MIN_CHUNK_ROWS, Math.ceil(rows / MAX_CHUNKS));
  const chunks = Math.ceil(rows / chunkRows);
  const colGroups = Math.ceil(cols / WG);
  if (gy > maxGroupsPerDim || colGroups > maxGroupsPerDim) {
    throw new RangeError(`layernorm: ${rows}×${cols} needs more workgroups than the device allows`);
  }
  return {
    rowGroups: [gx, gy, 1],
    chunkRows,
    chunks,
    partialGroups: [colGroups, chunks, 1],
    combineGroups: [colGroups, 1, 1],
  };
}

export interface LayerNormForwardInputs {
  /** f32[rows, cols] */
  readonly x: GPUBuffer;
  /** f32[cols] each */
  readonly gamma: GPUBuffer;
  readonly beta: GPUBuffer;
}

export interface LayerNormForwardOutputs {
  /** f32[rows, cols] */
  readonly y: GPUBuffer;
  /** f32[rows] each: row mean and 1/sqrt(var + eps) */
  readonly mean: GPUBuffer;
  readonly rstd: GPUBuffer;
}

export interface LayerNormBackwardInputs {
  /** f32[rows, cols] each */
  readonly dy: GPUBuffer;
  readonly x: GPUBuffer;
  /** f32[cols] */
  readonly gamma: GPUBuffer;
  /** f32[rows] each, from the forward */
  readonly mean: GPUBuffer;
  readonly rstd: GPUBuffer;
}

export interface LayerNormBackwardOutputs {
  /** f32[rows, cols] */
  readonly dx: GPUBuffer;
  /** f32[cols] each */
  readonly dgamma: GPUBuffer;
  readonly dbeta: GPUBuffer;
}

/** What an encode call produced: outputs (caller owns them) and temporaries to destroy after the submit. */
export interface LayerNormEncoded<T> {
  readonly outputs: T;
  readonly temporaries: GPUBuffer[];
}

export interface LayerNormEncodeOptions<T> {
  readonly eps: number;
  /** Buffers to write into (e.g. TF.js-owned tensors); any missing one is created. */
  readonly outputs?: Partial<T>;
  readonly label?: string;
}

function uploadParams(
  device: GPUDevice,
  label: string,
  dims: LayerNormDims,
  plan: LayerNormPlan,
  eps: number,
) {
  const data = new ArrayBuffer(32);
  new Uint32Array(data, 0, 5).set([dims.rows, dims.cols, plan.rowGroups[0], plan.chunkRows, plan.chunks]);
  new Float32Array(data, 20, 2).set([eps, 1 / dims.cols]);
  const buffer = device.createBuffer({
    label,
    size: 32,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

function dispatch(
  device: GPUDevice,
  pass: GPUComputePassEncoder,
  key: string,
  source: string,
  label: string,
  buffers: readonly GPUBuffer[],
  groups: readonly [number, number, number],
): void {
  const pipe = getPipeline(device, { key, code: `${commonSource}\n${source}` });
  const bindGroup = device.createBindGroup({
    label,
    layout: pipe.getBindGroupLayout(0),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  pass.setPipeline(pipe);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(...groups);
}

function checkSizes(dims: LayerNormDims, limits: GPUSupportedLimits): void {
  if (dims.rows * dims.cols * 4 > limits.maxStorageBufferBindingSize || dims.rows * dims.cols >= 2 ** 32) {
    throw new RangeError(`layernorm: ${dims.rows}×${dims.cols} exceeds maxStorageBufferBindingSize`);
  }
}

/** Encodes y = (x − mean)·rstd·gamma + beta per row, with mean and rstd = 1/sqrt(var + eps) per row. */
export function encodeLayerNormForward(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  inputs: LayerNormForwardInputs,
  dims: LayerNormDims,
  opts: LayerNormEncodeOptions<LayerNormForwardOutputs>,
): LayerNormEncoded<LayerNormForwardOutputs> {
  const plan = layerNormPlan(dims, device.limits.maxComputeWorkgroupsPerDimension);
  checkSizes(dims, device.limits);
  const label = opts.label ?? 'layernorm';
  const given = opts.outputs ?? {};
  const outputs: LayerNormForwardOutputs = {
    y: given.y ?? createStorage(device, `${label}:y`, dims.rows * dims.cols * 4),
    mean: given.mean ?? createStorage(device, `${label}:mean`, dims.rows * 4),
    rstd: given.rstd ?? createStorage(device, `${label}:rstd`, dims.rows * 4),
  };
  const params = uploadParams(device, `${label}:params`, dims, plan, opts.eps);
  const pass = encoder.beginComputePass({ label });
  dispatch(
    device,
    pass,
    'layernorm_fwd',
    forwardSource,
    label,
    [params, inputs.x, inputs.gamma, inputs.beta, outputs.y, outputs.mean, outputs.rstd],
    plan.rowGroups,
  );
  pass.end();
  return { outputs, temporaries: [params] };
}

/** Encodes dx, dgamma and dbeta of Σ y∘dy (see layerNormBackwardRef for the formulas). */
export function encodeLayerNormBackward(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  inputs: LayerNormBackwardInputs,
  dims: LayerNormDims,
  opts: LayerNormEncodeOptions<LayerNormBackwardOutputs>,
): LayerNormEncoded<LayerNormBackwardOutputs> {
  const plan = layerNormPlan(dims, device.limits.maxComputeWorkgroupsPerDimension);
  checkSizes(dims, device.limits);
  const label = opts.label ?? 'layernorm:grad';
  const given = opts.outputs ?? {};
  const outputs: LayerNormBackwardOutputs = {
    dx: given.dx ?? createStorage(device, `${label}:dx`, dims.rows * dims.cols * 4),
    dgamma: given.dgamma ?? createStorage(device, `${label}:dgamma`, dims.cols * 4),
    dbeta: given.dbeta ?? createStorage(device, `${label}:dbeta`, dims.cols * 4),
  };
  const params = uploadParams(device, `${label}:params`, dims, plan, opts.eps);
  const partials = createStorage(device, `${label}:partials`, plan.chunks * dims.cols * 8);
  const { dy, x, gamma, mean, rstd } = inputs;
  const pass = encoder.beginComputePass({ label });
  dispatch(
    device,
    pass,
    'layernorm_bwd_dx',
    dxSource,
    `${label}:dx`,
    [params, dy, x, gamma, mean, rstd, outputs.dx],
    plan.rowGroups,
  );
  dispatch(
    device,
    pass,
    'layernorm_bwd_partial',
    partialSource,
    `${label}:partial`,
    [params, dy, x, mean, rstd, partials],
    plan.partialGroups,
  );
  dispatch(
    device,
    pass,
    'layernorm_bwd_combine',
    combineSource,
    `${label}:combine`,
    [params, partials, outputs.dgamma, outputs.dbeta],
    plan.combineGroups,
  );
  pass.end();
  return { outputs, temporaries: [params, partials] };
}
