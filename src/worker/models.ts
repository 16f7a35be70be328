// The `models` and `model-layers` jobs (compute worker): the zoo with parameter counts and multiply-adds, built one
// model at a time the first time they are asked for and kept for the worker's life (the registry does not change
// while a page runs), and one model's layer table.
import { modelInfo, ZOO, zooEntry } from '../models/zoo/registry.ts';
import type { ModelSummary } from '../shared/protocol.ts';
import type { LayerRow } from '../shared/modelIo.ts';
import { openModel } from './modelImport.ts';

let summaries: readonly ModelSummary[] | null = null;

export function zooSummaries(onModel?: (done: number, total: number, name: string) => void): ModelSummary[] {
  summaries ??= countZoo(onModel);
  return summaries.map((s) => ({ ...s, input: [...s.input] }));
}

function countZoo(onModel?: (done: number, total: number, name: string) => void): ModelSummary[] {
  return ZOO.map((entry, i) => {
    onModel?.(i, ZOO.length, entry.name);
    const numClasses = entry.publishedClasses ?? 400;
    const info = modelInfo(entry.name, { numClasses }, entry.referenceInput);
    return {
      name: entry.name,
      family: entry.family,
      description: entry.description,
      numClasses,
      params: info.params,
      publishedParams: info.publishedParams,
      publishedParamsRounding: info.publishedParamsRounding,
      macs: info.macs,
      input: [...info.input],
    };
  });
}

/** Leaf layers of a stored model or registry arch for one clip of its reference input. */
export async function modelLayers(name: string): Promise<LayerRow[]> {
  // shapes and counts only: a zoo arch is built with zero weights (the RNG draws dominate building r3d_18)
  const model = await openModel(name, undefined, { zeros: true });
  try {
    const [t, h, w] = zooEntry(model.name).referenceInput;
    return model.layers([1, t, h, w, 3]);
  } finally {
    model.dispose();
  }
}
