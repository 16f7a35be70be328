// Layer-wise learning-rate decay of the ViT families (compute worker, train loop): each parameter name gets a
// layer id as VideoMAE's LayerDecayValueAssigner / MMAction2's LearningRateDecayOptimizerConstructor assign it
// (embeddings 0, block i → i + 1, the rest — final norms, head — depth + 1) and the multiplier decay^(depth + 1 − id).

/** One recognised stack of blocks: the regex captures the block index; `offset` counts the blocks before it. */
interface BlockStack {
  readonly pattern: RegExp;
  readonly order: number;
}

// VideoMAE (MMAction2 `backbone.blocks.N`), timm-style `blocks.N`, ViViT's spatial then temporal transformer
// (VideoTransformer-pytorch `model.transformer_layers.{0,1}.layers.N`)
const STACKS: readonly BlockStack[] = [
  { pattern: /^(?:backbone\.|model\.)?blocks\.(\d+)\./, order: 0 },
  { pattern: /^(?:backbone\.|model\.)?transformer_layers\.0\.layers\.(\d+)\./, order: 0 },
  { pattern: /^(?:backbone\.|model\.)?transformer_layers\.1\.layers\.(\d+)\./, order: 1 },
];
const EMBEDDINGS = /^(?:backbone\.|model\.)?(?:cls_token|mask_token|pos_embed|time_embed|patch_embed\.)/;

/**
 * name → lr multiplier for every name; 1 for everything when no name is inside a block stack (a CNN).
 * decay ∈ (0, 1]: VideoMAE finetuning uses 0.75.
 */
export function layerDecayMultipliers(names: Iterable<string>, decay: number): Map<string, number> {
  if (!(decay > 0 && decay <= 1)) throw new RangeError(`layer decay must be in (0, 1], got ${decay}`);
  const list = [...names];
  // blocks per stack (max index + 1), so the temporal stack's ids continue after the spatial one's
  const sizes = STACKS.map(({ pattern }) =>
    list.reduce((m, n) => {
      const hit = pattern.exec(n);
      return hit ? Math.max(m, Number(hit[1]) + 1) : m;
    }, 0),
  );
  const depth = sizes.reduce((a, b) => a + b, 0);
  const out = new Map<string, number>();
  for (const name of list) {
    if (depth === 0) {
      out.set(name, 1);
      continue;
    }
    let id = depth + 1;
    if (EMBEDDINGS.test(name)) id = 0;
    STACKS.forEach(({ pattern, order }, s) => {
      const hit = pattern.exec(name);
      if (!hit) return;
      const before = STACKS.slice(0, s)
        .map((st, i) => (st.order < order ? (sizes[i] ?? 0) : 0))
        .reduce((a, b) => a + b, 0);
      id = before + Number(hit[1]) + 1;
    });
    out.set(name, Math.pow(decay, depth + 1 - id));
  }
  return out;
}
