// Connects the training job to the model zoo and the frame store (compute worker): registry names ('r3d_18',
// 'r3d_18:tiny' for the tiny preset) become freshly initialised models, stored datasets become clip sources.
import { openStoredClipSource } from '../data/clips/storedClipSource.ts';
import { buildModel, ZOO } from '../models/zoo/registry.ts';
import { TubeletError } from '../shared/errors.ts';
import type { ClipSource } from '../train/types.ts';
import { setTrainResolvers, type TrainResolvers } from './trainJob.ts';

/** 'arch' or 'arch:tiny' → the registry entry and its preset. */
export function parseModelName(name: string): { arch: string; preset: 'full' | 'tiny' } {
  const [arch = '', preset = 'full', ...rest] = name.split(':');
  if (rest.length > 0 || (preset !== 'full' && preset !== 'tiny') || !ZOO.some((e) => e.name === arch)) {
    throw new TubeletError('INVALID_ARGUMENT', `Unknown model '${name}'.`, {
      hint: `Models: ${ZOO.map((e) => e.name).join(', ')} (append ':tiny' for the small test preset).`,
    });
  }
  return { arch, preset };
}

export const studioTrainResolvers: TrainResolvers = {
  createModel(name, numClasses, seed) {
    const { arch, preset } = parseModelName(name);
    return Promise.resolve(buildModel(arch, { numClasses, preset, seed }));
  },
  async openClipSource(dataset, config): Promise<ClipSource> {
    const source = await openStoredClipSource(dataset, {
      clipLen: config.data.clipLen,
      frameInterval: config.data.frameInterval,
      temporalJitter: config.data.temporalJitter,
    });
    return {
      numClasses: source.numClasses,
      size: (split) => source.count(split),
      read: (split, indices, rng, sampling) => source.read(split, indices, rng, sampling),
    };
  },
};

export function registerTrainResolvers(): void {
  setTrainResolvers(studioTrainResolvers);
}
