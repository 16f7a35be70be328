// Loading and exporting state_dicts on the cpu backend (Node): strict refusal with the report, non-strict loads
// with a new classifier, PyTorch layouts on export.
import { describe, expect, it } from 'vitest';
import { TubeletError } from '../../shared/errors.ts';
import { tf } from '../tf.ts';
import type { WeightTensor } from '../weights/dtypes.ts';
import { buildModel } from './registry.ts';
import { describeLoad, exportStateDict, loadStateDict } from './stateDict.ts';

const tiny = (numClasses: number, seed: number) =>
  buildModel('r2plus1d_18', { numClasses, preset: 'tiny', seed });

async function logits(model: ReturnType<typeof tiny>): Promise<Float32Array> {
  const x = tf.randomNormal<tf.Rank.R5>([1, 4, 16, 16, 3], 0, 1, 'float32', 7);
  const y = model.forward(x, { training: false });
  const v = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return v;
}

describe('state_dict load and export', () => {
  it('exports PyTorch layouts under torchvision names and loads them back exactly', async () => {
    const a = tiny(5, 1);
    const sd = await exportStateDict(a);
    expect(sd.get('stem.0.weight')?.shape).toEqual([6, 3, 1, 7, 7]); // [out, in, t, h, w]; 45/8 → 6
    expect(sd.get('fc.weight')?.shape).toEqual([5, 64]);
    expect(sd.get('layer1.0.conv1.1.num_batches_tracked')?.dtype).toBe('int64');
    const b = tiny(5, 2);
    expect(await logits(b)).not.toEqual(await logits(a));
    const report = loadStateDict(b, sd);
    expect(report.missing).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.loaded.length).toBe(sd.size);
    expect(await logits(b)).toEqual(await logits(a));
    a.dispose();
    b.dispose();
  });

  it('refuses a mismatched file strictly and loads the rest non-strictly (new classifier)', async () => {
    const source = tiny(5, 1);
    const sd = await exportStateDict(source);
    source.dispose();
    sd.set('extra.weight', {
      dtype: 'float32',
      shape: [1],
      data: new Float32Array([1]),
    } satisfies WeightTensor);
    sd.delete('layer4.0.conv2.1.running_var');
    const target = tiny(3, 2);
    const error = (() => {
      try {
        loadStateDict(target, sd, { fileName: 'k400.safetensors' });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(TubeletError);
    const te = error as TubeletError;
    expect(te.code).toBe('INVALID_ARGUMENT');
    expect(te.message).toMatch(
      /k400\.safetensors do not match r2plus1d_18 \(1 missing, 1 unexpected, 2 shape-mismatched/,
    );
    expect(te.details).toContain('fc.weight is [3, 64] here, [5, 64] in the file');
    const report = loadStateDict(target, sd, { strict: false });
    expect(report.missing).toEqual(['layer4.0.conv2.1.running_var']);
    expect(report.unexpected).toEqual(['extra.weight']);
    expect(report.mismatched.map((m) => m.key)).toEqual(['fc.weight', 'fc.bias']);
    expect(describeLoad(report)).toMatch(/^loaded \d+ tensors\nmissing/);
    target.dispose();
  });
});
