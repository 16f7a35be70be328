// Evaluation protocol presets (shared by the worker and the CLI; pure): which split is scored and how views are
// planned. Clip length, interval and crop size default to the model's reference input when a preset leaves them.
import { TubeletError } from '../shared/errors.ts';
import type { AverageMode } from './average.ts';
import type { CropMode, TemporalMode, ViewSpec } from './views.ts';

export interface ProtocolPreset {
  readonly name: string;
  readonly description: string;
  /** Split tag the videos must carry, e.g. 'test1'; null = every labelled video. */
  readonly split: string | null;
  readonly temporal: TemporalMode;
  readonly numClips: number;
  readonly crop: CropMode;
  readonly average: AverageMode;
  /** Short side the frames are resized to before cropping; null = crop size. */
  readonly shortSide: number | null;
  readonly clipLen?: number;
  readonly frameInterval?: number;
  readonly cropSize?: number;
}

const split = (dataset: 'ucf101' | 'hmdb51', fold: 1 | 2 | 3): ProtocolPreset => ({
  name: `${dataset}-split${fold}`,
  description: `${dataset.toUpperCase()} test list of split ${fold}, 10 clips × 3 crops (MMAction2 test pipeline)`,
  split: `test${fold}`,
  temporal: 'mmaction',
  numClips: 10,
  crop: 'three',
  average: 'score',
  shortSide: null,
});

export const PROTOCOLS: readonly ProtocolPreset[] = [
  split('ucf101', 1),
  split('ucf101', 2),
  split('ucf101', 3),
  split('hmdb51', 1),
  split('hmdb51', 2),
  split('hmdb51', 3),
  {
    name: 'kinetics400-val',
    description: 'Kinetics-400 val: 10 clips × 3 crops at short side 256 (MMAction2 3-D CNN test config)',
    split: 'val1',
    temporal: 'mmaction',
    numClips: 10,
    crop: 'three',
    average: 'score',
    shortSide: 256,
    cropSize: 256,
  },
  {
    name: 'sthv2-val',
    description: 'Something-Something V2 val: 1 clip × 3 crops (TSM/TimeSformer style), no flip',
    split: 'val1',
    temporal: 'mmaction',
    numClips: 1,
    crop: 'three',
    average: 'prob',
    shortSide: null,
  },
  {
    name: 'single-view',
    description: 'one centre clip, centre crop (validation during training)',
    split: null,
    temporal: 'mmaction',
    numClips: 1,
    crop: 'center',
    average: 'score',
    shortSide: null,
  },
  {
    name: 'custom',
    description:
      'views given as CLIPSxCROPS (MMAction2 test-mode clips), every labelled video unless a split is given',
    split: null,
    temporal: 'mmaction',
    numClips: 1,
    crop: 'center',
    average: 'score',
    shortSide: null,
  },
];

export function protocolPreset(name: string): ProtocolPreset {
  const p = PROTOCOLS.find((x) => x.name === name);
  if (!p) {
    throw new TubeletError('INVALID_ARGUMENT', `unknown protocol ${name}`, {
      hint: `one of ${PROTOCOLS.map((x) => x.name).join(', ')}, or custom views CLIPSxCROPS`,
    });
  }
  return p;
}

/** 'CLIPSxCROPS' (e.g. '3x3', '10x1', '4x10') → clips and the crop mode (1 centre, 3 three-crop, 10 ten-crop). */
export function parseViews(text: string): { numClips: number; crop: CropMode } {
  const m = /^(\d+)x(\d+)$/.exec(text.trim());
  const clips = Number(m?.[1]);
  const crops = Number(m?.[2]);
  const crop: CropMode | null = crops === 1 ? 'center' : crops === 3 ? 'three' : crops === 10 ? 'ten' : null;
  if (!m || !Number.isInteger(clips) || clips < 1 || !crop) {
    throw new TubeletError(
      'INVALID_ARGUMENT',
      `views must be CLIPSxCROPS with CROPS 1, 3 or 10, got ${text}`,
    );
  }
  return { numClips: clips, crop };
}

/** A protocol resolved against a model's reference input [T, H, W] (crop side = H). */
export interface ResolvedProtocol {
  readonly name: string;
  readonly split: string | null;
  readonly views: ViewSpec;
  readonly average: AverageMode;
  /** Short side the stored frames are resized to before cropping. */
  readonly shortSide: number;
}

export function resolveProtocol(
  preset: ProtocolPreset,
  reference: readonly [number, number, number],
  overrides: Partial<
    Pick<ProtocolPreset, 'numClips' | 'crop' | 'average' | 'split' | 'clipLen' | 'frameInterval' | 'cropSize'>
  > = {},
): ResolvedProtocol {
  const [t, h] = reference;
  const cropSize = overrides.cropSize ?? preset.cropSize ?? h;
  return {
    name: preset.name,
    split: overrides.split !== undefined ? overrides.split : preset.split,
    views: {
      temporal: preset.temporal,
      numClips: overrides.numClips ?? preset.numClips,
      clipLen: overrides.clipLen ?? preset.clipLen ?? t,
      frameInterval: overrides.frameInterval ?? preset.frameInterval ?? 1,
      crop: overrides.crop ?? preset.crop,
      cropSize,
    },
    average: overrides.average ?? preset.average,
    shortSide: overrides.cropSize !== undefined ? cropSize : (preset.shortSide ?? cropSize),
  };
}
