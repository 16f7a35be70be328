// Test helper (GPU tests only): runs the fused attention forward then backward on raw GPUBuffers and reads the
// gradients back. dk and dv share one output buffer [dk | dv]. Runs in the browser test page's thread.
import { createStorage, readFloat32, uploadStorage } from '../../buffers.ts';
import { encodeAttentionForward, type AttentionOptions } from '../attention/attention.ts';
import type { AttentionGeometry, RoleViews } from '../attention/layout.ts';
import { encodeAttentionBackward } from './attention_bwd.ts';

export interface BackwardData {
  readonly q: Float32Array;
  readonly k: Float32Array;
  readonly v: Float32Array;
  readonly dO: Float32Array;
  readonly mask?: Float32Array;
  readonly keyLengths?: Int32Array;
}

export interface BackwardSizes {
  /** Elements of o / dO / dq (q's view extent) and of dk, dv (each; dv's view starts at `kv`). */
  readonly q: number;
  readonly kv: number;
}

export interface BackwardRun {
  readonly o: Float32Array;
  readonly dq: Float32Array;
  readonly dk: Float32Array;
  readonly dv: Float32Array;
}

export async function runForwardBackward(
  device: GPUDevice,
  g: AttentionGeometry,
  views: RoleViews,
  data: BackwardData,
  sizes: BackwardSizes,
  options: AttentionOptions = {},
): Promise<BackwardRun> {
  const owned: GPUBuffer[] = [];
  const up = (label: string, a: Float32Array | Uint32Array): GPUBuffer => {
    const b = uploadStorage(device, `test:${label}`, a);
    owned.push(b);
    return b;
  };
  const make = (label: string, elements: number): GPUBuffer => {
    const b = createStorage(device, `test:${label}`, elements * 4);
    owned.push(b);
    return b;
  };
  const rows = g.batch * g.inner * g.heads * g.lq;
  const lens = data.keyLengths;
  const common = {
    q: up('q', data.q),
    k: up('k', data.k),
    v: up('v', data.v),
    ...(data.mask ? { mask: up('mask', data.mask) } : {}),
    ...(lens ? { keyLengths: up('lens', new Uint32Array(lens.buffer, lens.byteOffset, lens.length)) } : {}),
  };
  const o = make('o', sizes.q);
  const lse = make('lse', rows);
  const dq = make('dq', sizes.q);
  const dkv = make('dkv', 2 * sizes.kv);
  try {
    const encoder = device.createCommandEncoder({ label: 'test:attention_fwd_bwd' });
    for (const b of [o, dq, dkv]) encoder.clearBuffer(b);
    const fwd = encodeAttentionForward(device, encoder, g, views, { ...common, o, lse }, options);
    const bwd = encodeAttentionBackward(
      device,
      encoder,
      g,
      views,
      { ...common, o, lse, dO: up('dO', data.dO), dq, dkv },
      options,
    );
    device.queue.submit([encoder.finish()]);
    fwd.done();
    bwd.done();
    const all = await readFloat32(device, dkv, 2 * sizes.kv * 4);
    return {
      o: await readFloat32(device, o, sizes.q * 4),
      dq: await readFloat32(device, dq, sizes.q * 4),
      dk: all.slice(0, sizes.kv),
      dv: all.slice(sizes.kv),
    };
  } finally {
    for (const b of owned) b.destroy();
  }
}

/** Contiguous views for every role with dv placed right after dk in the shared dkv buffer. */
export function withDvAfterDk(views: RoleViews, kvElements: number): RoleViews {
  const shift = (rv: RoleViews['dv']): RoleViews['dv'] => ({
    main: { ...rv.main, offset: rv.main.offset + kvElements },
    prefix: { ...rv.prefix, offset: rv.prefix.offset + kvElements },
  });
  return { ...views, dv: shift(views.dv) };
}
