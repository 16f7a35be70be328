// Model bundles on the cpu backend (Node): config.json + model.safetensors rebuild the same model; bad files
// are refused with a coded error.
import { describe, expect, it } from 'vitest';
import { TubeletError } from '../shared/errors.ts';
import { tf } from '../models/tf.ts';
import { buildModel } from '../models/zoo/registry.ts';
import { readSafetensors } from '../models/weights/safetensors.ts';
import { exportBundle, exportSafetensors, importBundle, readImportable } from './modelExport.ts';
import { exportStateDict } from '../models/zoo/stateDict.ts';

const tiny = (numClasses: number, seed: number) =>
  buildModel('r2plus1d_18', { numClasses, preset: 'tiny', seed });

async function logits(model: ReturnType<typeof tiny>): Promise<Float32Array> {
  const x = tf.randomNormal<tf.Rank.R5>([1, 4, 16, 16, 3], 0, 1, 'float32', 7);
  const y = model.forward(x, { training: false });
  const v = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return v;
}

describe('model export', () => {
  it('writes safetensors in PyTorch layout with the arch in the metadata', async () => {
    const a = tiny(4, 3);
    const st = readSafetensors(await exportSafetensors(a), 'a.safetensors');
    expect(st.get('layer1.0.conv1.0.3.weight')?.shape).toEqual([8, 18, 3, 1, 1]);
    expect(st.size).toBe(a.parameters().size + a.buffers().size);
    a.dispose();
  });

  it('bundles rebuild the same model from config.json + model.safetensors', async () => {
    const a = tiny(4, 3);
    const bytes = await exportBundle(a, { val_top1: 0.5 });
    const { model, bundle } = await importBundle(bytes, 'a.zip');
    expect(bundle.arch).toBe('r2plus1d_18');
    expect(bundle.metrics).toEqual({ val_top1: 0.5 });
    expect(await logits(model)).toEqual(await logits(a));
    model.dispose();
    a.dispose();
    await expect(importBundle(new Uint8Array(10), 'x.zip')).rejects.toBeInstanceOf(TubeletError);
  });

  it('reads a bundle, safetensors or nothing else for import', async () => {
    const a = tiny(4, 3);
    const want = await exportStateDict(a);
    for (const [bytes, name] of [
      [await exportBundle(a), 'a.tubelet.zip'],
      [await exportSafetensors(a), 'a.safetensors'],
    ] as const) {
      const got = await readImportable(bytes, name);
      expect([...got.keys()].sort(), name).toEqual([...want.keys()].sort());
      expect(got.get('fc.weight')?.data, name).toEqual(want.get('fc.weight')?.data);
    }
    await expect(readImportable(new TextEncoder().encode('{"not": "weights"}'), 'x.json')).rejects.toThrow(
      /x\.json: is neither a safetensors file nor a torch\.save checkpoint/,
    );
    a.dispose();
  });
});
