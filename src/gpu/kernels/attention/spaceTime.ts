// Views that let the attention kernels read divided space-time attention (TimeSformer) straight from token
// tensors x: f32[B, N, H·d], N = C + T·S (C class tokens first, then frame-major patches), with no transposes.
// Pure; any thread.
//
// temporal: one sequence per (b, patch s, head): rows t = 0..T−1 are tokens C + t·S + s. Class-token rows of
//           the outputs are left zero.
// spatial:  one sequence per (b, frame t, head): rows 0..C−1 are the shared class tokens, rows C + p are tokens
//           C + t·S + p. Each frame's class-token output is distinct, so per-row outputs (o, dO, dq, dk, dv)
//           put their class rows in a tail after the token tensor, laid out f32[B, T, C, H, d]; the main
//           part's class rows are left zero. A gradient's tail is summed over frames into the class rows.
// joint:    one sequence per (b, head) over all N tokens.
import type { AttentionGeometry, HeadDim, RoleViews, RowView, View } from './layout.ts';

export type SpaceTimeMode = 'temporal' | 'spatial' | 'joint';

export interface SpaceTimeLayout {
  readonly frames: number;
  /** Patches per frame (S = H'·W'). */
  readonly patches: number;
  readonly heads: number;
  readonly headDim: HeadDim;
  /** Class tokens before the patch tokens (0 or more). */
  readonly clsTokens: number;
}

export interface SpaceTimePlan {
  readonly geometry: AttentionGeometry;
  readonly views: RoleViews;
  /** Elements of the token tensor B·N·H·d. */
  readonly tokens: number;
  /** Elements of per-row outputs (o, dq, dk, dv): tokens plus the spatial tail. */
  readonly outputs: number;
  /** Whether outputs have elements no row writes (class-token rows), so they must be zeroed first. */
  readonly clear: boolean;
}

export function tokenCount(layout: SpaceTimeLayout): number {
  return layout.clsTokens + layout.frames * layout.patches;
}

export function spaceTimePlan(mode: SpaceTimeMode, batch: number, layout: SpaceTimeLayout): SpaceTimePlan {
  const { frames: T, patches: S, heads: H, headDim: d, clsTokens: C } = layout;
  for (const [name, value] of Object.entries({ batch, T, S, H, C })) {
    if (!Number.isInteger(value) || value < (name === 'C' ? 0 : 1)) {
      throw new RangeError(
        `spaceTime: ${name} must be a ${name === 'C' ? 'non-negative' : 'positive'} integer`,
      );
    }
  }
  const N = C + T * S;
  const tok = H * d; // elements per token
  const tokens = batch * N * tok;
  const same = (main: View): RowView => ({ main, prefix: main });
  const all = (rv: RowView): RoleViews => ({ q: rv, k: rv, v: rv, o: rv, do: rv, dq: rv, dk: rv, dv: rv });
  if (mode === 'temporal') {
    const view: View = { offset: C * tok, outer: N * tok, inner: tok, head: d, token: S * tok };
    return {
      geometry: { batch, inner: S, heads: H, lq: T, lk: T, headDim: d, prefix: 0 },
      views: all(same(view)),
      tokens,
      outputs: tokens,
      clear: C > 0,
    };
  }
  if (mode === 'joint') {
    const view: View = { offset: 0, outer: N * tok, inner: 0, head: d, token: tok };
    return {
      geometry: { batch, inner: 1, heads: H, lq: N, lk: N, headDim: d, prefix: 0 },
      views: all(same(view)),
      tokens,
      outputs: tokens,
      clear: false,
    };
  }
  const main: View = { offset: 0, outer: N * tok, inner: S * tok, head: d, token: tok };
  const shared: RowView = { main, prefix: { ...main, inner: 0 } };
  const tail: RowView = {
    main,
    prefix: { offset: tokens, outer: T * C * tok, inner: C * tok, head: d, token: tok },
  };
  return {
    geometry: { batch, inner: T, heads: H, lq: C + S, lk: C + S, headDim: d, prefix: C },
    views: { q: shared, k: shared, v: shared, o: tail, do: tail, dq: tail, dk: tail, dv: tail },
    tokens,
    outputs: tokens + batch * T * C * tok,
    clear: C > 0,
  };
}
