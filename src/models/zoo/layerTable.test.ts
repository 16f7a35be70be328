// Layer tables (Node, shapes only): leaf layers in execution order with kinds, output shapes and parameters that
// add up to the model's count; the model runs normally afterwards.
import { describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { buildModel } from './registry.ts';

describe('layer table', () => {
  it('lists r3d_18 tiny leaves with [N,T,H,W,C] outputs and parameters summing to paramCount', () => {
    const model = buildModel('r3d_18', { numClasses: 5, preset: 'tiny', seed: 1 });
    const rows = model.layers([1, 4, 32, 32, 3]);
    expect(rows[0]).toEqual({
      name: 'stem.0',
      kind: 'Conv3d',
      outputShape: [1, 4, 16, 16, 8],
      params: 8 * 3 * 3 * 7 * 7,
    });
    expect(rows[1]).toMatchObject({ name: 'stem.1', kind: 'BatchNorm3d', params: 16 });
    expect(rows.at(-1)).toEqual({ name: 'fc', kind: 'Linear', outputShape: [1, 5], params: 64 * 5 + 5 });
    expect(rows.reduce((n, r) => n + r.params, 0)).toBe(model.paramCount());
    const y = model.forward(tf.zeros([1, 4, 32, 32, 3]), { training: false });
    expect(y.shape).toEqual([1, 5]);
    y.dispose();
    expect(model.layers([1, 4, 32, 32, 3])).toEqual(rows);
    model.dispose();
  });
});
