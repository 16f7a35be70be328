// The Finetune panel's catalogue (compute worker): training presets, the model names the train job builds, and a
// model's parameters, multiply-adds and conv output sizes for one clip (symbolic, for the estimates).
import { buildModel, ZOO } from '../models/zoo/registry.ts';
import type { ModelCost, ModelCostSpec, TrainCatalog } from '../shared/protocol.ts';
import { DEFAULT_PRESET, TRAIN_PRESETS } from '../train/presets.ts';
import { parseModelName } from './trainResolvers.ts';

export function trainCatalog(): TrainCatalog {
  return {
    presets: TRAIN_PRESETS,
    defaultPreset: DEFAULT_PRESET,
    models: ZOO.flatMap((e) => [`${e.name}:tiny`, e.name]),
    modelFamilies: Object.fromEntries(
      ZOO.flatMap((e) => [
        [`${e.name}:tiny`, e.family],
        [e.name, e.family],
      ]),
    ),
  };
}

export function modelCost(spec: ModelCostSpec): ModelCost {
  const { arch, preset } = parseModelName(spec.model);
  const model = buildModel(arch, { numClasses: spec.numClasses, preset });
  try {
    const shape = [1, ...spec.clip, 3] as const;
    return { params: model.paramCount(), macs: model.macs(shape), convOutputs: model.convOutputs(shape) };
  } finally {
    model.dispose();
  }
}
