// TF.js export on the cpu backend (Node): model.json's weights manifest plus the shards decode through
// tf.io.decodeWeights to the model's own tensors, and tf.io's loader reads the same files.
import { describe, expect, it } from 'vitest';
import { tf } from '../models/tf.ts';
import { buildModel } from '../models/zoo/registry.ts';
import { exportTfjs, type TfjsModelJson } from './tfjsExport.ts';

function concat(parts: readonly Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out.buffer;
}

describe('TF.js export', () => {
  it('round-trips through tf.io.decodeWeights to the same tensors, in 4 MiB-style shards', async () => {
    const model = buildModel('r3d_18', { numClasses: 5, preset: 'tiny', seed: 4 });
    const files = await exportTfjs(model, 64 * 1024); // small shards so this model spans several
    const byName = new Map(files.map((f) => [f.name, f.bytes]));
    const json = JSON.parse(new TextDecoder().decode(byName.get('model.json'))) as TfjsModelJson;
    expect(json.modelTopology).toMatchObject({ arch: 'r3d_18', config: { numClasses: 5, preset: 'tiny' } });
    const group = json.weightsManifest[0];
    if (!group) throw new Error('no weights group');
    expect(group.paths.length).toBeGreaterThan(1);
    expect(group.paths[0]).toBe(`group1-shard1of${group.paths.length}.bin`);
    for (const p of group.paths.slice(0, -1)) expect(byName.get(p)?.byteLength).toBe(64 * 1024);
    const decoded = tf.io.decodeWeights(
      concat(group.paths.map((p) => byName.get(p) ?? new Uint8Array())),
      group.weights,
    );
    const entries = model.stateEntries();
    expect(Object.keys(decoded).sort()).toEqual([...entries.keys()].sort());
    for (const [key, nv] of entries) {
      const t = decoded[key];
      expect(t?.shape, key).toEqual(nv.variable.shape);
      expect(t?.dtype, key).toBe(nv.variable.dtype);
      expect(Array.from(await (t as tf.Tensor).data()), key).toEqual(Array.from(await nv.variable.data()));
    }
    expect(decoded['layer1.0.conv1.0.weight']?.shape).toEqual([3, 3, 3, 8, 8]); // TF.js layout [t,h,w,in,out]
    tf.dispose(Object.values(decoded));
    model.dispose();
  });

  it("loads through tf.io's weights loader from the files as served", async () => {
    const model = buildModel('c3d', { numClasses: 3, preset: 'tiny', seed: 1 });
    const files = await exportTfjs(model);
    const byName = new Map(files.map((f) => [f.name, f.bytes]));
    const json = JSON.parse(new TextDecoder().decode(byName.get('model.json'))) as TfjsModelJson;
    const fetchShard = (paths: string[]): Promise<ArrayBuffer[]> =>
      Promise.resolve(
        paths.map((p) => (byName.get(p.split('/').pop() ?? '') ?? new Uint8Array()).slice().buffer),
      );
    const load = tf.io.weightsLoaderFactory(fetchShard);
    const loaded = await load(json.weightsManifest, 'http://studio/model/');
    const fc = loaded['cls_head.fc_cls.weight'];
    expect(fc?.shape).toEqual([64, 3]);
    expect(Array.from(await (fc as tf.Tensor).data())).toEqual(
      Array.from(await (model.parameters().get('cls_head.fc_cls.weight') as tf.Variable).data()),
    );
    tf.dispose(Object.values(loaded));
    model.dispose();
  });
});
