// Geometry of the fused-attention kernels: tensor views (strided token layouts), the uniform block they read,
// tile choices that fit workgroup memory, and dispatch folding. Pure; any thread.
//
// Rows are addressed as (bh, i, c): bh = (outer·inner + innerIdx)·heads + head flattens "batch·heads", i is the
// token within the attended sequence, c the channel within the head. A view maps (outer, innerIdx, head, i) to
// an element offset; rows i < prefix use a second view (shared class tokens, or a tail for per-row outputs).

export const HEAD_DIMS = [32, 64, 96, 128] as const;
export type HeadDim = (typeof HEAD_DIMS)[number];

/** Element offset of row (outer, inner, head, token) = offset + outer·outer' + inner·inner' + head·head' + token·token'. */
export interface View {
  readonly offset: number;
  readonly outer: number;
  readonly inner: number;
  readonly head: number;
  readonly token: number;
}

/** `main` addresses rows i ≥ prefix, `prefix` rows i < prefix (unused when the geometry has no prefix). */
export interface RowView {
  readonly main: View;
  readonly prefix: View;
}

export interface AttentionGeometry {
  /** Outer batch (clips); key lengths are indexed by it. */
  readonly batch: number;
  /** Sequences per outer batch and head: spatial positions (temporal attention), frames (spatial), else 1. */
  readonly inner: number;
  readonly heads: number;
  /** Query and key sequence lengths. */
  readonly lq: number;
  readonly lk: number;
  readonly headDim: HeadDim;
  /** Leading tokens read through the `prefix` view (e.g. the class token of spatial attention), 0 if none. */
  readonly prefix: number;
}

export const ROLES = ['q', 'k', 'v', 'o', 'do', 'dq', 'dk', 'dv'] as const;
export type Role = (typeof ROLES)[number];
export type RoleViews = Readonly<Record<Role, RowView>>;

/** Number of flattened batch·heads sequences. */
export const seqCount = (g: AttentionGeometry): number => g.batch * g.inner * g.heads;

/** Contiguous f32[batch·inner·heads, L, d] rows (the layout of [B, H, L, d] tensors with inner = 1). */
export function contiguousView(g: AttentionGeometry, length: number, offset = 0): RowView {
  const d = g.headDim;
  const main: View = {
    offset,
    outer: g.inner * g.heads * length * d,
    inner: g.heads * length * d,
    head: length * d,
    token: d,
  };
  return { main, prefix: main };
}

/** Standard views for every role: q, o, do, dq over lq rows; k, v, dk, dv over lk rows. */
export function contiguousViews(g: AttentionGeometry): RoleViews {
  const qv = contiguousView(g, g.lq);
  const kv = contiguousView(g, g.lk);
  return { q: qv, k: kv, v: kv, o: qv, do: qv, dq: qv, dk: kv, dv: kv };
}

/** Elements a buffer needs so that every row of `view` (over `length` rows) is in range. */
export function viewExtent(g: AttentionGeometry, rv: RowView, length: number): number {
  const reach = (v: View, firstRow: number, lastRow: number): number =>
    v.offset +
    (g.batch - 1) * v.outer +
    (g.inner - 1) * v.inner +
    (g.heads - 1) * v.head +
    Math.max(firstRow, lastRow) * v.token +
    g.headDim;
  let extent = 0;
  if (length > g.prefix) extent = Math.max(extent, reach(rv.main, g.prefix, length - 1));
  if (g.prefix > 0) extent = Math.max(extent, reach(rv.prefix, 0, Math.min(g.prefix, length) - 1));
  return extent;
}

export function validateGeometry(g: AttentionGeometry): void {
  for (const key of ['batch', 'inner', 'heads', 'lq', 'lk'] as const) {
    const value = g[key];
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`attention: ${key} must be a positive integer, got ${value}`);
    }
  }
  if (!(HEAD_DIMS as readonly number[]).includes(g.headDim)) {
    throw new RangeError(`attention: head dim must be one of ${HEAD_DIMS.join(', ')}, got ${g.headDim}`);
  }
  if (!Number.isInteger(g.prefix) || g.prefix < 0 || g.prefix > Math.min(g.lq, g.lk)) {
    throw new RangeError(`attention: prefix must be an integer in 0..min(lq, lk), got ${g.prefix}`);
  }
}

/** Views are read as vec4<f32>: every offset and stride must be a multiple of 4 and non-negative. */
export function validateViews(views: Partial<RoleViews>): void {
  for (const [role, rv] of Object.entries(views)) {
    for (const [part, v] of Object.entries(rv)) {
      for (const [key, value] of Object.entries(v as View)) {
        if (!Number.isInteger(value) || value < 0 || value % 4 !== 0 || value / 4 > 0xffffffff) {
          throw new RangeError(
            `attention: view ${role}.${part}.${key} must be a multiple of 4, got ${value}`,
          );
        }
      }
    }
  }
}

/** Dropout of attention probabilities: keep P[bh,i,j] iff hash(seed, bh, i, j) ≥ threshold; kept /= 1−rate. */
export interface DropoutSpec {
  readonly rate: number;
  readonly seed: number;
}

export function dropoutThreshold(rate: number): number {
  if (!(rate >= 0 && rate < 1))
    throw new RangeError(`attention: dropout rate must be in [0, 1), got ${rate}`);
  return Math.min(0xffffffff, Math.round(rate * 2 ** 32));
}

export interface ParamsInput {
  readonly geometry: AttentionGeometry;
  readonly views: Partial<RoleViews>;
  readonly scale: number;
  readonly dropout: DropoutSpec | null;
  /** Row tiles per sequence (ceil(rows / rowsPerWorkgroup) of the kernel being dispatched). */
  readonly tiles: number;
  readonly hasMask: boolean;
  readonly hasKeyLengths: boolean;
}

export const PARAMS_HEADER_WORDS = 16;
export const VIEW_WORDS = 12;
export const PARAMS_WORDS = PARAMS_HEADER_WORDS + ROLES.length * VIEW_WORDS;

/** The `Params` uniform block of attention_common.wgsl as u32 words (f32 fields bit-cast). */
export function packParams(p: ParamsInput): Uint32Array {
  const words = new Uint32Array(PARAMS_WORDS);
  const floats = new Float32Array(words.buffer);
  const g = p.geometry;
  words.set([seqCount(g), g.lq, g.lk, g.heads, g.inner, g.prefix, p.tiles, (p.dropout?.seed ?? 0) >>> 0]);
  floats[8] = p.scale;
  words[9] = p.dropout ? dropoutThreshold(p.dropout.rate) : 0;
  floats[10] = p.dropout ? 1 / (1 - p.dropout.rate) : 1;
  words[11] = (p.hasMask ? 1 : 0) | (p.hasKeyLengths ? 2 : 0) | (p.dropout ? 4 : 0);
  ROLES.forEach((role, r) => {
    const rv = p.views[role];
    if (!rv) return;
    const { main: m, prefix: x } = rv;
    const base = PARAMS_HEADER_WORDS + r * VIEW_WORDS;
    const values = [m.offset, m.outer, m.inner, m.head, m.token, x.offset, x.outer, x.inner, x.head, x.token];
    values.forEach((value, i) => (words[base + i] = value / 4));
  });
  return words;
}

/** How one kernel variant is tiled. */
export interface TileConfig {
  /** Lanes sharing one row; each owns d/(4·lanes) interleaved vec4 columns. */
  readonly lanes: number;
  /** Rows per workgroup; workgroup size = rows · lanes. */
  readonly rows: number;
  /** Rows of the other operand staged per step in workgroup memory (keys for fwd/dq, queries for dk/dv). */
  readonly tile: number;
  /** Whether lane reductions use subgroup shuffles (else workgroup memory). */
  readonly subgroups: boolean;
}

export type KernelKind = 'fwd' | 'dq' | 'dkdv';

export interface SubgroupSizes {
  readonly min: number;
  readonly max: number;
}

export const WORKGROUP_SIZE = 64;

/** Workgroup memory (bytes) a variant declares; mirrors the `var<workgroup>` lines of the WGSL. */
export function workgroupBytes(kind: KernelKind, d: HeadDim, tile: number, subgroups: boolean): number {
  const staged = 2 * tile * (d / 4) * 16;
  const partials = kind === 'fwd' ? 1 : 2;
  const scratch = subgroups ? 0 : partials * tile * WORKGROUP_SIZE * 4;
  const stats = kind === 'dkdv' ? tile * 8 : 0;
  return staged + scratch + stats + 16;
}

/**
 * Picks lanes per row (8 for short sequences so that few rows still fill a workgroup, else 4), whether to use
 * subgroups (only when every possible subgroup size is a multiple of the lanes and divides the workgroup), and
 * the largest staging tile (≤ maxTile) that fits `budget` bytes of workgroup memory.
 */
export function chooseTiles(
  kind: KernelKind,
  d: HeadDim,
  rowsPerSeq: number,
  subgroupSizes: SubgroupSizes | null,
  budget = 16384,
  maxTile = 32,
): TileConfig {
  const lanes = rowsPerSeq <= 8 ? 8 : 4;
  const rows = WORKGROUP_SIZE / lanes;
  const subgroups =
    subgroupSizes !== null &&
    subgroupSizes.min >= lanes &&
    subgroupSizes.max <= WORKGROUP_SIZE &&
    WORKGROUP_SIZE % subgroupSizes.max === 0;
  for (const tile of [32, 16, 8, 4]) {
    if (tile <= maxTile && workgroupBytes(kind, d, tile, subgroups) <= budget)
      return { lanes, rows, tile, subgroups };
  }
  throw new RangeError(
    `attention: ${budget} bytes of workgroup memory cannot hold a ${kind} tile for d=${d}`,
  );
}

/** Folds `total` workgroups into an [x, y, 1] grid within the per-dimension limit; kernels unfold wid.x + wid.y·nx. */
export function foldDispatch(total: number, maxPerDim: number): [number, number, number] {
  if (total < 1) throw new RangeError(`attention: nothing to dispatch (${total} workgroups)`);
  const x = Math.min(total, maxPerDim);
  const y = Math.ceil(total / x);
  if (y > maxPerDim)
    throw new RangeError(`attention: ${total} workgroups exceed the device's dispatch limits`);
  return [x, y, 1];
}
