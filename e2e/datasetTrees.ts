// Dataset fixture trees for the ingest e2e tests, made with the system ffmpeg at test time (Node): a
// Kinetics-like tree (H.264 MP4 with audio and B-frames + CSV), an SSv2-like tree (VP9 WebM + JSON labels),
// UCF101/HMDB51-like Xvid AVI trees and a folder-per-class tree (with MPEG-4 Part 2 in MP4/MKV, and corrupt,
// truncated, zero-byte and non-video files). ffprobe gives each video's frame count.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Tree {
  readonly root: string;
  /** ffprobe's frame count per drop path ('kinetics/train/…/x.mp4'). */
  readonly frames: Record<string, number>;
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: 'pipe' });
}

function probeFrames(file: string): number {
  const out = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-count_frames',
      '-show_entries',
      'stream=nb_read_frames',
      '-of',
      'csv=p=0',
      file,
    ],
    { encoding: 'utf8' },
  );
  return Number.parseInt(out.trim(), 10);
}

/** A short moving test pattern; `seed` varies the pattern and the length (12–20 frames). */
function source(seed: number): string[] {
  const frames = 12 + (seed % 9);
  return ['-f', 'lavfi', '-i', `testsrc2=size=96x72:rate=12:duration=${frames / 12}`];
}

function h264WithAudio(out: string, seed: number): void {
  ffmpeg([
    ...source(seed),
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${300 + seed * 40}:duration=2`,
    '-shortest',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-bf',
    '2',
    '-g',
    '8',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '32k',
    out,
  ]);
}

function vp9(out: string, seed: number): void {
  ffmpeg([
    ...source(seed),
    '-c:v',
    'libvpx-vp9',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    '200k',
    out,
  ]);
}

const mkdirp = (p: string): string => {
  mkdirSync(p, { recursive: true });
  return p;
};

export function kineticsTree(): Tree {
  const base = mkdtempSync(path.join(os.tmpdir(), 'tubelet-kin-'));
  const root = mkdirp(path.join(base, 'kinetics'));
  const rows = [
    ['abseiling', '-3B32lodo2M', 59, 69, 'train'],
    ['abseiling', 'a_b-CDEFGHI', 5, 15, 'train'],
    ['air drumming', '_dbcJuKJQNs', 40, 50, 'train'],
    ['air drumming', 'BBBBBBBBBBB', 1, 11, 'validate'],
  ] as const;
  const frames: Record<string, number> = {};
  rows.forEach(([label, id, s, e, split], i) => {
    const folder = split === 'validate' ? 'val' : 'train';
    const rel = `${folder}/${label}/${id}_${String(s).padStart(6, '0')}_${String(e).padStart(6, '0')}.mp4`;
    const file = path.join(root, rel);
    mkdirp(path.dirname(file));
    h264WithAudio(file, i);
    frames[`kinetics/${rel}`] = probeFrames(file);
  });
  const csv = (split: string) =>
    ['label,youtube_id,time_start,time_end,split']
      .concat(rows.filter((r) => r[4] === split).map(([l, id, s, e, sp]) => `"${l}",${id},${s},${e},${sp}`))
      .join('\n') + '\n';
  mkdirp(path.join(root, 'annotations'));
  writeFileSync(path.join(root, 'annotations', 'train.csv'), csv('train'));
  writeFileSync(path.join(root, 'annotations', 'validate.csv'), csv('validate'));
  return { root, frames };
}

export function ssv2Tree(): Tree {
  const base = mkdtempSync(path.join(os.tmpdir(), 'tubelet-ssv2-'));
  const root = mkdirp(path.join(base, 'ssv2'));
  const labels = { 'Holding something': '0', 'Pushing something from left to right': '1' };
  writeFileSync(path.join(root, 'labels.json'), JSON.stringify(labels));
  const train = [
    { id: '101', label: 'holding a cup', template: 'Holding [something]', placeholders: ['a cup'] },
    {
      id: '102',
      label: 'pushing a pen',
      template: 'Pushing [something] from left to right',
      placeholders: ['a pen'],
    },
  ];
  const validation = [
    { id: '201', label: 'holding a pen', template: 'Holding [something]', placeholders: ['a pen'] },
  ];
  writeFileSync(path.join(root, 'train.json'), JSON.stringify(train));
  writeFileSync(path.join(root, 'validation.json'), JSON.stringify(validation));
  writeFileSync(path.join(root, 'test.json'), JSON.stringify([]));
  const videos = mkdirp(path.join(root, 'videos'));
  const frames: Record<string, number> = {};
  ['101', '102', '201'].forEach((id, i) => {
    const file = path.join(videos, `${id}.webm`);
    vp9(file, i + 3);
    frames[`ssv2/videos/${id}.webm`] = probeFrames(file);
  });
  return { root, frames };
}

/** MPEG-4 Part 2 (what UCF101's Xvid holds) in an MP4 (`mp4v.20.*`) or Matroska (`V_MPEG4/ISO/ASP`) file. */
function mpeg4(out: string, seed: number): void {
  ffmpeg([...source(seed), '-c:v', 'mpeg4', '-q:v', '5', out]);
}

/**
 * Folder per class with two good videos, MPEG-4 Part 2 in MP4 and in MKV (WebCodecs has no decoder for it:
 * the ffmpeg.wasm path), and one of each kind of bad file.
 */
export function foldersTree(): Tree {
  const base = mkdtempSync(path.join(os.tmpdir(), 'tubelet-fold-'));
  const root = mkdirp(path.join(base, 'shapes'));
  const up = mkdirp(path.join(root, 'up'));
  const down = mkdirp(path.join(root, 'down'));
  const frames: Record<string, number> = {};
  h264WithAudio(path.join(up, 'good1.mp4'), 5);
  frames['shapes/up/good1.mp4'] = probeFrames(path.join(up, 'good1.mp4'));
  vp9(path.join(down, 'good2.webm'), 6);
  frames['shapes/down/good2.webm'] = probeFrames(path.join(down, 'good2.webm'));
  mpeg4(path.join(up, 'part2.mp4'), 2);
  frames['shapes/up/part2.mp4'] = probeFrames(path.join(up, 'part2.mp4'));
  mpeg4(path.join(down, 'part2.mkv'), 4);
  frames['shapes/down/part2.mkv'] = probeFrames(path.join(down, 'part2.mkv'));
  // Corrupt: a real MP4 header followed by garbage where the movie should be.
  const whole = readFileSync(path.join(up, 'good1.mp4'));
  const corrupt = Buffer.from(whole);
  for (let i = 40; i < corrupt.length; i++) corrupt[i] = (i * 131) & 255;
  writeFileSync(path.join(up, 'corrupt.mp4'), corrupt);
  // Truncated: a fast-start H.264 file cut in the middle of its samples.
  const faststart = path.join(base, 'faststart.mp4');
  ffmpeg([
    ...source(7),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    faststart,
  ]);
  const fs = readFileSync(faststart);
  writeFileSync(path.join(down, 'truncated.mp4'), fs.subarray(0, Math.floor(fs.length * 0.6)));
  writeFileSync(path.join(down, 'empty.mp4'), Buffer.alloc(0));
  writeFileSync(path.join(up, 'readme.mp4'), 'This is a text file with a video extension.\n'.repeat(10));
  return { root, frames };
}

/** `count` H.264 videos of `seconds`·24 frames at 320×240 in two class folders: slow enough to interrupt mid-ingest. */
export function resumeTree(count: number, seconds = 2): Tree {
  const base = mkdtempSync(path.join(os.tmpdir(), 'tubelet-resume-'));
  const root = mkdirp(path.join(base, 'resume'));
  const frames: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const cls = i % 2 === 0 ? 'even' : 'odd';
    const file = path.join(mkdirp(path.join(root, cls)), `clip${String(i).padStart(2, '0')}.mp4`);
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=320x240:rate=24:duration=${seconds}`,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-bf',
      '2',
      '-pix_fmt',
      'yuv420p',
      file,
    ]);
    frames[`resume/${cls}/${path.basename(file)}`] = probeFrames(file);
  }
  return { root, frames };
}

/** UCF101-like: Xvid AVI 320×240 at 25 fps with classInd and three train/test folds (AVI needs ffmpeg.wasm). */
export function ucfTree(): Tree {
  const base = mkdtempSync(path.join(os.tmpdir(), 'tubelet-ucfavi-'));
  const root = mkdirp(path.join(base, 'UCF101'));
  const lists = mkdirp(path.join(root, 'ucfTrainTestlist'));
  const classes = ['ApplyEyeMakeup', 'Archery'];
  writeFileSync(
    path.join(lists, 'classInd.txt'),
    classes.map((c, i) => `${i + 1} ${c}`).join('\r\n') + '\r\n',
  );
  const frames: Record<string, number> = {};
  const train: string[] = [];
  const test: string[] = [];
  classes.forEach((c, i) => {
    const dir = mkdirp(path.join(root, 'UCF-101', c));
    for (let g = 1; g <= 2; g++) {
      const name = `v_${c}_g0${g}_c01.avi`;
      const file = path.join(dir, name);
      ffmpeg([
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=320x240:rate=25:duration=0.6',
        '-c:v',
        'mpeg4',
        '-vtag',
        'XVID',
        '-q:v',
        '5',
        file,
      ]);
      frames[`UCF101/UCF-101/${c}/${name}`] = probeFrames(file);
      (g === 1 ? train : test).push(g === 1 ? `${c}/${name} ${i + 1}` : `${c}/${name}`);
    }
  });
  for (const fold of [1, 2, 3]) {
    writeFileSync(path.join(lists, `trainlist0${fold}.txt`), train.join('\r\n') + '\r\n');
    writeFileSync(path.join(lists, `testlist0${fold}.txt`), test.join('\r\n') + '\r\n');
  }
  return { root, frames };
}

/**
 * HMDB51-like tree: `hmdb51/{class}/{video}.avi` (Xvid AVI, 320×240, 25 fps) and
 * `testTrainMulti_7030_splits/{class}_test_split{1,2,3}.txt` with "video.avi N" (1 train, 2 test, 0 unused);
 * class names contain underscores, as in the real set (e.g. brush_hair, shoot_ball).
 */
export function hmdbTree(): Tree {
  const base = mkdtempSync(path.join(os.tmpdir(), 'tubelet-hmdb-'));
  const root = mkdirp(path.join(base, 'HMDB51'));
  const splits = mkdirp(path.join(root, 'testTrainMulti_7030_splits'));
  const classes = ['brush_hair', 'shoot_ball'];
  const frames: Record<string, number> = {};
  for (const c of classes) {
    const dir = mkdirp(path.join(root, 'hmdb51', c));
    const names = [1, 2, 3].map((k) => `${c}_clip_${k}_f_cm_np1_fr_med_${k}.avi`);
    for (const name of names) {
      const file = path.join(dir, name);
      ffmpeg([
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=320x240:rate=25:duration=0.5',
        '-c:v',
        'mpeg4',
        '-vtag',
        'XVID',
        '-q:v',
        '6',
        file,
      ]);
      frames[`HMDB51/hmdb51/${c}/${name}`] = probeFrames(file);
    }
    // Fold 1: clip 1 train, 2 test, 3 unused; folds 2 and 3 rotate the roles.
    for (const fold of [1, 2, 3]) {
      const codes = [1, 2, 0].map((_, k) => [1, 2, 0][(k + fold - 1) % 3]);
      const lines = names.map((n, k) => `${n} ${codes[k] ?? 0}`);
      writeFileSync(path.join(splits, `${c}_test_split${fold}.txt`), lines.join('\n') + '\n');
    }
  }
  return { root, frames };
}
