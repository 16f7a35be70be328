// The grouped/depthwise Conv3D op for TF.js (compute worker): three custom kernels (forward, input gradient,
// filter gradient) for the 'webgpu' backend (our WGSL) and the 'cpu' backend (the CPU references), and their
// gradients, so tf.grads / variableGrads differentiate through it (twice, too).
// x: f32[N,D,H,W,C] (NDHWC), w: f32[kD,kH,kW,C/groups,Cout] → y: f32[N,D',H',W',Cout].
import { tf } from '../tf.ts';
import {
  conv3dGeometry,
  outputShape,
  type Conv3DGeometry,
  type Conv3DOptions,
  type Conv3DPadding,
  type Triple,
} from '../../gpu/kernels/conv3d/geometry.ts';
import {
  conv3dBackpropFilterRef,
  conv3dBackpropInputRef,
  conv3dRef,
} from '../../gpu/kernels/conv3d/conv3d.ref.ts';
import { encodeGroupedConv3d } from '../../gpu/kernels/conv3d_grouped/conv3d_grouped.ts';
import { encodeGroupedConv3dBackpropInput } from '../../gpu/kernels/conv3d_grouped_dgrad/conv3d_grouped_dgrad.ts';
import { encodeGroupedConv3dBackpropFilter } from '../../gpu/kernels/conv3d_grouped_wgrad/conv3d_grouped_wgrad.ts';
import { asWebGpuBackend, runOnWebGpu } from './groupedConv3dInterop.ts';

export const GROUPED_CONV3D = 'TubeletGroupedConv3D';
export const GROUPED_CONV3D_BACKPROP_INPUT = 'TubeletGroupedConv3DBackpropInput';
export const GROUPED_CONV3D_BACKPROP_FILTER = 'TubeletGroupedConv3DBackpropFilter';

export interface GroupedConv3DOptions {
  readonly strides?: number | Triple;
  /** 'same' | 'valid' | one number for every side | [[before, after] × (D, H, W)]; default 'valid'. */
  readonly pad?: Conv3DPadding;
  readonly dilations?: number | Triple;
  /** Must divide C and Cout; 1 is a dense conv, C a depthwise one. */
  readonly groups: number;
}

type Shape = number[];

/** y = groupedConv3d(x, w). x: f32[N,D,H,W,C], w: f32[kD,kH,kW,C/groups,Cout] → f32[N,D',H',W',Cout]. */
export function groupedConv3d(x: tf.Tensor5D, w: tf.Tensor5D, opts: GroupedConv3DOptions): tf.Tensor5D {
  registerGroupedConv3dKernels();
  for (const [name, t] of [['x', x] as const, ['w', w] as const]) {
    if (t.dtype !== 'float32') throw new TypeError(`groupedConv3d: ${name} must be float32, got ${t.dtype}`);
  }
  conv3dGeometry(x.shape, w.shape, opts); // throws a RangeError naming the bad value before any kernel runs
  return tf.engine().runKernel<tf.Tensor5D>(GROUPED_CONV3D, { x, w }, toAttrs(opts));
}

/** Depthwise Conv3D: groups = C. w: f32[kD,kH,kW,1,C·multiplier]. */
export function depthwiseConv3d(
  x: tf.Tensor5D,
  w: tf.Tensor5D,
  opts: Omit<GroupedConv3DOptions, 'groups'> = {},
): tf.Tensor5D {
  return groupedConv3d(x, w, { ...opts, groups: x.shape[4] });
}

function toAttrs(opts: GroupedConv3DOptions): tf.NamedAttrMap {
  const triple = (v: number | Triple): number[] => (typeof v === 'number' ? [v, v, v] : [...v]);
  const pad = opts.pad ?? 'valid';
  return {
    strides: triple(opts.strides ?? 1),
    pad: typeof pad === 'string' || typeof pad === 'number' ? pad : pad.map((p) => [...p]),
    dilations: triple(opts.dilations ?? 1),
    groups: opts.groups,
  };
}

const isIntArray = (v: unknown, n: number): v is number[] =>
  Array.isArray(v) && v.length === n && v.every((e) => typeof e === 'number' && Number.isInteger(e));

function readTriple(v: unknown, name: string): Triple {
  if (!isIntArray(v, 3)) throw new TypeError(`grouped conv3d: attr ${name} must be 3 integers`);
  return [v[0] ?? 1, v[1] ?? 1, v[2] ?? 1];
}

function readPad(v: unknown): Conv3DPadding {
  if (v === 'same' || v === 'valid' || typeof v === 'number') return v;
  if (Array.isArray(v) && v.length === 3 && v.every((p) => isIntArray(p, 2))) {
    const pair = (i: number): readonly [number, number] => [v[i]?.[0] ?? 0, v[i]?.[1] ?? 0];
    return [pair(0), pair(1), pair(2)];
  }
  throw new TypeError(`grouped conv3d: attr pad is not 'same', 'valid', a number or 3 [before, after] pairs`);
}

function readOptions(attrs: tf.NamedAttrMap | undefined): Conv3DOptions {
  const groups = attrs?.groups;
  if (typeof groups !== 'number') throw new TypeError('grouped conv3d: attr groups must be a number');
  return {
    strides: readTriple(attrs?.strides, 'strides'),
    pad: readPad(attrs?.pad),
    dilations: readTriple(attrs?.dilations, 'dilations'),
    groups,
  };
}

function readShape(attrs: tf.NamedAttrMap | undefined, name: string): Shape {
  const v = attrs?.[name];
  if (!isIntArray(v, 5)) throw new TypeError(`grouped conv3d: attr ${name} must be a 5-D shape`);
  return v;
}

function input(inputs: tf.NamedTensorInfoMap, name: string, kernel: string): tf.TensorInfo {
  const t = inputs[name];
  if (!t) throw new TypeError(`${kernel}: missing input ${name}`);
  return t;
}

/** What each kernel computes, independent of the backend: its inputs, geometry and output shape. */
interface KernelSpec {
  readonly name: string;
  readonly inputs: readonly [string, string];
  readonly geometry: (a: Shape, b: Shape, attrs: tf.NamedAttrMap | undefined) => Conv3DGeometry;
  readonly outShape: (g: Conv3DGeometry) => Shape;
  readonly cpu: (a: Float32Array, b: Float32Array, g: Conv3DGeometry) => Float32Array;
  readonly encode: (
    device: GPUDevice,
    encoder: GPUCommandEncoder,
    a: GPUBuffer,
    b: GPUBuffer,
    g: Conv3DGeometry,
    opts: { output: GPUBuffer; temps: GPUBuffer[] },
  ) => GPUBuffer;
}

const filterShapeOf = (g: Conv3DGeometry): Shape => [g.kD, g.kH, g.kW, g.inC / g.groups, g.outC];

const SPECS: readonly KernelSpec[] = [
  {
    name: GROUPED_CONV3D,
    inputs: ['x', 'w'],
    geometry: (x, w, attrs) => conv3dGeometry(x, w, readOptions(attrs)),
    outShape: (g) => outputShape(g),
    cpu: conv3dRef,
    encode: encodeGroupedConv3d,
  },
  {
    name: GROUPED_CONV3D_BACKPROP_INPUT,
    inputs: ['dy', 'w'],
    geometry: (_dy, w, attrs) => conv3dGeometry(readShape(attrs, 'inputShape'), w, readOptions(attrs)),
    outShape: (g) => [g.batch, g.inD, g.inH, g.inW, g.inC],
    cpu: conv3dBackpropInputRef,
    encode: encodeGroupedConv3dBackpropInput,
  },
  {
    name: GROUPED_CONV3D_BACKPROP_FILTER,
    inputs: ['x', 'dy'],
    geometry: (x, _dy, attrs) => conv3dGeometry(x, readShape(attrs, 'filterShape'), readOptions(attrs)),
    outShape: filterShapeOf,
    cpu: conv3dBackpropFilterRef,
    encode: encodeGroupedConv3dBackpropFilter,
  },
];

/** The gradient kernels take dy separately from the shapes their geometry comes from: check it matches. */
function checkDy(spec: KernelSpec, g: Conv3DGeometry, tensors: readonly tf.TensorInfo[]): void {
  const expected = outputShape(g).join();
  spec.inputs.forEach((name, i) => {
    const shape = tensors[i]?.shape.join();
    if (name === 'dy' && shape !== expected)
      throw new RangeError(`${spec.name}: dy has shape [${shape ?? ''}], expected [${expected}]`);
  });
}

function webgpuKernel(spec: KernelSpec): tf.KernelConfig {
  return {
    kernelName: spec.name,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const webgpu = asWebGpuBackend(backend, spec.name);
      const a = input(inputs, spec.inputs[0], spec.name);
      const b = input(inputs, spec.inputs[1], spec.name);
      const g = spec.geometry(a.shape, b.shape, attrs);
      checkDy(spec, g, [a, b]);
      return runOnWebGpu(webgpu, [a, b], spec.outShape(g), spec.name, (ctx) => {
        const [aBuf, bBuf] = ctx.inputs;
        if (!aBuf || !bBuf) throw new Error(`${spec.name}: input buffers missing`);
        spec.encode(ctx.device, ctx.encoder, aBuf, bBuf, g, { output: ctx.output, temps: ctx.temps });
      });
    },
  };
}

function cpuKernel(spec: KernelSpec): tf.KernelConfig {
  return {
    kernelName: spec.name,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      if (!(backend instanceof tf.MathBackendCPU))
        throw new TypeError(`${spec.name}: expected the cpu backend`);
      const a = input(inputs, spec.inputs[0], spec.name);
      const b = input(inputs, spec.inputs[1], spec.name);
      const g = spec.geometry(a.shape, b.shape, attrs);
      checkDy(spec, g, [a, b]);
      const values = [a, b].map((t) => {
        const v = backend.readSync(t.dataId);
        if (!(v instanceof Float32Array)) throw new TypeError(`${spec.name}: inputs must be float32`);
        return v;
      });
      return backend.makeTensorInfo(
        spec.outShape(g),
        'float32',
        spec.cpu(values[0] ?? new Float32Array(), values[1] ?? new Float32Array(), g),
      );
    },
  };
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor =>
  tf.engine().runKernel<tf.Tensor>(name, inputs, attrs);

function saved(tensors: tf.Tensor[], kernel: string): [tf.Tensor, tf.Tensor] {
  const [a, b] = tensors;
  if (!a || !b) throw new Error(`${kernel} gradient: saved inputs missing`);
  return [a, b];
}

function single(dy: tf.Tensor | tf.Tensor[], kernel: string): tf.Tensor {
  if (Array.isArray(dy)) throw new Error(`${kernel} gradient: expected one output gradient`);
  return dy;
}

/** The op is bilinear, so every gradient is another of the three kernels (second derivatives included). */
const GRADIENTS: readonly tf.GradConfig[] = [
  {
    kernelName: GROUPED_CONV3D,
    inputsToSave: ['x', 'w'],
    gradFunc: (dyIn, savedInputs, attrs) => {
      const dy = single(dyIn, GROUPED_CONV3D);
      const [x, w] = saved(savedInputs, GROUPED_CONV3D);
      return {
        x: () => run(GROUPED_CONV3D_BACKPROP_INPUT, { dy, w }, { ...attrs, inputShape: x.shape }),
        w: () => run(GROUPED_CONV3D_BACKPROP_FILTER, { x, dy }, { ...attrs, filterShape: w.shape }),
      };
    },
  },
  {
    kernelName: GROUPED_CONV3D_BACKPROP_INPUT,
    inputsToSave: ['dy', 'w'],
    gradFunc: (gIn, savedInputs, attrs) => {
      const g = single(gIn, GROUPED_CONV3D_BACKPROP_INPUT);
      const [dy, w] = saved(savedInputs, GROUPED_CONV3D_BACKPROP_INPUT);
      return {
        dy: () => run(GROUPED_CONV3D, { x: g, w }, attrs),
        w: () => run(GROUPED_CONV3D_BACKPROP_FILTER, { x: g, dy }, { ...attrs, filterShape: w.shape }),
      };
    },
  },
  {
    kernelName: GROUPED_CONV3D_BACKPROP_FILTER,
    inputsToSave: ['x', 'dy'],
    gradFunc: (gIn, savedInputs, attrs) => {
      const g = single(gIn, GROUPED_CONV3D_BACKPROP_FILTER);
      const [x, dy] = saved(savedInputs, GROUPED_CONV3D_BACKPROP_FILTER);
      return {
        x: () => run(GROUPED_CONV3D_BACKPROP_INPUT, { dy, w: g }, { ...attrs, inputShape: x.shape }),
        dy: () => run(GROUPED_CONV3D, { x, w: g }, attrs),
      };
    },
  },
];

/** Registers the three kernels for 'webgpu' and 'cpu' and their gradients. Idempotent. */
export function registerGroupedConv3dKernels(): void {
  for (const spec of SPECS) {
    for (const config of [webgpuKernel(spec), cpuKernel(spec)]) {
      const known = tf.getKernelsForBackend(config.backendName).some((k) => k.kernelName === spec.name);
      if (!known) tf.registerKernel(config);
    }
  }
  for (const grad of GRADIENTS) {
    const existing = tf.getGradient(grad.kernelName) as tf.GradConfig | undefined; // undefined when none
    if (!existing) tf.registerGradient(grad);
  }
}
