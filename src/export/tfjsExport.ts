// TF.js export (compute worker, and Node for tests): model.json with a weights manifest in TF.js's format plus
// 4 MiB binary shards, loadable by tf.io (weightsLoaderFactory / decodeWeights). Names are PyTorch state_dict keys;
// values are in our TF.js layouts (conv kernels [t,h,w,in/groups,out], linear [in,out]).
import { tf } from '../models/tf.ts';
import type { ZooModel } from '../models/zoo/zooModel.ts';
import type { ExportedFile } from '../shared/modelIo.ts';

/** TF.js's converter writes shards of at most 4 MiB. */
export const SHARD_BYTES = 4 * 1024 * 1024;

export interface TfjsModelJson {
  readonly format: 'tubelet-weights';
  readonly generatedBy: string;
  readonly convertedBy: null;
  /** what the weights belong to: the zoo arch and its build config (rebuild with buildModel) */
  readonly modelTopology: {
    readonly arch: string;
    readonly config: ZooModel['config'];
    readonly layout: string;
  };
  readonly weightsManifest: tf.io.WeightsManifestConfig;
}

/** model.json and `group1-shard{i}of{n}.bin` files for the model's parameters and buffers. */
export async function exportTfjs(model: ZooModel, shardBytes = SHARD_BYTES): Promise<ExportedFile[]> {
  const named: tf.NamedTensorMap = {};
  for (const [key, nv] of model.stateEntries()) named[key] = nv.variable;
  const { data, specs } = await tf.io.encodeWeights(named);
  const all = new Uint8Array(data);
  const n = Math.max(1, Math.ceil(all.byteLength / shardBytes));
  const shards: ExportedFile[] = [];
  for (let i = 0; i < n; i++) {
    shards.push({
      name: `group1-shard${i + 1}of${n}.bin`,
      bytes: all.slice(i * shardBytes, Math.min(all.byteLength, (i + 1) * shardBytes)),
    });
  }
  const json: TfjsModelJson = {
    format: 'tubelet-weights',
    generatedBy: `Tubelet (TensorFlow.js ${tf.version.tfjs})`,
    convertedBy: null,
    modelTopology: {
      arch: model.name,
      config: model.config,
      layout:
        'NDHWC activations; conv3d kernels [t,h,w,in/groups,out]; linear [in,out]; PyTorch state_dict names',
    },
    weightsManifest: [{ paths: shards.map((s) => s.name), weights: specs }],
  };
  return [{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(json)) }, ...shards];
}
