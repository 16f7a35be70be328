// Generic layouts against in-test fixtures: folder-per-class, MMAction2 VideoDataset and
// RawframeDataset lists (delimiters, multi-labels, label maps, 1-based lists, frame counts).
import { describe, expect, it } from 'vitest';
import { parseFolderPerClass, placeVideo } from './folderPerClass.ts';
import { inferClassNames, splitListLine } from './lists.ts';
import { parseRawframeList } from './rawframeList.ts';
import { crlf, drop, issuesOf, lf, video } from './testFixtures.ts';
import { parseVideoList } from './videoList.ts';

describe('parseFolderPerClass', () => {
  it('labels by class folder, splits by train/val/test folders, merges class case variants', () => {
    const m = parseFolderPerClass(
      drop({
        'data/train/cats/a.mp4': 1,
        'data/train/dogs/b.mkv': 2,
        'data/val/cats/c.webm': 3,
        'data/val/Dogs/d.MOV': 4,
        'data/test/e.mp4': 5,
        'data/readme.txt': 'hello',
        'data/train/cats/frame.jpg': 6,
        'data/.DS_Store': 7,
      }),
    );
    expect(m.classes).toEqual(['cats', 'dogs']);
    expect(m.folds).toEqual([1]);
    expect(video(m, 'train/cats/a.mp4')).toMatchObject({
      label: 0,
      splits: { 1: 'train' },
      path: 'data/train/cats/a.mp4',
      size: 1,
    });
    expect(video(m, 'val/Dogs/d.MOV')).toMatchObject({ label: 1, splits: { 1: 'val' } });
    expect(video(m, 'test/e.mp4')).toMatchObject({ label: null, splits: { 1: 'test' } });
    expect(issuesOf(m, 'NO_CLASS_FOLDER')).toEqual([expect.objectContaining({ file: 'data/test/e.mp4' })]);
    expect(issuesOf(m, 'CASE_MISMATCH')).toHaveLength(1);
    expect(m.videos).toHaveLength(5);
  });

  it('has no folds without split folders, and handles single-class drops', () => {
    expect(placeVideo('x/train/cats/a.mp4')).toEqual({ cls: 'cats', role: 'train' });
    expect(placeVideo('x/train/a.mp4')).toEqual({ cls: null, role: 'train' });
    expect(placeVideo('a.mp4')).toEqual({ cls: null, role: null });
    const m = parseFolderPerClass(drop({ 'jumping/a.mp4': 1, 'jumping/b.mp4': 2 }));
    expect(m).toMatchObject({ classes: ['jumping'], folds: [] });
    expect(m.videos.map((v) => [v.id, v.label])).toEqual([
      ['a.mp4', 0],
      ['b.mp4', 0],
    ]);
    expect(parseFolderPerClass(drop({ 'notes.txt': 'x' })).issues.map((i) => i.code)).toEqual(['NO_VIDEOS']);
  });
});

describe('list lines', () => {
  it('splits path and trailing integers, allowing spaces in paths or a delimiter', () => {
    expect(splitListLine('abseiling/clip 1.mp4 0')).toEqual({ path: 'abseiling/clip 1.mp4', tokens: ['0'] });
    expect(splitListLine('a/b.mp4 1 3 5')).toEqual({ path: 'a/b.mp4', tokens: ['1', '3', '5'] });
    expect(splitListLine('a b.mp4,2', ',')).toEqual({ path: 'a b.mp4', tokens: ['2'] });
    expect(splitListLine('just/a/path.mp4')).toEqual({ path: 'just/a/path.mp4', tokens: [] });
  });

  it('names classes after the one folder each label uses, else class_{id}', () => {
    expect(
      inferClassNames([
        { label: 0, path: 'x/A/1.mp4' },
        { label: 2, path: 'x/C/1.mp4' },
        { label: 2, path: 'y/C/2.mp4' },
        { label: 3, path: 'x/A/9.mp4' },
      ]),
    ).toEqual(['class_0', 'class_1', 'C', 'class_3']);
  });
});

describe('parseVideoList', () => {
  const files = () =>
    drop({
      'lists/ucf101_train_split_1_videos.txt': crlf(
        'ApplyEyeMakeup/v_a.avi 0',
        'Archery/v_b.avi 1',
        'Archery/v c.avi 1 3',
        'Archery/v_gone.avi 1',
      ),
      'lists/ucf101_val_split_1_videos.txt': lf(
        'ApplyEyeMakeup/v_d.avi 0',
        'no label here.avi',
        'Archery/v_b.avi 1',
      ),
      'lists/ucf101_train_split_2_videos.txt': lf('Archery/v_b.avi 1'),
      'videos/ApplyEyeMakeup/v_a.avi': 1,
      'videos/ApplyEyeMakeup/v_d.avi': 2,
      'videos/Archery/v_b.avi': 3,
      'videos/Archery/v c.avi': 4,
      'videos/Archery/v_extra.avi': 5,
    });

  it('reads 0-based labels, role and fold from list names, and folder class names', async () => {
    const m = await parseVideoList(files());
    expect(m.classes).toEqual(['ApplyEyeMakeup', 'Archery']);
    expect(m.folds).toEqual([1, 2]);
    expect(video(m, 'ApplyEyeMakeup/v_a.avi')).toMatchObject({
      label: 0,
      splits: { 1: 'train' },
      path: 'videos/ApplyEyeMakeup/v_a.avi',
    });
    expect(video(m, 'Archery/v c.avi')).toMatchObject({ label: 1, size: 4 });
    expect(video(m, 'ApplyEyeMakeup/v_d.avi').splits).toEqual({ 1: 'val' });
    expect(video(m, 'Archery/v_b.avi').splits).toEqual({ 1: 'train', 2: 'train' });
  });

  it('reports multi-labels, bad lines, conflicting roles, missing and unlisted videos', async () => {
    const m = await parseVideoList(files());
    const train1 = 'lists/ucf101_train_split_1_videos.txt';
    const val1 = 'lists/ucf101_val_split_1_videos.txt';
    expect(issuesOf(m, 'MULTI_LABEL_IGNORED')).toEqual([expect.objectContaining({ file: train1, line: 3 })]);
    expect(issuesOf(m, 'BAD_LINE')).toEqual([expect.objectContaining({ file: val1, line: 2 })]);
    expect(issuesOf(m, 'DUPLICATE_ENTRY')).toEqual([expect.objectContaining({ file: val1, line: 3 })]);
    expect(issuesOf(m, 'VIDEO_MISSING')).toEqual([expect.objectContaining({ file: train1, line: 4 })]);
    expect(video(m, 'videos/Archery/v_extra.avi')).toMatchObject({ label: 1, splits: {} });
  });

  it('uses a label map, a delimiter and labelBase 1; suspects 1-based lists', async () => {
    const withMap = await parseVideoList(
      drop({
        'label_map.txt': lf('jump', 'run'),
        'test_list.txt': lf('clips/x 1.mp4,2,0', 'clips/y.mp4,1'),
        'clips/x 1.mp4': 1,
      }),
      { delimiter: ',', labelBase: 1 },
    );
    expect(withMap.classes).toEqual(['jump', 'run']);
    expect(video(withMap, 'clips/x 1.mp4')).toMatchObject({ label: 1, splits: { 1: 'test' } });
    expect(issuesOf(withMap, 'MULTI_LABEL_IGNORED')).toHaveLength(1);
    expect(withMap.sources).toEqual(['test_list.txt', 'label_map.txt']);

    const oneBased = await parseVideoList(drop({ 'mylist.txt': lf('a/x.mp4 1', 'b/y.mp4 2') }), {
      classNames: ['A', 'B'],
    });
    expect(issuesOf(oneBased, 'UNKNOWN_CLASS')).toHaveLength(1);
    expect(issuesOf(oneBased, 'UNKNOWN_SPLIT')).toHaveLength(1);
    expect(oneBased.folds).toEqual([]);
    const suspect = await parseVideoList(drop({ 'train.txt': lf('a/x.mp4 1', 'b/y.mp4 2') }));
    expect(issuesOf(suspect, 'LABEL_BASE_SUSPECT')).toHaveLength(1);
    expect(suspect.classes).toEqual(['class_0', 'a', 'b']);
  });
});

describe('parseRawframeList', () => {
  const frames = (dir: string, n: number): Record<string, number> =>
    Object.fromEntries(
      Array.from({ length: n }, (_, i) => [`${dir}/img_${String(i + 1).padStart(5, '0')}.jpg`, 10]),
    );

  it('resolves frame folders, keeps total_frames, and checks frame counts', async () => {
    const m = await parseRawframeList(
      drop({
        'ucf101_train_split_1_rawframes.txt': lf(
          'ApplyEyeMakeup/v_a 3 0',
          'Archery/v_b 5 1',
          'Archery/v_c 4 1',
          'Archery/v_d 4',
        ),
        ...frames('rawframes/ApplyEyeMakeup/v_a', 3),
        ...frames('rawframes/Archery/v_b', 2),
        'rawframes/Archery/v_b/flow_x_00001.jpg': 10,
      }),
    );
    expect(m.format).toBe('rawframe-list');
    expect(m.classes).toEqual(['ApplyEyeMakeup', 'Archery']);
    expect(video(m, 'ApplyEyeMakeup/v_a')).toMatchObject({
      path: 'rawframes/ApplyEyeMakeup/v_a',
      frameDir: 'ApplyEyeMakeup/v_a',
      totalFrames: 3,
      size: 30,
      label: 0,
      splits: { 1: 'train' },
    });
    expect(issuesOf(m, 'FRAME_COUNT_MISMATCH')).toEqual([expect.objectContaining({ line: 2 })]);
    expect(issuesOf(m, 'VIDEO_MISSING')).toEqual([expect.objectContaining({ line: 3 })]);
    expect(issuesOf(m, 'BAD_LINE')).toEqual([expect.objectContaining({ line: 4 })]);
  });

  it('reads with_offset lines and a custom frame template', async () => {
    const m = await parseRawframeList(
      drop({
        'val_list.txt': lf('long/video 2 3 0', 'long/video 0 2 0'),
        'long/video/00001.png': 1,
        'long/video/00002.png': 1,
        'long/video/00003.png': 1,
        'long/video/00004.png': 1,
      }),
      { withOffset: true, filenameTmpl: '{:05}.png' },
    );
    expect(m.videos.map((v) => [v.id, v.frameOffset, v.totalFrames])).toEqual([
      ['long/video@2', 2, 3],
      ['long/video@0', 0, 2],
    ]);
    expect(issuesOf(m, 'FRAME_COUNT_MISMATCH')).toEqual([expect.objectContaining({ line: 1 })]);
  });
});
