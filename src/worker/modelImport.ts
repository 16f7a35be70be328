// Imported models in the compute worker: reads a weights file, maps its keys to a zoo architecture, loads it
// non-strictly, stores it (IndexedDB) and reopens stored models or registry architectures by name.
import { TubeletError } from '../shared/errors.ts';
import type {
  ImportModelResult,
  ImportModelSpec,
  ModelLoadReport,
  StoredModelSummary,
  WeightSource,
} from '../shared/modelIo.ts';
import { readSafetensors } from '../models/weights/safetensors.ts';
import { describeUnwrap, unwrapStateDict } from '../models/weights/unwrap.ts';
import { keyMapFor, nativeSource } from '../models/weights/keyMaps.ts';
import { buildModel, ZOO, zooEntry } from '../models/zoo/registry.ts';
import { loadStateDict } from '../models/zoo/stateDict.ts';
import { withoutInitialisation } from '../models/nn/init.ts';
import type { ModelConfig, ZooModel } from '../models/zoo/zooModel.ts';
import { exportSafetensors, readImportable } from '../export/modelExport.ts';
import { modelStore, type ModelStore } from '../data/store/modelStore.ts';
import type { JobContext } from './jobs.ts';

export interface ArchSpec {
  readonly arch: string;
  readonly preset: 'full' | 'tiny';
}

/** 'r3d_18' or 'r3d_18:tiny'; INVALID_ARGUMENT naming the zoo for anything else. */
export function parseArch(spec: string): ArchSpec {
  const [arch = '', preset = 'full', ...rest] = spec.split(':');
  const known = ZOO.some((e) => e.name === arch);
  if (!known || rest.length > 0 || (preset !== 'full' && preset !== 'tiny')) {
    throw new TubeletError('INVALID_ARGUMENT', `unknown architecture '${spec}'`, {
      hint: `the zoo has ${ZOO.map((e) => e.name).join(', ')} (add ':tiny' for the tiny preset); see tubelet models`,
    });
  }
  return { arch, preset };
}

function archConfig({ arch, preset }: ArchSpec, numClasses?: number): ModelConfig {
  return {
    numClasses: numClasses ?? zooEntry(arch).publishedClasses ?? 400,
    ...(preset === 'tiny' ? { preset } : {}),
    seed: 0,
  };
}

function checkName(name: string): void {
  if (!/^[\w.:-]{1,100}$/.test(name)) {
    throw new TubeletError('INVALID_ARGUMENT', `model name '${name}' is not allowed`, {
      hint: 'use 1 to 100 letters, digits, ".", ":", "-" or "_"',
    });
  }
  if (ZOO.some((e) => e.name === name.split(':')[0])) {
    throw new TubeletError('INVALID_ARGUMENT', `model name '${name}' is a zoo architecture`, {
      hint: 'pick another --name (e.g. r3d_18-ucf101) so predict and export know which one you mean',
    });
  }
}

/** The classifier size the file's head has (after key mapping), if it has one. */
function fileClasses(
  weights: ReadonlyMap<string, { shape: number[] }>,
  mapKey: (k: string) => string | null,
  headWeight: string,
): number | undefined {
  for (const [key, t] of weights) if (mapKey(key) === headWeight && t.shape.length === 2) return t.shape[0];
  return undefined;
}

export async function importModel(
  spec: ImportModelSpec,
  job: JobContext,
  store: ModelStore = modelStore(),
): Promise<ImportModelResult> {
  checkName(spec.name);
  const archSpec = parseArch(spec.arch);
  const source: WeightSource = spec.from ?? nativeSource(archSpec.arch);
  const mapKey = keyMapFor(archSpec.arch, source);
  job.progress('read', 0, 3);
  const bytes = new Uint8Array(await spec.file.arrayBuffer());
  const unwrapped = unwrapStateDict(await readImportable(bytes, spec.fileName));
  job.checkpoint();
  job.progress('load', 1, 3);
  let model = buildModel(archSpec.arch, archConfig(archSpec, spec.numClasses));
  try {
    const inFile = fileClasses(unwrapped.tensors, mapKey, `${model.headPrefix}.weight`);
    if (spec.numClasses === undefined && inFile !== undefined && inFile !== model.numClasses) {
      model.dispose();
      model = buildModel(archSpec.arch, archConfig(archSpec, inFile));
    }
    const loaded = loadStateDict(model, unwrapped.tensors, {
      strict: false,
      mapKey,
      fileName: spec.fileName,
    });
    const report: ModelLoadReport = {
      loaded: loaded.loaded.length,
      missing: loaded.missing,
      unexpected: loaded.unexpected,
      mismatched: loaded.mismatched,
      unwrap: describeUnwrap(unwrapped.report),
    };
    if (loaded.loaded.length === 0) {
      throw new TubeletError(
        'INVALID_ARGUMENT',
        `${spec.fileName}: no tensor matches ${spec.arch} (read as ${source} names)`,
        {
          hint: `check --arch and --from; the file holds e.g. ${[...unwrapped.tensors.keys()].slice(0, 3).join(', ')}`,
        },
      );
    }
    job.progress('store', 2, 3);
    const weights = await exportSafetensors(model);
    await store.putModel(
      {
        name: spec.name,
        arch: spec.arch,
        config: JSON.stringify(model.config),
        source,
        fileName: spec.fileName,
        params: model.paramCount(),
        bytes: weights.byteLength,
        report: JSON.stringify(report),
        createdAt: Date.now(),
      },
      weights,
    );
    return {
      name: spec.name,
      arch: spec.arch,
      numClasses: model.numClasses,
      params: model.paramCount(),
      report,
    };
  } finally {
    model.dispose();
  }
}

/**
 * A stored model (its weights loaded strictly) or a registry arch with its seeded initialisation (`zeros`: weights
 * left zero, for shapes and counts only; `numClasses` outputs when given, e.g. a dataset's class count for
 * evaluation, else the published head).
 */
export async function openModel(
  name: string,
  store: ModelStore = modelStore(),
  options: { zeros?: boolean; numClasses?: number } = {},
): Promise<ZooModel> {
  const record = await store.getModel(name);
  if (record) {
    const weights = await store.getWeights(name);
    if (!weights) throw new TubeletError('STORAGE_UNAVAILABLE', `the weights of model '${name}' are missing`);
    const config = JSON.parse(record.config) as ModelConfig;
    const model = buildModel(parseArch(record.arch).arch, config);
    try {
      loadStateDict(model, readSafetensors(weights, `${name}.safetensors`), { fileName: name });
    } catch (error) {
      model.dispose();
      throw error;
    }
    return model;
  }
  let arch: ArchSpec;
  try {
    arch = parseArch(name);
  } catch {
    const stored = (await store.listModels()).map((m) => m.name);
    throw new TubeletError('INVALID_ARGUMENT', `no imported model or zoo architecture is named '${name}'`, {
      hint: `imported: ${stored.join(', ') || '(none)'}; zoo: ${ZOO.map((e) => e.name).join(', ')}; import one with tubelet import FILE --arch ARCH --name ${name}`,
    });
  }
  const build = (): ZooModel => buildModel(arch.arch, archConfig(arch, options.numClasses));
  return options.zeros === true ? withoutInitialisation(build) : build();
}

export async function listStoredModels(store: ModelStore = modelStore()): Promise<StoredModelSummary[]> {
  return (await store.listModels()).map((r) => ({
    name: r.name,
    arch: r.arch,
    numClasses: (JSON.parse(r.config) as ModelConfig).numClasses,
    params: r.params,
    source: r.source as WeightSource,
    fileName: r.fileName,
    bytes: r.bytes,
    createdAt: r.createdAt,
    report: JSON.parse(r.report) as ModelLoadReport,
  }));
}
