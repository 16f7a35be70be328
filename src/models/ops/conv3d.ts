// TF.js kernel registrations that route Conv3D, Conv3DBackpropInputV2 and Conv3DBackpropFilterV2 on the `webgpu`
// backend to our WGSL kernels, so every tf.conv3d and its gradient use them (compute worker). The stock configs
// are kept to switch back (benchmarks) and as the fallback for inputs ours do not take (non-f32, NCDHW, textures).
import { tf } from '../tf.ts';
import type { Conv3DGeometry } from '../../gpu/kernels/conv3d/geometry.ts';
import type { GemmTile } from '../../gpu/kernels/gemmTile.ts';
import { encodeConv3d } from '../../gpu/kernels/conv3d/conv3d.ts';
import { encodeConv3dBackpropInput } from '../../gpu/kernels/conv3d_dgrad/conv3dDgrad.ts';
import { encodeConv3dBackpropFilter } from '../../gpu/kernels/conv3d_wgrad/conv3dWgrad.ts';
import { asWebGPUBackend, inputBuffer, runKernelToOutput, sizeOf, type TensorInfo } from './webgpuInterop.ts';

export type Conv3dKernelName = 'conv3d_fwd' | 'conv3d_dgrad' | 'conv3d_wgrad';
/** Picks the tile for one kernel launch (the autotuner); undefined means the kernel's own default. */
export type Conv3dTileChooser = (kernel: Conv3dKernelName, g: Conv3DGeometry) => GemmTile | undefined;

const BACKEND = 'webgpu';
const NAMES = ['Conv3D', 'Conv3DBackpropInputV2', 'Conv3DBackpropFilterV2'] as const;
type TfKernelName = (typeof NAMES)[number];
type KernelArgs = Parameters<tf.KernelFunc>[0];
type Triple = [number, number, number];
type Shape5 = [number, number, number, number, number];

let chooser: Conv3dTileChooser | null = null;
let implementation: 'tubelet' | 'stock' = 'tubelet';
const stock = new Map<TfKernelName, tf.KernelConfig>();
const calls = { fwd: 0, dgrad: 0, wgrad: 0, fallback: 0 };

function shape5(v: unknown, name: string): Shape5 {
  if (!Array.isArray(v) || v.length !== 5 || !v.every((n) => typeof n === 'number')) {
    throw new TypeError(`conv3d: ${name} must be a 5-D shape, got ${JSON.stringify(v)}`);
  }
  return v as Shape5;
}

function tripleAttr(v: unknown, name: string): number | Triple {
  if (v === undefined) return 1;
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length === 3 && v.every((n) => typeof n === 'number')) return v as Triple;
  throw new TypeError(`conv3d: ${name} must be a number or 3 numbers, got ${JSON.stringify(v)}`);
}

function padAttr(v: unknown): 'same' | 'valid' | number {
  if (v === 'same' || v === 'valid' || typeof v === 'number') return v;
  throw new TypeError(`conv3d: pad must be 'same', 'valid' or a number, got ${JSON.stringify(v)}`);
}

/** Conv3DGeometry from TF.js's own conv info, so padding matches its kernels exactly ('same' may pad by −1). */
export function geometryFromTf(
  xShape: Shape5,
  filterShape: Shape5,
  strides: number | Triple,
  pad: 'same' | 'valid' | number,
  dilations: number | Triple,
): Conv3DGeometry {
  const c = tf.backend_util.computeConv3DInfo(xShape, filterShape, strides, dilations, pad);
  const p = c.padInfo;
  return {
    batch: c.batchSize,
    inD: c.inDepth,
    inH: c.inHeight,
    inW: c.inWidth,
    inC: c.inChannels,
    outC: c.outChannels,
    groups: 1,
    kD: c.filterDepth,
    kH: c.filterHeight,
    kW: c.filterWidth,
    strideD: c.strideDepth,
    strideH: c.strideHeight,
    strideW: c.strideWidth,
    dilD: c.dilationDepth,
    dilH: c.dilationHeight,
    dilW: c.dilationWidth,
    padD: [p.front, p.back],
    padH: [p.top, p.bottom],
    padW: [p.left, p.right],
    outD: c.outDepth,
    outH: c.outHeight,
    outW: c.outWidth,
  };
}

function fallback(name: TfKernelName, args: KernelArgs): TensorInfo | TensorInfo[] {
  const config = stock.get(name);
  if (!config) throw new Error(`conv3d: TF.js's own ${name} webgpu kernel is not available`);
  calls.fallback++;
  return config.kernelFunc(args);
}

const takes = (tensors: readonly TensorInfo[]): boolean =>
  tensors.every((t) => t.dtype === 'float32' && sizeOf(t.shape) > 0);

const tileFor = (kernel: Conv3dKernelName, g: Conv3DGeometry): { tile?: GemmTile } => {
  const tile = chooser?.(kernel, g);
  return tile ? { tile } : {};
};

interface Plan {
  readonly g: Conv3DGeometry;
  readonly shape: readonly number[];
}
type Encode = (
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  a: GPUBuffer,
  b: GPUBuffer,
  out: GPUBuffer,
  g: Conv3DGeometry,
) => void;

/** Shared body of the three kernels: checks the inputs, gets their buffers, encodes into a TF.js output. */
function run(
  name: TfKernelName,
  args: KernelArgs,
  inputs: readonly [TensorInfo | undefined, TensorInfo | undefined],
  plan: (a: TensorInfo, b: TensorInfo, attrs: tf.NamedAttrMap) => Plan,
  encode: Encode,
): TensorInfo | TensorInfo[] {
  const backend = asWebGPUBackend(args.backend);
  const [a, b] = inputs;
  const attrs = args.attrs ?? {};
  if (!backend || !a || !b || !takes([a, b]) || attrs.dataFormat === 'NCDHW') return fallback(name, args);
  const { g, shape } = plan(a, b, attrs);
  const ab = inputBuffer(backend, a);
  const bb = inputBuffer(backend, b);
  if (!ab || !bb) return fallback(name, args);
  return runKernelToOutput(backend, `tubelet:${name}`, shape, (encoder, out) => {
    encode(backend.device, encoder, ab, bb, out, g);
  });
}

const conv3dForward: tf.KernelFunc = (args) =>
  run(
    'Conv3D',
    args,
    [args.inputs.x, args.inputs.filter],
    (x, filter, attrs) => {
      const strides = tripleAttr(attrs.strides, 'strides');
      const dilations = tripleAttr(attrs.dilations, 'dilations');
      const g = geometryFromTf(
        shape5(x.shape, 'x'),
        shape5(filter.shape, 'filter'),
        strides,
        padAttr(attrs.pad),
        dilations,
      );
      return { g, shape: [g.batch, g.outD, g.outH, g.outW, g.outC] };
    },
    (device, encoder, x, w, out, g) => {
      calls.fwd++;
      encodeConv3d(device, encoder, x, w, g, { out, ...tileFor('conv3d_fwd', g) });
    },
  );

const conv3dBackpropInput: tf.KernelFunc = (args) =>
  run(
    'Conv3DBackpropInputV2',
    args,
    [args.inputs.dy, args.inputs.filter],
    (_dy, filter, attrs) => {
      const shape = shape5(attrs.inputShape, 'inputShape');
      const strides = tripleAttr(attrs.strides, 'strides');
      return {
        g: geometryFromTf(shape, shape5(filter.shape, 'filter'), strides, padAttr(attrs.pad), 1),
        shape,
      };
    },
    (device, encoder, dy, w, out, g) => {
      calls.dgrad++;
      encodeConv3dBackpropInput(device, encoder, dy, w, g, { out, ...tileFor('conv3d_dgrad', g) });
    },
  );

const conv3dBackpropFilter: tf.KernelFunc = (args) =>
  run(
    'Conv3DBackpropFilterV2',
    args,
    [args.inputs.x, args.inputs.dy],
    (x, _dy, attrs) => {
      const shape = shape5(attrs.filterShape, 'filterShape');
      const strides = tripleAttr(attrs.strides, 'strides');
      return { g: geometryFromTf(shape5(x.shape, 'x'), shape, strides, padAttr(attrs.pad), 1), shape };
    },
    (device, encoder, x, dy, out, g) => {
      calls.wgrad++;
      encodeConv3dBackpropFilter(device, encoder, x, dy, g, { out, ...tileFor('conv3d_wgrad', g) });
    },
  );

const OURS: Readonly<Record<TfKernelName, tf.KernelConfig>> = {
  Conv3D: { kernelName: 'Conv3D', backendName: BACKEND, kernelFunc: conv3dForward },
  Conv3DBackpropInputV2: {
    kernelName: 'Conv3DBackpropInputV2',
    backendName: BACKEND,
    kernelFunc: conv3dBackpropInput,
  },
  Conv3DBackpropFilterV2: {
    kernelName: 'Conv3DBackpropFilterV2',
    backendName: BACKEND,
    kernelFunc: conv3dBackpropFilter,
  },
};

function registered(name: TfKernelName): tf.KernelConfig | undefined {
  const config: tf.KernelConfig | undefined = tf.getKernel(name, BACKEND); // undefined when none is registered
  return config;
}

/** Saves TF.js's configs (once), then registers the wanted implementation of each kernel. */
function apply(): void {
  for (const name of NAMES) {
    const current = registered(name);
    if (!stock.has(name) && current && current !== OURS[name]) stock.set(name, current);
  }
  for (const name of NAMES) {
    const want = implementation === 'tubelet' ? OURS[name] : stock.get(name);
    const current = registered(name);
    if (current === want) continue;
    if (current) tf.unregisterKernel(name, BACKEND);
    if (want) tf.registerKernel(want);
  }
}

/** Registers our Conv3D kernels for the webgpu backend (idempotent; initTf calls it after setBackend). */
export function registerConv3dKernels(): void {
  apply();
}

/** Swaps the registrations between ours and TF.js's stock kernels (the benchmark times both). */
export function setConv3dImplementation(which: 'tubelet' | 'stock'): void {
  implementation = which;
  apply();
}

export function setConv3dTileChooser(fn: Conv3dTileChooser | null): void {
  chooser = fn;
}

/** How often each of our kernels ran, and how often we handed inputs to TF.js's own kernels. */
export function conv3dKernelCalls(): Readonly<typeof calls> {
  return { ...calls };
}

/** Whether our kernel is what TF.js will run for `name` now. */
export function isTubeletConv3dRegistered(name: TfKernelName = 'Conv3D'): boolean {
  return registered(name) === OURS[name];
}
