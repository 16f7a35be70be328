// HMDB51 parser against in-test fixtures: class names with underscores, 0/1/2 codes, odd file names.
import { describe, expect, it } from 'vitest';
import { parseHmdb51 } from './hmdb51.ts';
import { crlf, drop, issuesOf, lf, video } from './testFixtures.ts';

const S = 'hmdb51/testTrainMulti_7030_splits/';
const V = 'hmdb51/videos/';
const odd = '(Rad)Schlag_die_Bank!_cartwheel_f_cm_np1_le_med_0.avi';
const hair = 'Brushing_Her_Hair__[_NEW_AUDIO_]_UPDATED!!!!_brush_hair_h_cm_np1_le_goo_1.avi';

function hmdbDrop(extra: Record<string, string | number> = {}) {
  return drop({
    [`${S}brush_hair_test_split1.txt`]: crlf('April_09_brush_hair_u_nm_np1_ba_goo_0.avi 1 ', `${hair} 2 `),
    [`${S}brush_hair_test_split2.txt`]: lf('April_09_brush_hair_u_nm_np1_ba_goo_0.avi 2', `${hair} 0`),
    [`${S}cartwheel_test_split1.txt`]: lf(
      `${odd} 1`,
      'missing_cartwheel_f_cm_np1_le_med_1.avi 2',
      'broken.avi 3',
    ),
    [`${S}cartwheel_test_split2.txt`]: lf(`${odd} 1`),
    [`${S}shoot_ball_test_split1.txt`]: lf('shoot_ball_clip_u_cm_np1_fr_goo_0.avi 2'),
    [`${S}ride_bike_test_split1.txt`]: lf('ride_bike_clip_f_cm_np1_ri_med_0.avi 1'),
    [`${V}brush_hair/April_09_brush_hair_u_nm_np1_ba_goo_0.avi`]: 10,
    [`${V}brush_hair/${hair}`]: 11,
    [`${V}cartwheel/${odd}`]: 12,
    [`${V}Shoot_Ball/shoot_ball_clip_u_cm_np1_fr_goo_0.avi`]: 13,
    [`${V}ride_bike/ride_bike_clip_f_cm_np1_ri_med_0.avi`]: 14,
    [`${V}ride_bike/ride_bike_extra_f_cm_np1_ri_med_0.avi`]: 15,
    ...extra,
  });
}

describe('parseHmdb51', () => {
  it('takes classes (with underscores) from split file names, sorted', async () => {
    const m = await parseHmdb51(hmdbDrop());
    expect(m.format).toBe('hmdb51');
    expect(m.classes).toEqual(['brush_hair', 'cartwheel', 'ride_bike', 'shoot_ball']);
    expect(m.folds).toEqual([1, 2]);
  });

  it('maps codes 1/2/0 to train/test/unused per fold and resolves odd file names', async () => {
    const m = await parseHmdb51(hmdbDrop());
    expect(video(m, 'brush_hair/April_09_brush_hair_u_nm_np1_ba_goo_0.avi')).toMatchObject({
      label: 0,
      size: 10,
      splits: { 1: 'train', 2: 'test' },
    });
    expect(video(m, `brush_hair/${hair}`).splits).toEqual({ 1: 'test', 2: 'unused' });
    expect(video(m, `cartwheel/${odd}`)).toMatchObject({ label: 1, path: `${V}cartwheel/${odd}` });
    const ball = video(m, 'shoot_ball/shoot_ball_clip_u_cm_np1_fr_goo_0.avi');
    expect(ball).toMatchObject({
      label: 3,
      splits: { 1: 'test' },
      path: `${V}Shoot_Ball/shoot_ball_clip_u_cm_np1_fr_goo_0.avi`,
    });
    expect(issuesOf(m, 'CASE_MISMATCH')).toHaveLength(1);
  });

  it('reports bad codes, missing and unlisted videos, and classes lacking a fold', async () => {
    const m = await parseHmdb51(hmdbDrop());
    expect(issuesOf(m, 'BAD_LINE')).toEqual([
      expect.objectContaining({ file: `${S}cartwheel_test_split1.txt`, line: 3 }),
    ]);
    expect(issuesOf(m, 'VIDEO_MISSING')).toEqual([
      expect.objectContaining({ file: `${S}cartwheel_test_split1.txt`, line: 2 }),
    ]);
    expect(video(m, 'cartwheel/missing_cartwheel_f_cm_np1_le_med_1.avi').path).toBeNull();
    expect(video(m, 'ride_bike/ride_bike_extra_f_cm_np1_ri_med_0.avi')).toMatchObject({
      label: 2,
      splits: {},
    });
    expect(issuesOf(m, 'VIDEO_UNLISTED')).toHaveLength(1);
    expect(issuesOf(m, 'LIST_MISSING').map((i) => i.message)).toEqual([
      expect.stringContaining('ride_bike_test_split2.txt'),
      expect.stringContaining('shoot_ball_test_split2.txt'),
    ]);
  });

  it('falls back to the basename when videos are flat, and reports a drop without split files', async () => {
    const flat = await parseHmdb51(drop({ 'cartwheel_test_split1.txt': lf(`${odd} 1`), [`all/${odd}`]: 3 }));
    expect(video(flat, `cartwheel/${odd}`).path).toBe(`all/${odd}`);
    const none = await parseHmdb51(drop({ 'x/a.avi': 1 }));
    expect(issuesOf(none, 'LIST_MISSING')).toHaveLength(1);
    expect(none.classes).toEqual([]);
  });
});
