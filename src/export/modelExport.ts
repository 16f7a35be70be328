// Model export (compute worker): safetensors in PyTorch layout with torchvision/MMAction2 names, loadable with
// safetensors.torch.load_file + load_state_dict(strict=True), and the studio bundle (a zip of config JSON +
// those weights) that restores a model with importBundle.
import { TubeletError } from '../shared/errors.ts';
import { readSafetensors, writeSafetensors } from '../models/weights/safetensors.ts';
import { readWeights } from '../models/weights/read.ts';
import { isZip } from '../models/weights/pth.ts';
import type { WeightTensor } from '../models/weights/dtypes.ts';
import { openZip } from '../models/weights/zip.ts';
import { writeZip } from '../models/weights/zipWrite.ts';
import { buildModel } from '../models/zoo/registry.ts';
import { exportStateDict, loadStateDict } from '../models/zoo/stateDict.ts';
import type { ModelConfig, ZooModel } from '../models/zoo/zooModel.ts';

export const BUNDLE_FORMAT = 'tubelet-model-bundle';
export const BUNDLE_VERSION = 1;

export interface BundleConfig {
  readonly format: typeof BUNDLE_FORMAT;
  readonly version: typeof BUNDLE_VERSION;
  readonly arch: string;
  readonly config: ModelConfig;
  readonly metrics?: Readonly<Record<string, number>>;
}

/** safetensors bytes of the model's state_dict (PyTorch layout), with arch and config in the metadata. */
export async function exportSafetensors(model: ZooModel): Promise<Uint8Array> {
  const tensors = await exportStateDict(model);
  return writeSafetensors(tensors, {
    metadata: { format: 'pt', arch: model.name, config: JSON.stringify(model.config) },
  });
}

/** A zip of config.json (arch, build config, optional metrics) and model.safetensors. */
export async function exportBundle(
  model: ZooModel,
  metrics?: Readonly<Record<string, number>>,
): Promise<Uint8Array> {
  const config: BundleConfig = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    arch: model.name,
    config: model.config,
    ...(metrics ? { metrics } : {}),
  };
  const json = new TextEncoder().encode(JSON.stringify(config, null, 2));
  return writeZip(
    [
      { name: 'config.json', data: json },
      { name: 'model.safetensors', data: await exportSafetensors(model) },
    ],
    { align: 64 },
  );
}

function bundleError(fileName: string, message: string): TubeletError {
  return new TubeletError('WEIGHTS_MALFORMED', `${fileName}: ${message}`, {
    hint: 'export the bundle again from Tubelet (Models panel or `tubelet export --format bundle`)',
  });
}

/** Rebuilds the model a bundle describes and loads its weights strictly. */
export async function importBundle(
  bytes: Uint8Array,
  fileName: string,
): Promise<{ model: ZooModel; bundle: BundleConfig }> {
  const zip = openZip(bytes, fileName);
  const configEntry = zip.get('config.json');
  const weightsEntry = zip.get('model.safetensors');
  if (!configEntry || !weightsEntry)
    throw bundleError(fileName, 'is not a Tubelet bundle (no config.json or model.safetensors)');
  const parsed: unknown = JSON.parse(new TextDecoder().decode(await zip.read(configEntry)));
  const c = parsed as Partial<BundleConfig> | null;
  if (
    c?.format !== BUNDLE_FORMAT ||
    c.version !== BUNDLE_VERSION ||
    typeof c.arch !== 'string' ||
    !c.config
  ) {
    throw bundleError(fileName, `config.json is not a version ${BUNDLE_VERSION} ${BUNDLE_FORMAT}`);
  }
  const bundle = c as BundleConfig;
  const model = buildModel(bundle.arch, bundle.config);
  try {
    loadStateDict(model, readSafetensors(await zip.read(weightsEntry), `${fileName}/model.safetensors`), {
      fileName,
    });
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, bundle };
}

/**
 * The tensors of a weights file for import (float32): a Tubelet bundle's model.safetensors, else whatever
 * readWeights reads (safetensors, torch.save zip).
 */
export async function readImportable(
  bytes: Uint8Array,
  fileName: string,
): Promise<Map<string, WeightTensor>> {
  if (isZip(bytes)) {
    const zip = openZip(bytes, fileName);
    const weights = zip.get('model.safetensors');
    if (weights && zip.get('config.json')) {
      return readSafetensors(await zip.read(weights), `${fileName}/model.safetensors`, { toFloat32: true });
    }
  }
  return readWeights(bytes, fileName, { toFloat32: true });
}
