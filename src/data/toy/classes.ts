// Toy Actions: the built-in dataset's classes, configuration and identity. Pure data; any thread.
// Eight classes come in four mirrored pairs, so a single frame cannot tell the two classes of a pair apart.

export const TOY_DATASET_ID = 'toy-actions';
export const TOY_DATASET_NAME = 'Toy Actions';

/** How a class moves its object: translate along (dx, dy), rotate with `sign` (+1 clockwise), or scale. */
export type ToyMotion =
  | { readonly kind: 'translate'; readonly dx: -1 | 0 | 1; readonly dy: -1 | 0 | 1 }
  | { readonly kind: 'rotate'; readonly sign: 1 | -1 }
  | { readonly kind: 'scale'; readonly sign: 1 | -1 };

export interface ToyClass {
  readonly name: string;
  readonly motion: ToyMotion;
}

/**
 * Class index = label. Screen coordinates: x right, y down, so a growing angle turns clockwise on screen.
 * Each class is its partner played backwards (left ↔ right, up ↔ down, cw ↔ ccw, grow ↔ shrink).
 */
export const TOY_CLASSES: readonly ToyClass[] = [
  { name: 'move_left', motion: { kind: 'translate', dx: -1, dy: 0 } },
  { name: 'move_right', motion: { kind: 'translate', dx: 1, dy: 0 } },
  { name: 'move_up', motion: { kind: 'translate', dx: 0, dy: -1 } },
  { name: 'move_down', motion: { kind: 'translate', dx: 0, dy: 1 } },
  { name: 'rotate_clockwise', motion: { kind: 'rotate', sign: 1 } },
  { name: 'rotate_counterclockwise', motion: { kind: 'rotate', sign: -1 } },
  { name: 'grow', motion: { kind: 'scale', sign: 1 } },
  { name: 'shrink', motion: { kind: 'scale', sign: -1 } },
];

/** Index of the class that is `label` played backwards. */
export function reversedClass(label: number): number {
  return label ^ 1;
}

export interface ToySplitCounts {
  readonly train: number;
  readonly val: number;
  readonly test: number;
}

export interface ToyConfig {
  readonly seed: number;
  /**
   * Frame side in pixels (square frames). 64 by default: a tiny 3-D CNN on 8–16 frames of 64×64 (or a 56²
   * crop) costs tens of MFLOPs per clip, which a software adapter (~1 GFLOP/s) trains in minutes, while
   * objects of 10–24 px radius moving 0.6–0.9 px per frame stay crisp after encoding. 96 or 128 also work.
   */
  readonly size: number;
  /** Frames per clip; 32 covers a 16-frame clip at interval 2 or an 8-frame clip at interval 4. */
  readonly frames: number;
  readonly fps: number;
  /** Videos per class in each split. */
  readonly perClass: ToySplitCounts;
}

export const DEFAULT_TOY_CONFIG: ToyConfig = {
  seed: 1234,
  size: 64,
  frames: 32,
  fps: 16,
  perClass: { train: 48, val: 12, test: 12 },
};

/** The dataset id: 'toy-actions' for the default configuration, a suffixed id for any other. */
export function toyDatasetId(config: ToyConfig): string {
  const d = DEFAULT_TOY_CONFIG;
  const p = config.perClass;
  const same =
    config.seed === d.seed &&
    config.size === d.size &&
    config.frames === d.frames &&
    config.fps === d.fps &&
    p.train === d.perClass.train &&
    p.val === d.perClass.val &&
    p.test === d.perClass.test;
  if (same) return TOY_DATASET_ID;
  return `${TOY_DATASET_ID}-s${config.seed}-${config.size}px-${config.frames}f-${config.fps}fps-${p.train}-${p.val}-${p.test}`;
}
