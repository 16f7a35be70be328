import { describe, expect, it } from 'vitest';
import { parseDataset } from '../datasets/detect.ts';
import { DEFAULT_TOY_CONFIG, TOY_CLASSES, toyDatasetId, TOY_DATASET_ID } from './classes.ts';
import {
  droppedText,
  planToyVideos,
  splitTags,
  toyListFiles,
  TOY_ROOT,
  validateToyConfig,
} from './layout.ts';

describe('Toy Actions layout', () => {
  it('plans 8 classes × (48 + 12 + 12) videos with distinct paths and seeds', () => {
    const videos = planToyVideos(DEFAULT_TOY_CONFIG, ['mp4', 'webm']);
    expect(videos).toHaveLength(TOY_CLASSES.length * 72);
    expect(new Set(videos.map((v) => v.path)).size).toBe(videos.length);
    expect(new Set(videos.map((v) => v.seed)).size).toBe(videos.length);
    expect(videos.filter((v) => v.container === 'webm')).toHaveLength(videos.length / 2);
    expect(planToyVideos(DEFAULT_TOY_CONFIG, ['mp4', 'webm'])).toEqual(videos);
  });

  it('is parsed by the user-dataset parser as a video-list dataset with three splits', async () => {
    const videos = planToyVideos(DEFAULT_TOY_CONFIG, ['mp4', 'webm']);
    const files = [
      ...toyListFiles(videos).map((l) => droppedText(l.path, l.text)),
      ...videos.map((v) => ({ path: `${TOY_ROOT}/${v.path}`, size: 1000 })),
    ];
    const manifest = await parseDataset(files, 'video-list');
    expect(manifest.classes).toEqual(TOY_CLASSES.map((c) => c.name));
    expect(manifest.issues.filter((i) => i.level === 'error')).toEqual([]);
    expect(manifest.folds).toEqual([1]);
    expect(manifest.videos).toHaveLength(videos.length);
    const byId = new Map(manifest.videos.map((v) => [v.id, v]));
    for (const v of videos) {
      const m = byId.get(v.path);
      expect(m?.label).toBe(v.label);
      expect(m?.path).toBe(`${TOY_ROOT}/${v.path}`);
      expect(splitTags(m?.splits ?? {})).toEqual([`${v.split}1`]);
    }
  });

  it('names the default dataset toy-actions and any other configuration differently', () => {
    expect(toyDatasetId(DEFAULT_TOY_CONFIG)).toBe(TOY_DATASET_ID);
    expect(toyDatasetId({ ...DEFAULT_TOY_CONFIG, seed: 5 })).not.toBe(TOY_DATASET_ID);
  });

  it('rejects bad configurations with the field named', () => {
    expect(() => validateToyConfig({ ...DEFAULT_TOY_CONFIG, size: 50 })).toThrow(/size is 50/);
    expect(() =>
      validateToyConfig({ ...DEFAULT_TOY_CONFIG, perClass: { train: 0, val: 0, test: 0 } }),
    ).toThrow(/perClass/);
    expect(() => validateToyConfig({ ...DEFAULT_TOY_CONFIG, frames: 2.5 })).toThrow(/frames/);
  });
});
