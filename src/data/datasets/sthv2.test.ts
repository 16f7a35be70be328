// Something-Something v2 parser against in-test JSON fixtures: bracket stripping, test ids, answers.
import { describe, expect, it } from 'vitest';
import { parseSthv2, stripTemplate } from './sthv2.ts';
import { drop, issuesOf, lf, video } from './testFixtures.ts';

const A = 'ssv2/annotations/something-something-v2-';
const V = 'ssv2/20bn-something-something-v2/';

const labels = JSON.stringify({
  'Holding something': '0',
  'Something falling like a feather or paper': '1',
  'Pushing something from left to right': '2',
});
const train = JSON.stringify([
  {
    id: '78687',
    label: 'holding potato',
    template: 'Holding [something]',
    placeholders: ['potato'],
  },
  {
    id: 42,
    label: 'a feather falling',
    template: '[Something] falling like a feather or paper',
    placeholders: ['a feather'],
  },
  { id: '7', template: 'Unknown [thing]' },
  { template: 'Holding [something]' },
]);
const validation = JSON.stringify([{ id: '100', template: 'Pushing [something] from left to right' }]);
const test = JSON.stringify([{ id: '1420' }, { id: '1421' }]);

function sthDrop(extra: Record<string, string | number> = {}) {
  return drop({
    [`${A}labels.json`]: labels,
    [`${A}train.json`]: train,
    [`${A}validation.json`]: validation,
    [`${A}test.json`]: test,
    'ssv2/test-answers.csv': lf('1420;Holding something'),
    [`${V}78687.webm`]: 1,
    [`${V}42.webm`]: 2,
    [`${V}100.webm`]: 3,
    [`${V}1420.webm`]: 4,
    [`${V}999.webm`]: 5,
    ...extra,
  });
}

describe('parseSthv2', () => {
  it('strips template brackets to find the class and keeps labels.json order', async () => {
    const m = await parseSthv2(sthDrop());
    expect(m.classes).toEqual([
      'Holding something',
      'Something falling like a feather or paper',
      'Pushing something from left to right',
    ]);
    expect(video(m, '78687')).toMatchObject({
      label: 0,
      splits: { 1: 'train' },
      path: `${V}78687.webm`,
      size: 1,
    });
    expect(video(m, '42').label).toBe(1);
    expect(video(m, '100')).toMatchObject({ label: 2, splits: { 1: 'val' } });
    expect(stripTemplate('[Something] falling like a feather or paper')).toBe(
      'Something falling like a feather or paper',
    );
  });

  it('reads test ids without labels and fills labels from test-answers.csv', async () => {
    const m = await parseSthv2(sthDrop());
    expect(video(m, '1420')).toMatchObject({ label: 0, splits: { 1: 'test' } });
    expect(video(m, '1421')).toMatchObject({ label: null, path: null, splits: { 1: 'test' } });
    expect(m.folds).toEqual([1]);
  });

  it('reports unknown templates, malformed records (by record number), missing and unlisted videos', async () => {
    const m = await parseSthv2(sthDrop());
    expect(issuesOf(m, 'UNKNOWN_CLASS')).toEqual([
      expect.objectContaining({ file: `${A}train.json`, line: 3 }),
    ]);
    expect(issuesOf(m, 'BAD_LINE')).toEqual([expect.objectContaining({ file: `${A}train.json`, line: 4 })]);
    expect(issuesOf(m, 'VIDEO_MISSING').map((i) => i.line)).toEqual([3, 2]);
    expect(video(m, '999')).toMatchObject({ label: null, splits: {} });
    expect(issuesOf(m, 'VIDEO_UNLISTED')).toHaveLength(1);
  });

  it('reports invalid JSON and a missing labels.json without failing', async () => {
    const m = await parseSthv2(
      drop({ 'train.json': train, 'validation.json': '[{"id": "100", ', '78687.webm': 1, '42.webm': 1 }),
    );
    expect(issuesOf(m, 'LIST_UNREADABLE')).toEqual([expect.objectContaining({ file: 'validation.json' })]);
    expect(issuesOf(m, 'LIST_MISSING').map((i) => i.message)).toEqual([
      expect.stringContaining('labels.json'),
    ]);
    expect(m.classes).toEqual([
      'Holding something',
      'Something falling like a feather or paper',
      'Unknown thing',
    ]);
    expect(video(m, '78687').label).toBe(0);
  });

  it('flags a labels.json with repeated or non-numeric indices', async () => {
    const m = await parseSthv2(drop({ 'labels.json': JSON.stringify({ A: '0', B: '0', C: 'x', D: '2' }) }));
    expect(m.classes).toEqual(['A', '#1', 'D']);
    expect(issuesOf(m, 'BAD_CLASS_INDEX')).toHaveLength(3);
    expect(issuesOf(m, 'NO_VIDEOS')).toHaveLength(1);
  });
});
