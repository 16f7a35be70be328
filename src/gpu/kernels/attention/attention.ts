// Dispatch for the fused attention forward kernel: specialises attention.wgsl per head dim / masks / dropout /
// subgroups, packs the Params block and encodes one compute pass. Runs where the GPUDevice lives (compute worker).
// Inputs are read through strided views (layout.ts); outputs: o (through its view), lse f32[batch·inner·heads, lq].
import common from './attention_common.wgsl?raw';
import source from './attention.wgsl?raw';
import { getPipeline } from '../../pipelines.ts';
import { uploadUniformU32 } from '../../buffers.ts';
import { constPrelude, hoistEnables, specialiseWgsl } from './wgslTemplate.ts';
import {
  chooseTiles,
  foldDispatch,
  packParams,
  seqCount,
  validateGeometry,
  validateViews,
  viewExtent,
  type AttentionGeometry,
  type DropoutSpec,
  type HeadDim,
  type KernelKind,
  type Role,
  type RoleViews,
  type SubgroupSizes,
  type TileConfig,
} from './layout.ts';

/** Options shared by the forward and backward encoders. */
export interface AttentionOptions {
  /** Multiplies q·kᵀ; 1/sqrt(d) when omitted. */
  readonly scale?: number;
  readonly dropout?: DropoutSpec | null;
  /** 'auto' uses subgroup shuffles where the device has them in a usable size range; false never does. */
  readonly subgroups?: 'auto' | false;
  /** Workgroup memory budget in bytes (default 16 KiB, capped by the device limit). */
  readonly workgroupBudget?: number;
  /**
   * Largest staging tile (rows per step). Default 32, but 4 on a fallback (software) adapter: SwiftShader
   * unrolls the constant-trip loops, and its compile time grows steeply with the tile (≈0.5 s at 4, 4 s at 16).
   */
  readonly maxTile?: number;
}

export interface AttentionForwardBuffers {
  readonly q: GPUBuffer;
  readonly k: GPUBuffer;
  readonly v: GPUBuffer;
  readonly o: GPUBuffer;
  readonly lse: GPUBuffer;
  /** f32[lq, lk] additive mask, broadcast over every sequence; ≤ −1e30 (or −∞) masks the key out. */
  readonly mask?: GPUBuffer;
  /** i32[batch]: keys j ≥ lengths[outer] are masked for every sequence of that outer batch index. */
  readonly keyLengths?: GPUBuffer;
}

/** GPUDevice.adapterInfo, which browsers before Chrome 131 lack (so every field may be missing). */
function adapterInfoOf(device: GPUDevice): Partial<GPUAdapterInfo> | undefined {
  return (device as { adapterInfo?: Partial<GPUAdapterInfo> }).adapterInfo;
}

/** The adapter's subgroup size range when the device enabled `subgroups`, else null. */
export function deviceSubgroups(device: GPUDevice): SubgroupSizes | null {
  if (!device.features.has('subgroups')) return null;
  const info = adapterInfoOf(device);
  const min = info?.subgroupMinSize ?? 0;
  const max = info?.subgroupMaxSize ?? 0;
  return min > 0 && max >= min ? { min, max } : null;
}

export function resolveTiles(
  device: GPUDevice,
  kind: KernelKind,
  d: HeadDim,
  rowsPerSeq: number,
  options: AttentionOptions,
): TileConfig {
  const sizes = options.subgroups === false ? null : deviceSubgroups(device);
  const budget = Math.min(options.workgroupBudget ?? 16384, device.limits.maxComputeWorkgroupStorageSize);
  const info = adapterInfoOf(device);
  const maxTile = options.maxTile ?? (info?.isFallbackAdapter ? 4 : 32);
  return chooseTiles(kind, d, rowsPerSeq, sizes, budget, maxTile);
}

/** Builds (or fetches) the pipeline of one kernel variant from its template. */
export function attentionPipeline(
  device: GPUDevice,
  name: string,
  template: string,
  d: HeadDim,
  tiles: TileConfig,
): GPUComputePipeline {
  const key = `${name}_d${d}_l${tiles.lanes}_t${tiles.tile}${tiles.subgroups ? '_sg' : ''}`;
  const prelude = constPrelude({
    D4: d / 4,
    LANES: tiles.lanes,
    W4: d / 4 / tiles.lanes,
    ROWS: tiles.rows,
    WG: tiles.rows * tiles.lanes,
    BC: tiles.tile,
  });
  const code = hoistEnables(
    specialiseWgsl([prelude, common, template].join('\n'), { SUBGROUPS: tiles.subgroups }),
  );
  return getPipeline(device, { key, code });
}

export function activeDropout(options: AttentionOptions): DropoutSpec | null {
  return options.dropout && options.dropout.rate > 0 ? options.dropout : null;
}

const dummies = new WeakMap<GPUDevice, GPUBuffer>();

/** A 16-byte zero buffer bound in place of an absent mask or key-length buffer (one per device). */
export function dummyBuffer(device: GPUDevice): GPUBuffer {
  let buffer = dummies.get(device);
  if (!buffer) {
    buffer = device.createBuffer({ label: 'attention:dummy', size: 16, usage: GPUBufferUsage.STORAGE });
    dummies.set(device, buffer);
  }
  return buffer;
}

/** Bindings 0–5 of attention_common.wgsl: params, q, k, v, mask, key lengths. */
export function sharedEntries(
  device: GPUDevice,
  params: GPUBuffer,
  buffers: { q: GPUBuffer; k: GPUBuffer; v: GPUBuffer; mask?: GPUBuffer; keyLengths?: GPUBuffer },
): GPUBindGroupEntry[] {
  return [
    { binding: 0, resource: { buffer: params } },
    { binding: 1, resource: { buffer: buffers.q } },
    { binding: 2, resource: { buffer: buffers.k } },
    { binding: 3, resource: { buffer: buffers.v } },
    { binding: 4, resource: { buffer: buffers.mask ?? dummyBuffer(device) } },
    { binding: 5, resource: { buffer: buffers.keyLengths ?? dummyBuffer(device) } },
  ];
}

export function defaultScale(d: number): number {
  return 1 / Math.sqrt(d);
}

/** Checks buffer sizes against the geometry so that robust-access clamping never hides a layout bug. */
export function checkBuffer(name: string, buffer: GPUBuffer, elements: number, bytesPerElement = 4): void {
  if (buffer.size < elements * bytesPerElement) {
    throw new RangeError(
      `attention: buffer ${name} holds ${buffer.size} bytes, needs ${elements * bytesPerElement}`,
    );
  }
}

export function checkInputs(
  g: AttentionGeometry,
  views: Partial<RoleViews>,
  buffers: { readonly [K in Role | 'mask' | 'keyLengths']?: GPUBuffer },
): void {
  validateGeometry(g);
  validateViews(views);
  for (const role of ['q', 'k', 'v', 'o', 'do', 'dq', 'dk', 'dv'] as const) {
    const buffer = buffers[role];
    const rv = views[role];
    if (buffer && rv)
      checkBuffer(role, buffer, viewExtent(g, rv, role.endsWith('k') || role.endsWith('v') ? g.lk : g.lq));
  }
  if (buffers.mask) checkBuffer('mask', buffers.mask, g.lq * g.lk);
  if (buffers.keyLengths) checkBuffer('keyLengths', buffers.keyLengths, g.batch);
}

/** Encodes the forward pass into `encoder`. Buffers are not retained; the uniform block is destroyed by `done`. */
export function encodeAttentionForward(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  geometry: AttentionGeometry,
  views: Pick<RoleViews, 'q' | 'k' | 'v' | 'o'>,
  buffers: AttentionForwardBuffers,
  options: AttentionOptions = {},
): { done: () => void } {
  checkInputs(geometry, views, buffers);
  checkBuffer('lse', buffers.lse, seqCount(geometry) * geometry.lq);
  const tiles = resolveTiles(device, 'fwd', geometry.headDim, geometry.lq, options);
  const dropout = activeDropout(options);
  const pipeline = attentionPipeline(device, 'attention_fwd', source, geometry.headDim, tiles);
  const rowTiles = Math.ceil(geometry.lq / tiles.rows);
  const params = uploadUniformU32(device, 'attention_fwd:params', [
    ...packParams({
      geometry,
      views,
      scale: options.scale ?? defaultScale(geometry.headDim),
      dropout,
      tiles: rowTiles,
      hasMask: !!buffers.mask,
      hasKeyLengths: !!buffers.keyLengths,
    }),
  ]);
  const bindGroup = device.createBindGroup({
    label: 'attention_fwd',
    layout: pipeline.getBindGroupLayout(0),
    entries: sharedEntries(device, params, buffers).concat([
      { binding: 6, resource: { buffer: buffers.o } },
      { binding: 7, resource: { buffer: buffers.lse } },
    ]),
  });
  const pass = encoder.beginComputePass({ label: 'attention_fwd' });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(
    ...foldDispatch(rowTiles * seqCount(geometry), device.limits.maxComputeWorkgroupsPerDimension),
  );
  pass.end();
  return {
    done: () => {
      params.destroy();
    },
  };
}
