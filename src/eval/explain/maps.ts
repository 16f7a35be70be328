// Pure helpers for explanation maps (any thread): trilinear upsampling as PyTorch's align_corners=False,
// min–max normalisation to [0, 1] and to uint8.

/** A dense T×H×W map, row-major (t, then h, then w). */
export interface Map3D {
  readonly t: number;
  readonly h: number;
  readonly w: number;
  readonly data: Float32Array;
}

function axis(inN: number, outN: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(outN);
  const i1 = new Int32Array(outN);
  const f = new Float32Array(outN);
  const scale = inN / outN;
  for (let o = 0; o < outN; o++) {
    const src = Math.max(0, (o + 0.5) * scale - 0.5);
    const lo = Math.min(Math.floor(src), inN - 1);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, inN - 1);
    f[o] = src - lo;
  }
  return { i0, i1, f };
}

/** Trilinear resize of `m` to t×h×w (PyTorch F.interpolate(mode='trilinear', align_corners=False)). */
export function resizeTrilinear(m: Map3D, t: number, h: number, w: number): Map3D {
  const at = axis(m.t, t);
  const ah = axis(m.h, h);
  const aw = axis(m.w, w);
  const src = m.data;
  const get = (a: number, b: number, c: number): number => src[(a * m.h + b) * m.w + c] ?? 0;
  const out = new Float32Array(t * h * w);
  for (let a = 0; a < t; a++) {
    const [ta0, ta1, tf] = [at.i0[a] ?? 0, at.i1[a] ?? 0, at.f[a] ?? 0];
    for (let b = 0; b < h; b++) {
      const [hb0, hb1, hf] = [ah.i0[b] ?? 0, ah.i1[b] ?? 0, ah.f[b] ?? 0];
      for (let c = 0; c < w; c++) {
        const [wc0, wc1, wf] = [aw.i0[c] ?? 0, aw.i1[c] ?? 0, aw.f[c] ?? 0];
        const plane = (ti: number): number => {
          const top = get(ti, hb0, wc0) * (1 - wf) + get(ti, hb0, wc1) * wf;
          const bottom = get(ti, hb1, wc0) * (1 - wf) + get(ti, hb1, wc1) * wf;
          return top * (1 - hf) + bottom * hf;
        };
        out[(a * h + b) * w + c] = plane(ta0) * (1 - tf) + plane(ta1) * tf;
      }
    }
  }
  return { t, h, w, data: out };
}

/** (x − min) / (max − min); an all-constant map becomes all zeros. */
export function normalise01(data: Float32Array): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  return data.map((v) => (span > 0 ? (v - lo) / span : 0));
}

/** A [0, 1] map as bytes 0…255 (rounded). */
export function toUint8(data01: Float32Array): Uint8Array {
  return Uint8Array.from(data01, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
}
