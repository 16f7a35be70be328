// The model select's grouping: one optgroup per family, tiny presets labelled and after the full models.
import { describe, expect, it } from 'vitest';
import { groupModels } from './modelGroups.ts';

describe('groupModels', () => {
  it('groups by family in first-seen order and labels the tiny presets', () => {
    const families = { 'r3d_18:tiny': 'VideoResNet', r3d_18: 'VideoResNet', 's3d:tiny': 'S3D', s3d: 'S3D' };
    expect(groupModels(['r3d_18:tiny', 'r3d_18', 's3d:tiny', 's3d', 'toy_r3d'], families)).toEqual([
      {
        family: 'VideoResNet',
        options: [
          { value: 'r3d_18', label: 'r3d_18' },
          { value: 'r3d_18:tiny', label: 'r3d_18 (tiny preset)' },
        ],
      },
      {
        family: 'S3D',
        options: [
          { value: 's3d', label: 's3d' },
          { value: 's3d:tiny', label: 's3d (tiny preset)' },
        ],
      },
      { family: 'Other', options: [{ value: 'toy_r3d', label: 'toy_r3d' }] },
    ]);
  });
});
