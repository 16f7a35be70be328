// The `models` job (compute worker): the zoo with parameter counts and multiply-adds, built one model at a time.
import { modelInfo, ZOO } from '../models/zoo/registry.ts';
import type { ModelSummary } from '../shared/protocol.ts';

export function zooSummaries(onModel?: (done: number, total: number, name: string) => void): ModelSummary[] {
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
