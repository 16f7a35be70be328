// UCF101 parser against in-test fixtures: CRLF, case differences, missing/extra files, bad lines.
import { describe, expect, it } from 'vitest';
import { crlf, drop, issuesOf, lf, video } from './testFixtures.ts';
import { parseUcf101 } from './ucf101.ts';

const L = 'ucfTrainTestlist/';
const V = 'UCF101/UCF-101/';

function ucfDrop(extra: Record<string, string | number> = {}) {
  return drop({
    [`${L}classInd.txt`]: crlf('1 ApplyEyeMakeup', '2 Archery', '3 HandstandPushups'),
    [`${L}trainlist01.txt`]: crlf(
      'ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1',
      'Archery/v_Archery_g08_c01.avi 2   ',
      'HandstandPushups/v_HandStandPushups_g08_c01.avi 3',
      '',
      'Archery/v_Archery_g09_c01.avi 2',
      'Archery/v_Archery_g11_c01.avi 1',
      'Archery/v_Archery_g12_c01.avi two',
    ),
    [`${L}testlist01.txt`]: crlf(
      'ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi',
      'Archery/v_Archery_g01_c01.avi',
      'HandstandPushups/v_HandStandPushups_g01_c01.avi',
      'Bowling/v_Bowling_g01_c01.avi',
    ),
    [`${L}trainlist02.txt`]: lf('ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi 1'),
    [`${L}testlist02.txt`]: lf('ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi'),
    [`${V}ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi`]: 1000,
    [`${V}ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi`]: 1001,
    [`${V}Archery/v_Archery_g08_c01.avi`]: 1002,
    [`${V}Archery/v_Archery_g01_c01.avi`]: 1003,
    [`${V}Archery/v_Archery_g11_c01.avi`]: 1004,
    [`${V}HandStandPushups/v_HandStandPushups_g08_c01.avi`]: 1005,
    [`${V}HandStandPushups/v_HandStandPushups_g01_c01.avi`]: 1006,
    [`${V}Archery/v_Archery_g10_c01.avi`]: 1007, // present but unlisted
    [`__MACOSX/${V}Archery/._v_Archery_g08_c01.avi`]: 10, // OS litter
    ...extra,
  });
}

describe('parseUcf101', () => {
  it('reads classInd (1-based), train/test lists per fold, and resolves videos under any root', async () => {
    const m = await parseUcf101(ucfDrop());
    expect(m.format).toBe('ucf101');
    expect(m.classes).toEqual(['ApplyEyeMakeup', 'Archery', 'HandstandPushups']);
    expect(m.folds).toEqual([1, 2]);
    const a = video(m, 'ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi');
    expect(a).toMatchObject({
      path: `${V}ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi`,
      label: 0,
      size: 1000,
    });
    expect(a.splits).toEqual({ 1: 'train', 2: 'test' });
    expect(video(m, 'ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi').splits).toEqual({ 1: 'test', 2: 'train' });
    expect(video(m, 'Archery/v_Archery_g01_c01.avi')).toMatchObject({ label: 1, splits: { 1: 'test' } });
    expect(m.sources).toHaveLength(5);
  });

  it('tolerates CRLF, trailing blanks and HandStandPushups vs HandstandPushups (one CASE_MISMATCH)', async () => {
    const m = await parseUcf101(ucfDrop());
    expect(video(m, 'Archery/v_Archery_g08_c01.avi').label).toBe(1);
    const hs = video(m, 'HandstandPushups/v_HandStandPushups_g08_c01.avi');
    expect(hs).toMatchObject({ label: 2, path: `${V}HandStandPushups/v_HandStandPushups_g08_c01.avi` });
    expect(video(m, 'HandstandPushups/v_HandStandPushups_g01_c01.avi').path).not.toBeNull();
    expect(issuesOf(m, 'CASE_MISMATCH')).toHaveLength(1);
  });

  it('reports listed-but-missing, unlisted, unknown class, label mismatch and bad lines with file and line', async () => {
    const m = await parseUcf101(ucfDrop());
    expect(issuesOf(m, 'VIDEO_MISSING').map((i) => [i.file, i.line])).toEqual([
      [`${L}trainlist01.txt`, 5],
      [`${L}testlist01.txt`, 4],
    ]);
    expect(video(m, 'Archery/v_Archery_g09_c01.avi')).toMatchObject({ path: null, size: null, label: 1 });
    expect(issuesOf(m, 'UNKNOWN_CLASS')).toEqual([
      expect.objectContaining({ file: `${L}testlist01.txt`, line: 4 }),
    ]);
    expect(video(m, 'Bowling/v_Bowling_g01_c01.avi').label).toBeNull();
    expect(issuesOf(m, 'LABEL_MISMATCH')).toEqual([expect.objectContaining({ line: 6 })]);
    expect(video(m, 'Archery/v_Archery_g11_c01.avi').label).toBe(1); // folder wins, as MMAction2
    expect(issuesOf(m, 'BAD_LINE')).toEqual([
      expect.objectContaining({ file: `${L}trainlist01.txt`, line: 7 }),
    ]);
    const unlisted = video(m, 'Archery/v_Archery_g10_c01.avi');
    expect(unlisted).toMatchObject({ label: 1, splits: {}, path: `${V}Archery/v_Archery_g10_c01.avi` });
    expect(issuesOf(m, 'VIDEO_UNLISTED')).toHaveLength(1);
    const levels = new Map(m.issues.map((i) => [i.code, i.level]));
    expect(levels.get('VIDEO_MISSING')).toBe('error');
    expect(levels.get('VIDEO_UNLISTED')).toBe('warning');
    expect(levels.get('CASE_MISMATCH')).toBe('warning');
    expect(m.videos.some((v) => v.path?.includes('__MACOSX'))).toBe(false);
  });

  it('warns about a missing half of a fold and a repeated entry', async () => {
    const m = await parseUcf101(
      ucfDrop({
        [`${L}trainlist03.txt`]: lf('Archery/v_Archery_g08_c01.avi 2', 'Archery/v_Archery_g08_c01.avi 2'),
      }),
    );
    expect(m.folds).toEqual([1, 2, 3]);
    expect(issuesOf(m, 'LIST_MISSING').map((i) => i.message)).toEqual([
      expect.stringContaining('testlist03.txt'),
    ]);
    expect(issuesOf(m, 'DUPLICATE_ENTRY')).toEqual([expect.objectContaining({ line: 2 })]);
  });

  it('derives classes from trainlist labels when classInd.txt is absent, and lower-cases lookups', async () => {
    const m = await parseUcf101(
      drop({
        'trainlist01.txt': lf(
          'archery/v_Archery_g01_c01.avi 2',
          'ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi 1',
        ),
        'testlist01.txt': lf('ARCHERY/v_Archery_g02_c01.avi'),
        'archery/v_Archery_g01_c01.avi': 5,
        'ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi': 5,
        'Archery/v_Archery_g02_c01.avi': 5,
      }),
    );
    expect(m.classes).toEqual(['ApplyEyeMakeup', 'archery']);
    expect(issuesOf(m, 'LIST_MISSING').map((i) => i.message)).toEqual([expect.stringContaining('classInd')]);
    expect(video(m, 'ARCHERY/v_Archery_g02_c01.avi')).toMatchObject({ label: 1, splits: { 1: 'test' } });
    expect(m.issues.filter((i) => i.level === 'error')).toEqual([]);
  });

  it('accepts a 0-based classInd, reports id gaps, and caps issues per code', async () => {
    const m = await parseUcf101(
      drop({
        'classInd.txt': lf('0 A', '2 C', 'oops'),
        'trainlist01.txt': lf('A/v_A_g01_c01.avi 0', 'A/v_A_g02_c01.avi 0', 'A/v_A_g03_c01.avi 0'),
      }),
      { maxIssuesPerCode: 1 },
    );
    expect(m.classes).toEqual(['A', '#1', 'C']);
    expect(m.issueCounts.VIDEO_MISSING).toBe(3);
    const missing = issuesOf(m, 'VIDEO_MISSING');
    expect(missing).toHaveLength(2);
    expect(missing[1]?.message).toMatch(/2 more VIDEO_MISSING issues \(3 in all\)/);
    expect(issuesOf(m, 'BAD_LINE')).toEqual([expect.objectContaining({ file: 'classInd.txt', line: 3 })]);
    expect(issuesOf(m, 'BAD_CLASS_INDEX')).toHaveLength(1);
  });

  it('reports unreadable list files and a drop without lists, never throwing', async () => {
    const m = await parseUcf101([
      { path: 'classInd.txt', size: 10 },
      { path: 'trainlist01.txt', size: 10, read: () => Promise.reject(new Error('gone')) },
      { path: 'A/v_A_g01_c01.avi', size: 3 },
    ]);
    expect(issuesOf(m, 'LIST_UNREADABLE')).toHaveLength(2);
    expect(m.folds).toEqual([]);
    expect(video(m, 'A/v_A_g01_c01.avi').splits).toEqual({});
  });
});
