// TF.js kernels 'TubeletAttention' and 'TubeletAttentionGrad' for the 'webgpu' backend (our WGSL passes) and
// the 'cpu' backend (the CPU reference), plus the attribute encoding both share. Compute worker (or tests).
//
// TubeletAttention     inputs q, k, v, mask?, keyLengths?         → [o f32[oSize], lse f32[bh·lq]]
// TubeletAttentionGrad inputs q, k, v, o, lse, dy, mask?, keyLengths? → [dq f32[qSize], dk f32[kSize], dv f32[vSize]]
// All tensors are read and written through the strided views in the attributes; outputs are flat.
import { tf } from '../tf.ts';
import { encodeAttentionForward } from '../../gpu/kernels/attention/attention.ts';
import { encodeAttentionBackward } from '../../gpu/kernels/attention_bwd/attention_bwd.ts';
import {
  attentionBackwardRef,
  attentionForwardRef,
  gatherRows,
  scatterRows,
  type RefOptions,
} from '../../gpu/kernels/attention/attention.ref.ts';
import {
  ROLES,
  seqCount,
  type AttentionGeometry,
  type HeadDim,
  type RoleViews,
  type RowView,
  type View,
} from '../../gpu/kernels/attention/layout.ts';
import {
  flushBackend,
  hostValues,
  inputBuffer,
  isHostBackend,
  isWebGpuBackend,
  outputBuffer,
  type HostBackendLike,
  type WebGpuBackendLike,
} from './attentionInterop.ts';

export const ATTENTION_KERNEL = 'TubeletAttention';
export const ATTENTION_GRAD_KERNEL = 'TubeletAttentionGrad';

/** Everything a kernel call needs besides its tensors. */
export interface AttentionCallSpec {
  readonly geometry: AttentionGeometry;
  readonly views: RoleViews;
  readonly scale: number;
  readonly dropout: { readonly rate: number; readonly seed: number } | null;
  /** Flat element counts of o (forward output) and of dq, dk, dv (gradient outputs). */
  readonly sizes: { readonly o: number; readonly q: number; readonly k: number; readonly v: number };
  /** Zero outputs first: set when the views leave elements unwritten (e.g. class-token rows). */
  readonly clear: boolean;
}

const viewWords = (v: View): number[] => [v.offset, v.outer, v.inner, v.head, v.token];

export function encodeAttrs(spec: AttentionCallSpec): tf.NamedAttrMap {
  const g = spec.geometry;
  return {
    geometry: [g.batch, g.inner, g.heads, g.lq, g.lk, g.headDim, g.prefix],
    views: ROLES.flatMap((r) => [...viewWords(spec.views[r].main), ...viewWords(spec.views[r].prefix)]),
    scale: spec.scale,
    dropout: spec.dropout ? [spec.dropout.rate, spec.dropout.seed] : [],
    sizes: [spec.sizes.o, spec.sizes.q, spec.sizes.k, spec.sizes.v],
    clear: spec.clear,
  };
}

function numbers(attrs: tf.NamedAttrMap | undefined, name: string): number[] {
  const value = attrs?.[name];
  if (!Array.isArray(value) || !value.every((x): x is number => typeof x === 'number')) {
    throw new Error(`attention: attribute ${name} must be a number array`);
  }
  return value;
}

export function decodeAttrs(attrs: tf.NamedAttrMap | undefined): AttentionCallSpec {
  const [batch = 0, inner = 0, heads = 0, lq = 0, lk = 0, d = 0, prefix = 0] = numbers(attrs, 'geometry');
  const w = numbers(attrs, 'views');
  const view = (at: number): View => ({
    offset: w[at] ?? 0,
    outer: w[at + 1] ?? 0,
    inner: w[at + 2] ?? 0,
    head: w[at + 3] ?? 0,
    token: w[at + 4] ?? 0,
  });
  const rowView = (r: number): RowView => ({ main: view(r * 10), prefix: view(r * 10 + 5) });
  const views = Object.fromEntries(ROLES.map((role, r) => [role, rowView(r)])) as Record<
    (typeof ROLES)[number],
    RowView
  >;
  const [rate, seed] = numbers(attrs, 'dropout');
  const [o = 0, q = 0, k = 0, v = 0] = numbers(attrs, 'sizes');
  const scale = attrs?.scale;
  if (typeof scale !== 'number') throw new Error('attention: attribute scale must be a number');
  return {
    geometry: { batch, inner, heads, lq, lk, headDim: d as HeadDim, prefix },
    views,
    scale,
    dropout: rate !== undefined && seed !== undefined ? { rate, seed } : null,
    sizes: { o, q, k, v },
    clear: attrs?.clear === true,
  };
}

function required(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const info = inputs[name];
  if (!info) throw new Error(`attention: missing input ${name}`);
  return info;
}

function gpuOptions(spec: AttentionCallSpec): { scale: number; dropout: AttentionCallSpec['dropout'] } {
  return { scale: spec.scale, dropout: spec.dropout };
}

function optionalBuffers(
  backend: WebGpuBackendLike,
  inputs: tf.NamedTensorInfoMap,
): { mask?: GPUBuffer; keyLengths?: GPUBuffer } {
  const mask = inputs.mask;
  const lens = inputs.keyLengths;
  return {
    ...(mask ? { mask: inputBuffer(backend, mask) } : {}),
    ...(lens ? { keyLengths: inputBuffer(backend, lens) } : {}),
  };
}

function forwardWebGpu(backend: WebGpuBackendLike, inputs: tf.NamedTensorInfoMap, spec: AttentionCallSpec) {
  const { device } = backend;
  const q = inputBuffer(backend, required(inputs, 'q'));
  const k = inputBuffer(backend, required(inputs, 'k'));
  const v = inputBuffer(backend, required(inputs, 'v'));
  const extra = optionalBuffers(backend, inputs);
  const o = outputBuffer(backend, [spec.sizes.o], 'attention:o');
  const lse = outputBuffer(backend, [seqCount(spec.geometry) * spec.geometry.lq], 'attention:lse');
  flushBackend(backend);
  const encoder = device.createCommandEncoder({ label: 'TubeletAttention' });
  if (spec.clear) encoder.clearBuffer(o.buffer);
  const { done } = encodeAttentionForward(
    device,
    encoder,
    spec.geometry,
    spec.views,
    { q, k, v, o: o.buffer, lse: lse.buffer, ...extra },
    gpuOptions(spec),
  );
  device.queue.submit([encoder.finish()]);
  done();
  return [o.info, lse.info];
}

function backwardWebGpu(backend: WebGpuBackendLike, inputs: tf.NamedTensorInfoMap, spec: AttentionCallSpec) {
  const { device } = backend;
  const buffers = {
    q: inputBuffer(backend, required(inputs, 'q')),
    k: inputBuffer(backend, required(inputs, 'k')),
    v: inputBuffer(backend, required(inputs, 'v')),
    o: inputBuffer(backend, required(inputs, 'o')),
    lse: inputBuffer(backend, required(inputs, 'lse')),
    dO: inputBuffer(backend, required(inputs, 'dy')),
    ...optionalBuffers(backend, inputs),
  };
  const dq = outputBuffer(backend, [spec.sizes.q], 'attention:dq');
  const dk = outputBuffer(backend, [spec.sizes.k], 'attention:dk');
  const dv = outputBuffer(backend, [spec.sizes.v], 'attention:dv');
  flushBackend(backend);
  // One bound buffer for dk and dv (8-storage-buffer limit): dv's views shift past dk, then both are copied out.
  const kBytes = spec.sizes.k * 4;
  const dkv = device.createBuffer({
    label: 'attention:dkv',
    size: kBytes + spec.sizes.v * 4,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  const shift = (rv: RowView): RowView => ({
    main: { ...rv.main, offset: rv.main.offset + spec.sizes.k },
    prefix: { ...rv.prefix, offset: rv.prefix.offset + spec.sizes.k },
  });
  const encoder = device.createCommandEncoder({ label: 'TubeletAttentionGrad' });
  if (spec.clear) {
    encoder.clearBuffer(dq.buffer);
    encoder.clearBuffer(dkv);
  }
  const { done } = encodeAttentionBackward(
    device,
    encoder,
    spec.geometry,
    { ...spec.views, dv: shift(spec.views.dv) },
    { ...buffers, dq: dq.buffer, dkv },
    gpuOptions(spec),
  );
  encoder.copyBufferToBuffer(dkv, 0, dk.buffer, 0, kBytes);
  encoder.copyBufferToBuffer(dkv, kBytes, dv.buffer, 0, spec.sizes.v * 4);
  device.queue.submit([encoder.finish()]);
  done();
  dkv.destroy();
  return [dq.info, dk.info, dv.info];
}

interface HostTensors {
  readonly q: Float32Array;
  readonly k: Float32Array;
  readonly v: Float32Array;
  readonly opts: RefOptions;
}

function readHost(
  backend: HostBackendLike,
  inputs: tf.NamedTensorInfoMap,
  spec: AttentionCallSpec,
): HostTensors {
  const g = spec.geometry;
  const f32 = (name: string): Float32Array => Float32Array.from(hostValues(backend, required(inputs, name)));
  const mask = inputs.mask ? hostValues(backend, inputs.mask) : null;
  const lens = inputs.keyLengths ? hostValues(backend, inputs.keyLengths) : null;
  return {
    q: gatherRows(f32('q'), g, spec.views.q, g.lq),
    k: gatherRows(f32('k'), g, spec.views.k, g.lk),
    v: gatherRows(f32('v'), g, spec.views.v, g.lk),
    opts: { scale: spec.scale, mask, keyLengths: lens, dropout: spec.dropout },
  };
}

const refDims = (g: AttentionGeometry) => ({
  bh: seqCount(g),
  lq: g.lq,
  lk: g.lk,
  d: g.headDim,
  seqPerBatch: g.inner * g.heads,
});

function forwardHost(backend: HostBackendLike, inputs: tf.NamedTensorInfoMap, spec: AttentionCallSpec) {
  const g = spec.geometry;
  const t = readHost(backend, inputs, spec);
  const { o, lse } = attentionForwardRef(t.q, t.k, t.v, refDims(g), t.opts);
  const out = new Float32Array(spec.sizes.o);
  scatterRows(o, out, g, spec.views.o, g.lq);
  return [
    backend.makeTensorInfo([out.length], 'float32', out),
    backend.makeTensorInfo([lse.length], 'float32', lse),
  ];
}

function backwardHost(backend: HostBackendLike, inputs: tf.NamedTensorInfoMap, spec: AttentionCallSpec) {
  const g = spec.geometry;
  const t = readHost(backend, inputs, spec);
  const dy = gatherRows(
    Float32Array.from(hostValues(backend, required(inputs, 'dy'))),
    g,
    spec.views.do,
    g.lq,
  );
  const grads = attentionBackwardRef(t.q, t.k, t.v, dy, refDims(g), t.opts);
  const place = (rows: Float32Array, size: number, rv: RowView, length: number): tf.TensorInfo => {
    const out = new Float32Array(size);
    scatterRows(rows, out, g, rv, length);
    return backend.makeTensorInfo([size], 'float32', out);
  };
  return [
    place(grads.dq, spec.sizes.q, spec.views.dq, g.lq),
    place(grads.dk, spec.sizes.k, spec.views.dk, g.lk),
    place(grads.dv, spec.sizes.v, spec.views.dv, g.lk),
  ];
}

function kernel(webgpu: typeof forwardWebGpu, host: typeof forwardHost): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const spec = decodeAttrs(attrs);
    if (isWebGpuBackend(backend)) return webgpu(backend, inputs, spec);
    if (isHostBackend(backend)) return host(backend, inputs, spec);
    throw new Error('attention: unsupported backend (expected webgpu or cpu)');
  };
}

let registered = false;

/** Registers both kernels for 'webgpu' and 'cpu' (idempotent). */
export function registerAttentionKernels(): void {
  if (registered) return;
  registered = true;
  const forward = kernel(forwardWebGpu, forwardHost);
  const backward = kernel(backwardWebGpu, backwardHost);
  for (const backendName of ['webgpu', 'cpu']) {
    tf.registerKernel({ kernelName: ATTENTION_KERNEL, backendName, kernelFunc: forward });
    tf.registerKernel({ kernelName: ATTENTION_GRAD_KERNEL, backendName, kernelFunc: backward });
  }
}
