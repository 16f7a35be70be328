// AVI header parsing on hand-built RIFF headers: stream fields, OpenDML frame totals, damaged headers.
import { describe, expect, it } from 'vitest';
import { TubeletError } from '../../../shared/errors.ts';
import { aviCodecName, parseAviHeader } from './aviHeader.ts';

const te = new TextEncoder();
const u32 = (n: number): number[] => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
const cc = (s: string): number[] => [...te.encode(s)];
const chunk = (id: string, body: number[]): number[] => [
  ...cc(id),
  ...u32(body.length),
  ...body,
  ...(body.length & 1 ? [0] : []),
];
const list = (type: string, body: number[]): number[] => chunk('LIST', [...cc(type), ...body]);

function avih(usPerFrame: number, frames: number, w: number, h: number): number[] {
  return chunk('avih', [
    ...u32(usPerFrame),
    ...u32(0),
    ...u32(0),
    ...u32(0),
    ...u32(frames),
    ...u32(0),
    ...u32(2),
    ...u32(0),
    ...u32(w),
    ...u32(h),
    ...u32(0),
    ...u32(0),
    ...u32(0),
    ...u32(0),
  ]);
}

function strl(
  type: string,
  handler: string,
  scale: number,
  rate: number,
  length: number,
  strf: number[],
): number[] {
  const strh = [
    ...cc(type),
    ...cc(handler),
    ...u32(0),
    ...u32(0),
    ...u32(0),
    ...u32(scale),
    ...u32(rate),
    ...u32(0),
    ...u32(length),
    ...u32(0),
    ...u32(0),
    ...u32(0),
    ...u32(0),
    ...u32(0),
  ];
  return list('strl', [...chunk('strh', strh), ...chunk('strf', strf)]);
}

const bih = (w: number, h: number, compression: string): number[] => [
  ...u32(40),
  ...u32(w),
  ...u32(h),
  1,
  0,
  24,
  0,
  ...cc(compression),
  ...u32(0),
  ...u32(0),
  ...u32(0),
  ...u32(0),
  ...u32(0),
];

function avi(hdrl: number[]): Uint8Array {
  const body = [...cc('AVI '), ...list('hdrl', hdrl), ...list('movi', [])];
  return new Uint8Array([...cc('RIFF'), ...u32(body.length), ...body]);
}

describe('parseAviHeader', () => {
  it('reads the first video stream after an audio stream', () => {
    const head = avi([
      ...avih(40000, 99, 320, 240),
      ...strl('auds', '\0\0\0\0', 1, 44100, 88200, [0x55, 0, 2, 0]),
      ...strl('vids', 'xvid', 1, 25, 50, bih(320, -240, 'XVID')),
    ]);
    expect(parseAviHeader(head, 'a.avi')).toEqual({
      fourcc: 'XVID',
      width: 320,
      height: 240,
      frameCount: 50,
      fps: 25,
      streams: 2,
    });
  });

  it('takes the larger OpenDML total and the NTSC rate', () => {
    const head = avi([
      ...avih(33367, 10, 640, 480),
      ...strl('vids', 'DX50', 1001, 30000, 10, bih(640, 480, 'DX50')),
      ...list('odml', chunk('dmlh', u32(123456))),
    ]);
    const info = parseAviHeader(head, 'b.avi');
    expect(info.frameCount).toBe(123456);
    expect(info.fps).toBeCloseTo(29.97, 2);
    expect(aviCodecName(info.fourcc)).toBe('mpeg4 (DX50)');
    expect(aviCodecName('MJPG')).toBe('avi (MJPG)');
  });

  it.each([
    ['no RIFF header', new Uint8Array(12)],
    ['no video stream', avi([...avih(40000, 1, 8, 8), ...strl('auds', 'x', 1, 1, 1, [])])],
    ['no frames', avi([...avih(40000, 0, 8, 8), ...strl('vids', 'XVID', 1, 25, 0, bih(8, 8, 'XVID'))])],
    ['no header list', avi([]).subarray(0, 12)],
  ])('rejects an AVI with %s as CORRUPT_VIDEO', (_, head) => {
    let error: unknown;
    try {
      parseAviHeader(head, 'bad.avi');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TubeletError);
    expect((error as TubeletError).code).toBe('CORRUPT_VIDEO');
    expect((error as TubeletError).message).toContain('bad.avi');
  });
});
