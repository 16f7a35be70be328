// Test helpers for the attention kernels (GPU tests only): seeded inputs, buffer upload/read-back and a runner
// that executes the forward kernel on raw GPUBuffers. Runs in the browser test page's thread.
import { Rng } from '../../../shared/random.ts';
import { createStorage, readFloat32, uploadStorage } from '../../buffers.ts';
import { encodeAttentionForward, type AttentionOptions } from './attention.ts';
import type { AttentionGeometry, RoleViews } from './layout.ts';

export interface RandomInputs {
  readonly q: Float32Array;
  readonly k: Float32Array;
  readonly v: Float32Array;
  readonly dO: Float32Array;
}

/** Uniform(−1, 1) values of the given element counts, from one seeded stream. */
export function randomInputs(seed: number, qLen: number, kLen: number): RandomInputs {
  const rng = new Rng(seed);
  return { q: rng.float32(qLen), k: rng.float32(kLen), v: rng.float32(kLen), dO: rng.float32(qLen) };
}

/** A causal-plus-random additive mask f32[lq, lk] with −∞, large negative and small finite entries. */
export function randomMask(seed: number, lq: number, lk: number): Float32Array {
  const rng = new Rng(seed);
  const mask = new Float32Array(lq * lk);
  for (let i = 0; i < lq; i++) {
    for (let j = 0; j < lk; j++) {
      const r = rng.next();
      mask[i * lk + j] = r < 0.15 ? -Infinity : r < 0.2 ? -1e9 : rng.uniform(-1, 1);
    }
    mask[i * lk + (i % lk)] = 0.5; // every row keeps at least one key
  }
  return mask;
}

export interface ForwardRun {
  readonly o: Float32Array;
  readonly lse: Float32Array;
}

/** Runs the forward kernel once on uploaded copies of the arrays and reads o (oElements) and lse back. */
export async function runForward(
  device: GPUDevice,
  g: AttentionGeometry,
  views: Pick<RoleViews, 'q' | 'k' | 'v' | 'o'>,
  data: { q: Float32Array; k: Float32Array; v: Float32Array; mask?: Float32Array; keyLengths?: Int32Array },
  oElements: number,
  options: AttentionOptions = {},
): Promise<ForwardRun> {
  const owned: GPUBuffer[] = [];
  const up = (label: string, a: Float32Array | Uint32Array): GPUBuffer => {
    const b = uploadStorage(device, `test:${label}`, a);
    owned.push(b);
    return b;
  };
  const bh = g.batch * g.inner * g.heads;
  const o = createStorage(device, 'test:o', oElements * 4);
  const lse = createStorage(device, 'test:lse', bh * g.lq * 4);
  owned.push(o, lse);
  try {
    const encoder = device.createCommandEncoder({ label: 'test:attention_fwd' });
    encoder.clearBuffer(o);
    const { done } = encodeAttentionForward(
      device,
      encoder,
      g,
      views,
      {
        q: up('q', data.q),
        k: up('k', data.k),
        v: up('v', data.v),
        o,
        lse,
        ...(data.mask ? { mask: up('mask', data.mask) } : {}),
        ...(data.keyLengths
          ? {
              keyLengths: up(
                'lens',
                new Uint32Array(data.keyLengths.buffer, data.keyLengths.byteOffset, data.keyLengths.length),
              ),
            }
          : {}),
      },
      options,
    );
    device.queue.submit([encoder.finish()]);
    done();
    return {
      o: await readFloat32(device, o, oElements * 4),
      lse: await readFloat32(device, lse, bh * g.lq * 4),
    };
  } finally {
    for (const b of owned) b.destroy();
  }
}
