// Toy Actions as an ordinary dataset folder (pure; any thread): which videos exist, their seeds, and the
// MMAction2 video-list files (`path label` per split, plus classes.txt) that the user-dataset parser reads.
import { TubeletError } from '../../shared/errors.ts';
import type { DroppedFile, SplitFold, SplitRole, VideoSplits } from '../../shared/datasets.ts';
import { TOY_CLASSES, type ToyConfig } from './classes.ts';

export type ToySplit = 'train' | 'val' | 'test';
export const TOY_SPLITS: readonly ToySplit[] = ['train', 'val', 'test'];
export type ToyContainer = 'mp4' | 'webm';

/** The folder the generated files live in, as a dropped folder would be named. */
export const TOY_ROOT = 'Toy Actions';

export interface ToyVideoPlan {
  /** Path inside the dataset folder, as the lists name it: 'move_left/move_left_train_007.mp4'. */
  readonly path: string;
  readonly label: number;
  readonly split: ToySplit;
  readonly index: number;
  readonly container: ToyContainer;
  /** Seed of this clip's parameters (independent of its class's motion). */
  readonly seed: number;
}

/** Mixes integers into one 32-bit seed (SplitMix32 finaliser over a running hash). */
export function mixSeed(...parts: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = (h + 0x9e3779b9) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** Throws INVALID_ARGUMENT naming the first bad field of `config`. */
export function validateToyConfig(config: ToyConfig): void {
  const bad = (field: string, value: unknown, want: string): never => {
    throw new TubeletError('INVALID_ARGUMENT', `Toy Actions ${field} is ${String(value)}; ${want}.`);
  };
  const { seed, size, frames, fps, perClass } = config;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) bad('seed', seed, 'use an integer 0..2^32-1');
  if (!Number.isInteger(size) || size < 32 || size > 256 || size % 16 !== 0)
    bad('size', size, 'use a multiple of 16 from 32 to 256');
  if (!Number.isInteger(frames) || frames < 8 || frames > 256) bad('frames', frames, 'use 8 to 256');
  if (!Number.isInteger(fps) || fps < 1 || fps > 60) bad('fps', fps, 'use 1 to 60');
  for (const split of TOY_SPLITS) {
    const n = perClass[split];
    if (!Number.isInteger(n) || n < 0 || n > 10_000) bad(`perClass.${split}`, n, 'use 0 to 10000');
  }
  if (perClass.train + perClass.val + perClass.test === 0) bad('perClass', 'all zero', 'ask for some videos');
}

/**
 * Every video of the dataset: classes in label order, then splits, then index. Containers alternate
 * through `containers` along that order, so every class and split holds every container.
 */
export function planToyVideos(config: ToyConfig, containers: readonly ToyContainer[]): ToyVideoPlan[] {
  validateToyConfig(config);
  if (containers.length === 0) {
    throw new TubeletError('INVALID_ARGUMENT', 'Toy Actions needs at least one container to write.');
  }
  const out: ToyVideoPlan[] = [];
  TOY_CLASSES.forEach((cls, label) => {
    TOY_SPLITS.forEach((split, s) => {
      for (let index = 0; index < config.perClass[split]; index++) {
        const container = containers[out.length % containers.length] ?? 'webm';
        const name = `${cls.name}_${split}_${String(index).padStart(3, '0')}.${container}`;
        out.push({
          path: `${cls.name}/${name}`,
          label,
          split,
          index,
          container,
          seed: mixSeed(config.seed, label, s, index),
        });
      }
    });
  });
  return out;
}

/** The list files of the folder: classes.txt and one `path label` list per split (fold 1). */
export function toyListFiles(videos: readonly ToyVideoPlan[]): { path: string; text: string }[] {
  const lists = TOY_SPLITS.map((split) => ({
    path: `${TOY_ROOT}/toy_actions_${split}_list.txt`,
    text: videos
      .filter((v) => v.split === split)
      .map((v) => `${v.path} ${v.label}\n`)
      .join(''),
  }));
  const classes = { path: `${TOY_ROOT}/classes.txt`, text: TOY_CLASSES.map((c) => `${c.name}\n`).join('') };
  return [classes, ...lists.filter((l) => l.text !== '')];
}

/** A list file as the dataset parser sees a dropped file. */
export function droppedText(path: string, text: string): DroppedFile {
  return { path, size: new TextEncoder().encode(text).byteLength, read: () => Promise.resolve(text) };
}

/** Split memberships as the frame store records them: `${role}${fold}` ('train1'); 'unused' is left out. */
export function splitTags(splits: VideoSplits): string[] {
  const out: string[] = [];
  for (const fold of [1, 2, 3] as SplitFold[]) {
    const role: SplitRole | undefined = splits[fold];
    if (role && role !== 'unused') out.push(`${role}${fold}`);
  }
  return out;
}
