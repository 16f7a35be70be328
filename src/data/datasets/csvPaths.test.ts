// CSV reader and path helpers: quoting, line endings, suffix resolution, split names.
import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.ts';
import { FileIndex, foldInName, isJunk, normalizePath, roleInName, textLines } from './paths.ts';

describe('parseCsv', () => {
  it('unquotes fields with commas, spaces and escaped quotes; reports start lines', () => {
    const rows = parseCsv(
      '\uFEFFlabel,id\r\n"passing American football (in game)",-x\r\n\r\n"say ""hi"", wave" ,_y\n',
    );
    expect(rows.map((r) => [r.fields, r.line])).toEqual([
      [['label', 'id'], 1],
      [['passing American football (in game)', '-x'], 2],
      [['say "hi", wave', '_y'], 4],
    ]);
  });

  it('keeps line breaks inside quotes, handles CR-only endings, empty fields and unterminated quotes', () => {
    expect(parseCsv('a,"multi\nline",c\rd,,f').map((r) => [r.fields, r.line])).toEqual([
      [['a', 'multi\nline', 'c'], 1],
      [['d', '', 'f'], 3],
    ]);
    const bad = parseCsv('ok,1\n"never closed,2\n');
    expect(bad[1]).toMatchObject({ line: 2, malformed: 'unterminated quoted field' });
    expect(parseCsv('a;b', ';')[0]?.fields).toEqual(['a', 'b']);
  });
});

describe('paths', () => {
  it('normalises separators and recognises OS litter', () => {
    expect(normalizePath('./UCF-101\\Archery//v_a.avi')).toBe('UCF-101/Archery/v_a.avi');
    expect(isJunk('__MACOSX/a/b.avi')).toBe(true);
    expect(isJunk('a/._b.avi')).toBe(true);
    expect(isJunk('a/.DS_Store')).toBe(true);
    expect(isJunk('a/b.avi')).toBe(false);
  });

  it('reads text lines with BOM, CRLF and CR endings, skipping blanks, numbering from 1', () => {
    expect(textLines('\uFEFFa \r\n\r\n  b\rc\n')).toEqual([
      { text: 'a', line: 1 },
      { text: 'b', line: 3 },
      { text: 'c', line: 4 },
    ]);
  });

  it('tells split roles and folds from list names', () => {
    expect(
      [
        'trainlist01.txt',
        'testlist02.txt',
        'kinetics700_validate.csv',
        'sthv2_val_list_videos.txt',
        'latest.txt',
        'my.txt',
      ].map(roleInName),
    ).toEqual(['train', 'test', 'val', 'val', null, null]);
    expect(
      ['trainlist03.txt', 'hmdb51_train_split_2_rawframes.txt', 'split02.txt', 'x.txt', 'ucf101_val.txt'].map(
        foldInName,
      ),
    ).toEqual([3, 2, 2, 1, 1]);
  });
});

describe('FileIndex.resolve', () => {
  const files = [
    { path: 'UCF101/UCF-101/Archery/v_a.avi', size: 1 },
    { path: 'copy/Archery/v_a.avi', size: 1 },
    { path: 'UCF101/UCF-101/Bowling/v_b.avi', size: 1 },
    { path: 'x/HandStandPushups/v_HandStandPushups_g01_c01.avi', size: 1 },
  ];
  const index = new FileIndex(files);

  it('matches the longest suffix under any root and counts ties', () => {
    expect(index.resolve('Bowling/v_b.avi')).toMatchObject({ file: files[2], caseOnly: false, ties: 1 });
    expect(index.resolve('/data/ucf/UCF-101/Archery/v_a.avi')).toMatchObject({ file: files[0], ties: 1 });
    expect(index.resolve('Archery/v_a.avi')).toMatchObject({ file: files[1], ties: 2 }); // shorter path wins
    expect(index.resolve('Other/v_b.avi')).toMatchObject({ file: files[2] }); // basename-only match
    expect(index.resolve('Archery/v_zzz.avi')).toBeNull();
  });

  it('ignores case but prefers an exact-case match', () => {
    expect(index.resolve('HandstandPushups/v_HandStandPushups_g01_c01.avi')).toMatchObject({
      file: files[3],
      caseOnly: true,
    });
    const both = new FileIndex([
      { path: 'a/Foo/x.avi', size: 1 },
      { path: 'a/foo/x.avi', size: 1 },
    ]);
    expect(both.resolve('foo/x.avi')).toMatchObject({
      file: { path: 'a/foo/x.avi', size: 1 },
      caseOnly: false,
      ties: 1,
    });
  });
});
