import { describe, expect, it } from 'vitest';
import { datasetIdFor, splitNames, topFolder } from './ingestDataset.ts';

describe('ingest-dataset naming', () => {
  it('derives stable ids, the drop folder and split names', () => {
    expect(datasetIdFor('UCF-101 (split 1)')).toBe('ucf-101-split-1');
    expect(datasetIdFor('  ')).toBe('dataset');
    expect(datasetIdFor('Kinétics 400')).toBe('kinetics-400');
    expect(topFolder(['UCF101/a/b.avi', 'UCF101/list.txt'])).toBe('UCF101');
    expect(topFolder(['a/x.mp4', 'b/y.mp4'])).toBeNull();
    expect(topFolder(['x.mp4'])).toBeNull();
    const video = {
      id: 'v',
      path: 'v.avi',
      label: 0,
      size: 1,
      splits: { 2: 'test', 1: 'train', 3: 'unused' },
    } as const;
    expect(splitNames(video)).toEqual(['test2', 'train1', 'unused3']);
  });
});
