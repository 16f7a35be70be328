// TF.js kernel registrations that route Conv3D, Conv3DBackpropInputV2 and Conv3DBackpropFilterV2 on the `webgpu`
// backend to our WGSL kernels, so every tf.conv3d and its gradient use them (compute worker). The stock configs
// are kept to switch back (benchmarks) and as the fallback for inputs ours do not take (non-f32, NCDHW, textures).
import { tf } from '../tf.ts';
import type { Conv3DGeometry } from '../../gpu/kernels/conv3d/geometry.ts';
import type { GemmTile } from '../../gpu/kernels/gemmTile.ts';
import { encodeConv3d } from '../../gpu/kernels/conv3d/conv3d.ts';
import { encodeConv3dBackpropInput } from '../../gpu/kernels/conv3d_dgrad/conv3dDgrad.ts';
import { encodeConv3dBackpropFilter } from '../../gpu/kernels/conv3d_wgrad/conv3dWgrad.ts';
import {
  asWebGPUBackend,
  flushTf,
  inputBuffer,
  outputTensor,
  runKernelToOutput,
  sizeOf,
  type TensorInfo,
} from './webgpuInterop.ts';

export type Conv3dKernelName = 'conv3d_fwd' | 'conv3d_dgrad' | 'conv3d_wgrad';
/** A launch's choice: one of our tiles, or TF.js's stock kernel (the autotuner found it faster there). */
export type Conv3dChoice = GemmTile | 'stock';
/** Picks the tile for one kernel launch (the autotuner); undefined means the kernel's own default. */
export type Conv3dTileChooser = (kernel: Conv3dKernelName, g: Conv3DGeometry) => Conv3dChoice | undefined;

const BACKEND = 'webgpu';
const NAMES = ['Conv3D', 'Conv3DBackpropInputV2', 'Conv3DBackpropFilterV2'] as const;
type TfKernelName = (typeof NAMES)[number];
type KernelArgs = Parameters<tf.KernelFunc>[0];
type Triple = [number, number, number];
type Shape5 = [number, number, number, number, number];

let chooser: Conv3dTileChooser | null = null;
let implementation: 'tubelet' | 'stock' = 'tubelet';
const stock = new Map<TfKernelName, tf.KernelConfig>();
const calls = { fwd: 0, dgrad: 0, wgrad: 0, fallback: 0, stockChosen: 0 };
const KERNEL_OF: Readonly<Record<TfKernelName, Conv3dKernelName>> = {
  Conv3D: 'conv3d_fwd',
  Conv3DBackpropInputV2: 'conv3d_dgrad',
  Conv3DBackpropFilterV2: 'conv3d_wgrad',
};

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

const tileOption = (tile: GemmTile | undefined): { tile?: GemmTile } => (tile ? { tile } : {});

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
  tile: GemmTile | undefined,
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
  const choice = chooser?.(KERNEL_OF[name], g);
  if (choice === 'stock' && stock.has(name)) {
    calls.stockChosen++;
    return (stock.get(name) as tf.KernelConfig).kernelFunc(args);
  }
  const tile = choice === 'stock' ? undefined : choice;
  const ab = inputBuffer(backend, a);
  const bb = inputBuffer(backend, b);
  if (!ab || !bb) return fallback(name, args);
  return runKernelToOutput(backend, `tubelet:${name}`, shape, (encoder, out) => {
    encode(backend.device, encoder, ab, bb, out, g, tile);
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
    (device, encoder, x, w, out, g, tile) => {
      calls.fwd++;
      encodeConv3d(device, encoder, x, w, g, { out, ...tileOption(tile) });
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
    (device, encoder, dy, w, out, g, tile) => {
      calls.dgrad++;
      encodeConv3dBackpropInput(device, encoder, dy, w, g, { out, ...tileOption(tile) });
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
    (device, encoder, x, dy, out, g, tile) => {
      calls.wgrad++;
      encodeConv3dBackpropFilter(device, encoder, x, dy, g, { out, ...tileOption(tile) });
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

const TF_NAME_OF: Readonly<Record<Conv3dKernelName, TfKernelName>> = {
  conv3d_fwd: 'Conv3D',
  conv3d_dgrad: 'Conv3DBackpropInputV2',
  conv3d_wgrad: 'Conv3DBackpropFilterV2',
};

/** TF.js attrs whose conv info reproduces `g` exactly ('same', 'valid' or one symmetric pad), else null. */
function tfAttrsFor(kernel: Conv3dKernelName, g: Conv3DGeometry): tf.NamedAttrMap | null {
  const x: Shape5 = [g.batch, g.inD, g.inH, g.inW, g.inC];
  const f: Shape5 = [g.kD, g.kH, g.kW, g.inC, g.outC];
  const strides: Triple = [g.strideD, g.strideH, g.strideW];
  const dilations: Triple = [g.dilD, g.dilH, g.dilW];
  if (g.groups !== 1 || (kernel !== 'conv3d_fwd' && dilations.some((d) => d !== 1))) return null;
  const same = (h: Conv3DGeometry): boolean =>
    (Object.keys(h) as (keyof Conv3DGeometry)[]).every((k) => JSON.stringify(h[k]) === JSON.stringify(g[k]));
  for (const pad of ['same', 'valid', g.padD[0]] as const) {
    let h: Conv3DGeometry;
    try {
      h = geometryFromTf(x, f, strides, pad, dilations);
    } catch {
      continue;
    }
    if (!same(h)) continue;
    const base = { strides, pad, dataFormat: 'NDHWC' };
    if (kernel === 'conv3d_fwd') return { ...base, dilations };
    return kernel === 'conv3d_dgrad' ? { ...base, inputShape: x } : { ...base, filterShape: f };
  }
  return null;
}

/**
 * One run of TF.js's stock kernel for geometry `g` on uninitialised inputs of the real sizes, submitted at once
 * (the autotuner times it as the stock candidate); returns its cleanup. Null when the stock kernel is not
 * registered, the backend is not webgpu, or TF.js's attrs cannot express `g`.
 */
export function stockConv3dRunner(kernel: Conv3dKernelName, g: Conv3DGeometry): (() => () => void) | null {
  const config = stock.get(TF_NAME_OF[kernel]);
  const backend = asWebGPUBackend(tf.backend());
  const attrs = tfAttrsFor(kernel, g);
  if (!config || !backend || !attrs) return null;
  const xShape = [g.batch, g.inD, g.inH, g.inW, g.inC];
  const fShape = [g.kD, g.kH, g.kW, g.inC, g.outC];
  const yShape = [g.batch, g.outD, g.outH, g.outW, g.outC];
  return () => {
    const [a, b] = (
      kernel === 'conv3d_fwd'
        ? [xShape, fShape]
        : kernel === 'conv3d_dgrad'
          ? [yShape, fShape]
          : [xShape, yShape]
    ).map((shape) => outputTensor(backend, shape).info) as [TensorInfo, TensorInfo];
    const inputs =
      kernel === 'conv3d_fwd'
        ? { x: a, filter: b }
        : kernel === 'conv3d_dgrad'
          ? { dy: a, filter: b }
          : { x: a, dy: b };
    const out = config.kernelFunc({ inputs, attrs, backend });
    flushTf(backend);
    return () => {
      for (const t of [a, b, ...(Array.isArray(out) ? out : [out])]) backend.disposeData(t.dataId);
    };
  };
}

/** Whether our kernel is what TF.js will run for `name` now. */
export function isTubeletConv3dRegistered(name: TfKernelName = 'Conv3D'): boolean {
  return registered(name) === OURS[name];
}
