// Layer-wise lr decay (Node): the VideoMAE/MMAction2 layer ids for ViT and ViViT names, 1 for CNNs (the train
// loop's use of them: src/train/layerDecay.test.ts).
import { describe, expect, it } from 'vitest';
import { layerDecayMultipliers } from './layerDecay.ts';

describe('layer-wise lr decay', () => {
  it('VideoMAE: embeddings decay^(depth+1), block i decay^(depth−i), norms and head 1', () => {
    const names = [
      'backbone.patch_embed.projection.weight',
      'backbone.blocks.0.attn.q_bias',
      'backbone.blocks.1.mlp.layers.1.weight',
      'backbone.blocks.11.norm1.weight',
      'backbone.fc_norm.weight',
      'cls_head.fc_cls.weight',
    ];
    const m = layerDecayMultipliers(names, 0.75);
    const want = [13, 12, 11, 1, 0, 0].map((e) => 0.75 ** e);
    names.forEach((n, i) => expect(m.get(n), n).toBeCloseTo(want[i] ?? NaN, 12));
  });

  it('ViViT: the temporal transformer continues the spatial one; a CNN gets 1 everywhere', () => {
    const names = [
      'model.cls_token',
      'model.time_embed',
      'model.transformer_layers.0.layers.0.attentions.0.attn.qkv.weight',
      'model.transformer_layers.0.layers.1.ffns.0.norm.bias',
      'model.transformer_layers.1.layers.0.ffns.0.layers.1.bias',
      'model.norm.weight',
      'cls_head.cls_head.weight',
    ];
    const m = layerDecayMultipliers(names, 0.5);
    expect(names.map((n) => m.get(n))).toEqual([1 / 16, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 1]);
    const cnn = layerDecayMultipliers(['layer1.0.conv1.weight', 'fc.weight'], 0.75);
    expect([...cnn.values()]).toEqual([1, 1]);
    expect(() => layerDecayMultipliers([], 0)).toThrow(/layer decay/);
  });
});
