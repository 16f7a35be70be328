// Divided space-time attention (TimeSformer) for explanations (compute worker or Node): each block's spatial and
// temporal probabilities embedded as token-to-token matrices over [CLS, frame-major patches], the spatial CLS row and
// the temporal mean-query row as maps, and rollout as the product of each block's temporal then spatial part.
import { tf } from '../../models/tf.ts';
import { TimeSformerVit, timesformerAttention } from '../../models/zoo/timesformer.ts';
import type { ZooModel } from '../../models/zoo/zooModel.ts';
import { TubeletError } from '../../shared/errors.ts';
import type { CapturedAttention } from './attention.ts';
import type { Map3D } from './maps.ts';
import { attentionRollout, clsMap, type HeadFusion, type LayerAttention } from './rollout.ts';

/** Rollout over N×N matrices costs N³ per block: beyond this many tokens it is refused. */
const ROLLOUT_MAX_TOKENS = 800;

function vitOf(model: ZooModel): TimeSformerVit | null {
  const m = model.namedModules().find(([name]) => name === 'model')?.[1];
  return m instanceof TimeSformerVit ? m : null;
}

export function isDivided(model: ZooModel): boolean {
  return vitOf(model) !== null;
}

/** The capturable layers: per block its spatial (`attn`) then temporal (`temporal_attn`) attention. */
export function dividedLayers(model: ZooModel): string[] {
  const vit = vitOf(model);
  if (!vit) return [];
  return Array.from({ length: vit.spec.depth }, (_, i) => [
    `model.blocks.${i}.attn`,
    `model.blocks.${i}.temporal_attn`,
  ]).flat();
}

export interface DividedCapture {
  readonly logits: Float32Array;
  /** per block: spatial (CLS query, 1 row) then temporal (mean query, 1 row), keys [CLS, T·S patches] */
  readonly layers: CapturedAttention[];
  /** per block the full token-to-token matrices f32[heads, N, N] of its temporal and spatial parts */
  readonly blocks: { readonly temporal: LayerAttention; readonly spatial: LayerAttention }[];
  readonly grid: readonly [number, number, number];
}

/**
 * spatial f32[T, H, 1+S, 1+S] (frame t's [CLS, patches]) → f32[H, N, N] over [CLS, (t, s)]: a patch attends to the
 * class token and its frame's patches; the class row is the mean over frames (vit.py averages the class outputs).
 */
export function embedSpatial(p: Float32Array, t: number, heads: number, s: number): Float32Array {
  const n = 1 + t * s;
  const l = 1 + s;
  const out = new Float32Array(heads * n * n);
  for (let f = 0; f < t; f++)
    for (let h = 0; h < heads; h++) {
      const src = (f * heads + h) * l * l;
      const dst = h * n * n;
      for (let q = 0; q < l; q++) {
        const row = q === 0 ? 0 : 1 + f * s + (q - 1);
        const scale = q === 0 ? 1 / t : 1;
        for (let k = 0; k < l; k++) {
          const col = k === 0 ? 0 : 1 + f * s + (k - 1);
          out[dst + row * n + col] = (out[dst + row * n + col] ?? 0) + scale * (p[src + q * l + k] ?? 0);
        }
      }
    }
  return out;
}

/** temporal f32[S, H, T, T] (patch s across frames) → f32[H, N, N]; the class token keeps itself (identity row). */
export function embedTemporal(p: Float32Array, t: number, heads: number, s: number): Float32Array {
  const n = 1 + t * s;
  const out = new Float32Array(heads * n * n);
  for (let h = 0; h < heads; h++) {
    out[h * n * n] = 1;
    for (let sp = 0; sp < s; sp++)
      for (let q = 0; q < t; q++)
        for (let k = 0; k < t; k++)
          out[h * n * n + (1 + q * s + sp) * n + (1 + k * s + sp)] =
            p[((sp * heads + h) * t + q) * t + k] ?? 0;
  }
  return out;
}

/** One row per head: row 0 (the class query) or the mean of the patch rows, as a 1-query CapturedAttention. */
function rowLayer(
  layer: string,
  full: Float32Array,
  heads: number,
  n: number,
  grid: readonly [number, number, number],
  meanQuery: boolean,
): CapturedAttention {
  const probs = new Float32Array(heads * n);
  for (let h = 0; h < heads; h++)
    for (let q = meanQuery ? 1 : 0; q < (meanQuery ? n : 1); q++)
      for (let k = 0; k < n; k++)
        probs[h * n + k] =
          (probs[h * n + k] ?? 0) + (full[(h * n + q) * n + k] ?? 0) / (meanQuery ? n - 1 : 1);
  return { layer, heads, queries: 1, keys: n, keyGrid: grid, cls: true, probs };
}

/** One eval forward of x f32[1,T,H,W,3] capturing every block's divided attention. */
export async function captureDivided(model: ZooModel, x: tf.Tensor5D): Promise<DividedCapture> {
  const vit = vitOf(model);
  if (!vit) throw new TubeletError('INVALID_ARGUMENT', `${model.name} has no divided space-time attention`);
  const [, t, hh, ww] = x.shape;
  const grid = [t, Math.floor(hh / vit.spec.patch), Math.floor(ww / vit.spec.patch)] as const;
  const s = grid[1] * grid[2];
  const n = 1 + t * s;
  const blockIds = Array.from({ length: vit.spec.depth }, (_, i) => i);
  const { logits: lt, attention } = timesformerAttention(model, x, blockIds);
  try {
    const logits = new Float32Array(await lt.data());
    const layers: CapturedAttention[] = [];
    const blocks: DividedCapture['blocks'][number][] = [];
    for (let i = 0; i < vit.spec.depth; i++) {
      const a = attention.get(i);
      if (!a) throw new TubeletError('INTERNAL', `block ${i} of ${model.name} was not captured`);
      const heads = a.spatial.shape[1];
      const spatial = embedSpatial(new Float32Array(await a.spatial.data()), t, heads, s);
      const temporal = embedTemporal(new Float32Array(await a.temporal.data()), t, heads, s);
      layers.push(rowLayer(`model.blocks.${i}.attn`, spatial, heads, n, grid, false));
      layers.push(rowLayer(`model.blocks.${i}.temporal_attn`, temporal, heads, n, grid, true));
      blocks.push({
        spatial: { heads, tokens: n, probs: spatial },
        temporal: { heads, tokens: n, probs: temporal },
      });
    }
    return { logits, layers, blocks, grid };
  } finally {
    lt.dispose();
    for (const a of attention.values()) tf.dispose([a.spatial, a.temporal]);
  }
}

/** Rollout (residual identity, head fusion) over every block, each its temporal part then its spatial part. */
export function rolloutDivided(
  c: DividedCapture,
  fusion: HeadFusion = 'mean',
): { map: Map3D; layers: string[] } {
  const n = c.blocks[0]?.spatial.tokens ?? 0;
  if (n > ROLLOUT_MAX_TOKENS)
    throw new TubeletError('INVALID_ARGUMENT', `rollout over ${n} tokens is too slow here`, {
      hint: `use the attention method, or a clip of at most ${ROLLOUT_MAX_TOKENS - 1} patches`,
    });
  const [t, h, w] = c.grid;
  const r = attentionRollout(c.blocks, fusion);
  return {
    map: { t, h, w, data: clsMap(r, n, t, h, w) },
    layers: c.blocks.map((_, i) => `model.blocks.${i}`),
  };
}
