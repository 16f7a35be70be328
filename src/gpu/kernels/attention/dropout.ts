// The counter-based dropout hash shared by the attention kernels (attention_common.wgsl) and the CPU references:
// keep(seed, bh, i, j) needs no stored mask, so forward and backward regenerate the same one. Pure; any thread.
import { dropoutThreshold } from './layout.ts';

/** murmur3's 32-bit finaliser; a bijection on u32. */
export function fmix32(x0: number): number {
  let x = x0 >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** Per-row part of the hash (computed once per query row). */
export function dropRowHash(seed: number, bh: number, i: number): number {
  const s = fmix32((seed + 0x9e3779b9) >>> 0);
  return fmix32((fmix32((s ^ bh) >>> 0) + Math.imul(i, 0x9e3779b9)) >>> 0);
}

/** Whether P[bh, i, j] survives dropout at `rate` with `seed`. */
export function dropKeep(seed: number, rate: number, bh: number, i: number, j: number): boolean {
  return fmix32((dropRowHash(seed, bh, i) ^ j) >>> 0) >= dropoutThreshold(rate);
}

/** The keep mask as 0/1 values over [bh, lq, lk] (for the composed reference and tests). */
export function dropKeepMask(seed: number, rate: number, bh: number, lq: number, lk: number): Float32Array {
  const threshold = dropoutThreshold(rate);
  const out = new Float32Array(bh * lq * lk);
  for (let b = 0; b < bh; b++) {
    for (let i = 0; i < lq; i++) {
      const row = dropRowHash(seed, b, i);
      const base = (b * lq + i) * lk;
      for (let j = 0; j < lk; j++) out[base + j] = fmix32((row ^ j) >>> 0) >= threshold ? 1 : 0;
    }
  }
  return out;
}
