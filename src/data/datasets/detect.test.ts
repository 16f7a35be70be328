// Layout detection ranking (names only and with content peeks) and the parseDataset entry point.
import { describe, expect, it } from 'vitest';
import { detectLayout, detectLayoutDeep, parseDataset } from './detect.ts';
import { drop, lf } from './testFixtures.ts';
import type { DatasetFormat, DroppedFile } from '../../shared/datasets.ts';

const top = (guesses: readonly { format: DatasetFormat }[]): DatasetFormat | undefined => guesses[0]?.format;

const ucf = {
  'ucfTrainTestlist/classInd.txt': lf('1 Archery', '2 Bowling'),
  'ucfTrainTestlist/trainlist01.txt': lf('Archery/v_Archery_g01_c01.avi 1'),
  'ucfTrainTestlist/testlist01.txt': lf('Bowling/v_Bowling_g01_c01.avi'),
  'UCF-101/Archery/v_Archery_g01_c01.avi': 1,
  'UCF-101/Bowling/v_Bowling_g01_c01.avi': 1,
};
const hmdb = {
  'splits/brush_hair_test_split1.txt': lf('a.avi 1'),
  'splits/ride_bike_test_split1.txt': lf('b.avi 2'),
  'brush_hair/a.avi': 1,
  'ride_bike/b.avi': 1,
};
const kinetics = {
  'kinetics400/train.csv': lf(
    'label,youtube_id,time_start,time_end,split',
    'abseiling,-3B32lodo2M,59,69,train',
  ),
  'kinetics400/train/abseiling/-3B32lodo2M_000059_000069.mp4': 1,
  'kinetics400/train/archery/_dbcJuKJQNs_000040_000050.mp4': 1,
};
const sthv2 = {
  'labels.json': JSON.stringify({ 'Holding something': '0' }),
  'train.json': JSON.stringify([{ id: '1', template: 'Holding [something]' }]),
  'videos/1.webm': 1,
  'videos/2.webm': 1,
};
const folders = { 'clips/train/cats/a.mp4': 1, 'clips/train/dogs/b.mp4': 1, 'clips/val/cats/c.mp4': 1 };
const videoList = { 'my_train.txt': lf('cats/a.mp4 0', 'dogs/b.mp4 1'), 'cats/a.mp4': 1, 'dogs/b.mp4': 1 };
const rawList = {
  'my_train.txt': lf('cats/a 2 0', 'dogs/b 2 1'),
  'cats/a/img_00001.jpg': 1,
  'cats/a/img_00002.jpg': 1,
  'dogs/b/img_00001.jpg': 1,
  'dogs/b/img_00002.jpg': 1,
};

describe('detectLayout', () => {
  it.each([
    ['ucf101', ucf],
    ['hmdb51', hmdb],
    ['kinetics', kinetics],
    ['sthv2', sthv2],
    ['folder-per-class', folders],
  ] as const)('ranks %s first from file names', (format, files) => {
    const guesses = detectLayout(drop(files));
    expect(top(guesses)).toBe(format);
    expect(guesses[0]?.reasons.length).toBeGreaterThan(0);
    expect(guesses[0]?.confidence).toBeGreaterThan(guesses[1]?.confidence ?? 0);
  });

  it('keeps a dataset first in a mixed folder and still offers the generic layouts', () => {
    const guesses = detectLayout(drop({ ...ucf, ...folders, 'notes/readme.txt': 'hi' }));
    expect(top(guesses)).toBe('ucf101');
    expect(guesses.map((g) => g.format)).toContain('folder-per-class');
    const confidences = guesses.map((g) => g.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    expect(confidences.every((c) => c > 0 && c <= 1)).toBe(true);
  });

  it('returns nothing for a drop with no evidence', () => {
    expect(detectLayout(drop({ 'a.bin': 3 }))).toEqual([]);
  });
});

describe('detectLayoutDeep', () => {
  it('reads list lines to tell VideoDataset lists from RawframeDataset lists', async () => {
    expect(top(await detectLayoutDeep(drop(videoList)))).toBe('video-list');
    expect(top(await detectLayoutDeep(drop(rawList)))).toBe('rawframe-list');
  });

  it('confirms Kinetics from a CSV header even without clip-named files', async () => {
    const guesses = await detectLayoutDeep(
      drop({ 'anno/k.csv': lf('label,youtube_id,time_start,time_end,split'), 'a/x.mp4': 1, 'b/y.mp4': 1 }),
    );
    expect(top(guesses)).toBe('kinetics');
    expect(guesses[0]?.reasons.join(' ')).toMatch(/Kinetics columns/);
  });
});

describe('parseDataset', () => {
  it('auto-detects and parses each layout', async () => {
    const cases: [DatasetFormat, Record<string, string | number>][] = [
      ['ucf101', ucf],
      ['hmdb51', hmdb],
      ['kinetics', kinetics],
      ['sthv2', sthv2],
      ['folder-per-class', folders],
      ['video-list', videoList],
      ['rawframe-list', rawList],
    ];
    for (const [format, files] of cases) {
      const m = await parseDataset(drop(files));
      expect(m.format).toBe(format);
      expect(m.videos.length).toBeGreaterThan(0);
    }
  });

  it('honours a hand-picked format and reads each list file once', async () => {
    let reads = 0;
    const files: DroppedFile[] = drop(videoList).map((f) =>
      f.read ? { ...f, read: () => ((reads += 1), f.read?.() ?? Promise.resolve('')) } : f,
    );
    const auto = await parseDataset(files);
    expect(auto.format).toBe('video-list');
    expect(reads).toBe(1);
    const forced = await parseDataset(drop(videoList), 'folder-per-class');
    expect(forced.format).toBe('folder-per-class');
    expect(forced.classes).toEqual(['cats', 'dogs']);
  });

  it('rejects invalid arguments with a coded error', async () => {
    await expect(parseDataset([], 'nope' as DatasetFormat)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(parseDataset([], undefined, { maxIssuesPerCode: -1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('returns a manifest with a NO_VIDEOS error for an empty drop', async () => {
    const m = await parseDataset([]);
    expect(m.format).toBe('folder-per-class');
    expect(m.issues.map((i) => i.code)).toEqual(['NO_VIDEOS']);
  });
});
