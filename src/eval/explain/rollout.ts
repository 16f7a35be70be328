// Attention rollout and CLS-attention maps (pure, any thread): per-layer attention probabilities in, a token-to-token
// relevance matrix out (heads fused, residual identity added), CLS rows reshaped to T×H×W, DINO-style mass threshold.

/** One layer's attention: heads × N × N row-stochastic probabilities, row-major. */
export interface LayerAttention {
  readonly heads: number;
  readonly tokens: number;
  readonly probs: Float32Array;
}
/** A layer with joint attention, or divided space–time attention (temporal applied first, then spatial). */
export type RolloutLayer =
  LayerAttention | { readonly temporal: LayerAttention; readonly spatial: LayerAttention };
export type HeadFusion = 'mean' | 'max' | 'min';

function fuse(a: LayerAttention, how: HeadFusion): Float64Array {
  const n2 = a.tokens * a.tokens;
  const out = new Float64Array(n2).fill(how === 'max' ? -Infinity : how === 'min' ? Infinity : 0);
  for (let hd = 0; hd < a.heads; hd++)
    for (let i = 0; i < n2; i++) {
      const v = a.probs[hd * n2 + i] ?? 0;
      const o = out[i] ?? 0;
      out[i] = how === 'mean' ? o + v / a.heads : how === 'max' ? Math.max(o, v) : Math.min(o, v);
    }
  return out;
}

function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const v = a[i * n + k] ?? 0;
      if (v === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] = (out[i * n + j] ?? 0) + v * (b[k * n + j] ?? 0);
    }
  return out;
}

/** 0.5·A + 0.5·I, rows renormalised to sum to 1. */
function withResidual(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += 0.5 * (a[i * n + j] ?? 0) + (i === j ? 0.5 : 0);
    for (let j = 0; j < n; j++) out[i * n + j] = (0.5 * (a[i * n + j] ?? 0) + (i === j ? 0.5 : 0)) / s;
  }
  return out;
}

/** Rollout R = Â_L ⋯ Â_1 over layers (first layer first); returns N×N, rows sum to 1. */
export function attentionRollout(layers: readonly RolloutLayer[], fusion: HeadFusion = 'mean'): Float64Array {
  const first = layers[0];
  if (first === undefined) throw new RangeError('attentionRollout: no layers');
  const n = 'tokens' in first ? first.tokens : first.spatial.tokens;
  let r: Float64Array | null = null;
  for (const layer of layers) {
    const a =
      'tokens' in layer
        ? withResidual(fuse(layer, fusion), n)
        : matmul(
            withResidual(fuse(layer.spatial, fusion), n),
            withResidual(fuse(layer.temporal, fusion), n),
            n,
          );
    r = r === null ? a : matmul(a, r, n);
  }
  return r ?? new Float64Array(0);
}

/** Row `cls` of an N×N matrix without the CLS column, as a T×H×W map (N − 1 = T·H·W). */
export function clsMap(m: Float64Array, n: number, t: number, h: number, w: number, cls = 0): Float32Array {
  if (n - 1 !== t * h * w) throw new RangeError(`clsMap: ${n - 1} patch tokens ≠ ${t}×${h}×${w}`);
  const out = new Float32Array(n - 1);
  let o = 0;
  for (let j = 0; j < n; j++) if (j !== cls) out[o++] = m[cls * n + j] ?? 0;
  return out;
}

/** DINO-style mask: 1 on the fewest highest-valued cells whose mass reaches `keep` (0…1) of the total, else 0. */
export function massThreshold(map: Float32Array, keep: number): Uint8Array {
  const order = [...map.keys()].sort((a, b) => (map[b] ?? 0) - (map[a] ?? 0));
  const total = map.reduce((s, v) => s + v, 0);
  const mask = new Uint8Array(map.length);
  let cum = 0;
  for (const i of order) {
    if (cum >= keep * total) break;
    mask[i] = 1;
    cum += map[i] ?? 0;
  }
  return mask;
}
