// Kinetics parser against in-test fixtures: quoted labels, escaped quotes, ids starting with '-'/'_',
// 'validate', label folders with spaces or underscores, flat folders, a test CSV without labels.
import { describe, expect, it } from 'vitest';
import { kineticsColumns, kineticsKey, parseKinetics } from './kinetics.ts';
import { crlf, drop, issuesOf, lf, video } from './testFixtures.ts';

const K = 'kinetics400/';

function kineticsDrop(extra: Record<string, string | number> = {}) {
  return drop({
    [`${K}annotations/train.csv`]: crlf(
      'label,youtube_id,time_start,time_end,split,is_cc',
      'abseiling,-3B32lodo2M,59,69,train,0',
      '"air drumming",_dbcJuKJQNs,40,50,train,0',
      '"passing American football (in game)",abc_def-GHI,5,15,train,1',
      '"say ""hi"", wave",AAAAAAAAAAA,0,10,train,0',
      'abseiling,FFFFFFFFFFF,3,13,train,0',
      'bad,row,x,y,train',
      'abseiling,GGGGGGGGGGG,7,17,train,0',
    ),
    [`${K}annotations/validate.csv`]: lf(
      'label,youtube_id,time_start,time_end,split',
      'abseiling,BBBBBBBBBBB,1,11,validate',
      '"juggling balls",CCCCCCCCCCC,3,13,validate',
      'abseiling,HHHHHHHHHHH,0,10,holdout',
    ),
    [`${K}annotations/kinetics400_test.csv`]: lf('youtube_id,time_start,time_end', 'DDDDDDDDDDD,0,10'),
    [`${K}notes.csv`]: lf('a,b', '1,2'),
    [`${K}train/abseiling/-3B32lodo2M_000059_000069.mp4`]: 100,
    [`${K}train/air drumming/_dbcJuKJQNs_000040_000050.mp4`]: 101,
    [`${K}train/passing_American_football_(in_game)/abc_def-GHI_000005_000015.mp4`]: 102,
    [`${K}train/say_hi_wave/AAAAAAAAAAA_000000_000010.mp4`]: 103,
    [`${K}train/air drumming/FFFFFFFFFFF_000003_000013.mp4`]: 104,
    [`${K}val/BBBBBBBBBBB_000001_000011.mp4`]: 105,
    [`${K}test/DDDDDDDDDDD.mp4`]: 106,
    [`${K}train/abseiling/EEEEEEEEEEE_000000_000010.mp4`]: 107,
    ...extra,
  });
}

describe('parseKinetics', () => {
  it('builds sorted classes from train labels, including quoted commas and escaped quotes', async () => {
    const m = await parseKinetics(kineticsDrop());
    expect(m.classes).toEqual([
      'abseiling',
      'air drumming',
      'passing American football (in game)',
      'say "hi", wave',
    ]);
    expect(m.folds).toEqual([1]);
    expect(m.sources).toHaveLength(3); // notes.csv is not a Kinetics CSV
  });

  it('resolves {id}_{start:06d}_{end:06d} clips in space, underscore and flat folders', async () => {
    const m = await parseKinetics(kineticsDrop());
    expect(video(m, '-3B32lodo2M_000059_000069')).toMatchObject({
      label: 0,
      size: 100,
      splits: { 1: 'train' },
      segment: { startSec: 59, endSec: 69 },
    });
    expect(video(m, '_dbcJuKJQNs_000040_000050')).toMatchObject({
      label: 1,
      path: `${K}train/air drumming/_dbcJuKJQNs_000040_000050.mp4`,
    });
    expect(video(m, 'abc_def-GHI_000005_000015').label).toBe(2);
    expect(video(m, 'AAAAAAAAAAA_000000_000010').label).toBe(3);
    expect(video(m, 'BBBBBBBBBBB_000001_000011')).toMatchObject({
      label: 0,
      splits: { 1: 'val' },
      path: `${K}val/BBBBBBBBBBB_000001_000011.mp4`,
    });
  });

  it('takes the split from the file name when there is no split column; test clips have no label', async () => {
    const m = await parseKinetics(kineticsDrop());
    expect(video(m, 'DDDDDDDDDDD_000000_000010')).toMatchObject({
      label: null,
      splits: { 1: 'test' },
      path: `${K}test/DDDDDDDDDDD.mp4`,
    });
  });

  it('reports unknown classes, bad rows, unknown split values, missing, unlisted and mislabelled clips', async () => {
    const m = await parseKinetics(kineticsDrop());
    const train = `${K}annotations/train.csv`;
    const val = `${K}annotations/validate.csv`;
    expect(issuesOf(m, 'BAD_LINE')).toEqual([expect.objectContaining({ file: train, line: 7 })]);
    expect(issuesOf(m, 'UNKNOWN_CLASS')).toEqual([expect.objectContaining({ file: val, line: 3 })]);
    expect(video(m, 'CCCCCCCCCCC_000003_000013')).toMatchObject({ label: null, path: null });
    expect(issuesOf(m, 'UNKNOWN_SPLIT')).toEqual([expect.objectContaining({ file: val, line: 4 })]);
    expect(video(m, 'HHHHHHHHHHH_000000_000010').splits).toEqual({});
    expect(issuesOf(m, 'VIDEO_MISSING').map((i) => [i.file, i.line])).toEqual([
      [train, 8],
      [val, 3],
      [val, 4],
    ]);
    expect(issuesOf(m, 'LABEL_MISMATCH')).toEqual([expect.objectContaining({ file: train, line: 6 })]);
    expect(video(m, 'FFFFFFFFFFF_000003_000013').label).toBe(0); // the CSV wins
    expect(video(m, 'EEEEEEEEEEE_000000_000010')).toMatchObject({ label: 0, splits: {} });
    expect(issuesOf(m, 'VIDEO_UNLISTED')).toHaveLength(1);
  });

  it('matches YouTube ids case-sensitively and prefers the clip in the label folder', async () => {
    const m = await parseKinetics(
      drop({
        'k.csv': lf(
          'label,youtube_id,time_start,time_end,split',
          'abseiling,abcdefghijk,0,10,train',
          'archery,ABCDEFGHIJK,0,10,train',
        ),
        'x/archery/abcdefghijk_000000_000010.mp4': 1,
        'x/abseiling/abcdefghijk_000000_000010.mp4': 2,
        'x/archery/ABCDEFGHIJK_000000_000010.mp4': 3,
      }),
    );
    expect(video(m, 'abcdefghijk_000000_000010').path).toBe('x/abseiling/abcdefghijk_000000_000010.mp4');
    expect(video(m, 'ABCDEFGHIJK_000000_000010').path).toBe('x/archery/ABCDEFGHIJK_000000_000010.mp4');
    expect(issuesOf(m, 'VIDEO_UNLISTED')).toHaveLength(1);
  });

  it('reads headerless CSVs by shape and reports a drop without CSVs', async () => {
    expect(kineticsColumns(['abseiling', '-3B32lodo2M', '59', '69', 'train'])).toMatchObject({
      label: 0,
      id: 1,
      headerRows: 0,
    });
    expect(kineticsColumns(['-3B32lodo2M', '59', '69', 'test'])).toMatchObject({
      label: null,
      id: 0,
      split: 3,
    });
    expect(kineticsColumns(['name', 'value'])).toBeNull();
    const m = await parseKinetics(drop({ 'a/x.mp4': 1 }));
    expect(issuesOf(m, 'LIST_MISSING')).toHaveLength(1);
    expect(kineticsKey('passing American football (in game)')).toBe(
      kineticsKey('passing_american_football_in_game'),
    );
  });
});
