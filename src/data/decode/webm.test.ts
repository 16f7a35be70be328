import { describe, expect, it } from 'vitest';
import type { TubeletError } from '../../shared/errors.ts';
import { readElementHeader, readVint, UNKNOWN_SIZE } from './ebml.ts';
import { demuxWebm, webmCodec } from './webm.ts';

/** EBML element: ID bytes as written (with marker), payload, and an 8-byte or unknown size. */
function el(id: number, payload: Uint8Array | number[], unknown = false): Uint8Array<ArrayBuffer> {
  const idBytes: number[] = [];
  for (let v = id; v > 0; v = Math.floor(v / 256)) idBytes.unshift(v & 0xff);
  const body = Uint8Array.from(payload);
  const size = unknown
    ? [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
    : [0x01, 0, 0, 0, ...u32(body.length)];
  return Uint8Array.from([...idBytes, ...size, ...body]);
}
const u32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const cat = (...parts: Uint8Array[]): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(parts.flatMap((p) => [...p]));
const ascii = (s: string): number[] => [...new TextEncoder().encode(s)];
/** SimpleBlock/Block payload: track vint, int16 time, flags, data. */
const block = (track: number, time: number, flags: number, data: number[]): number[] => [
  0x80 | track,
  (time >> 8) & 255,
  time & 255,
  flags,
  ...data,
];

describe('EBML variable-length integers', () => {
  it('reads lengths from leading zeros, keeps ID markers, and flags unknown sizes', () => {
    expect(readVint(Uint8Array.of(0x81), 0)).toEqual({ value: 1, length: 1 });
    expect(readVint(Uint8Array.of(0x40, 0x02), 0)).toEqual({ value: 2, length: 2 });
    expect(readVint(Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3), 0, true)).toEqual({
      value: 0x1a45dfa3,
      length: 4,
    });
    expect(readVint(Uint8Array.of(0xff), 0)?.value).toBe(UNKNOWN_SIZE);
    expect(readVint(Uint8Array.of(0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 0)?.value).toBe(
      UNKNOWN_SIZE,
    );
    expect(readVint(Uint8Array.of(0x00), 0)).toBeNull();
    expect(readVint(Uint8Array.of(0x40), 0)).toBeNull();
    expect(readElementHeader(Uint8Array.of(0xa3, 0x85), 0)).toEqual({ id: 0xa3, size: 5, headerLength: 2 });
  });
});

describe('demuxWebm', () => {
  const colour = el(0x55b0, [...el(0x55b1, [6]), ...el(0x55b9, [1]), ...el(0x55ba, [6]), ...el(0x55bb, [6])]);
  const video = el(0xe0, [...el(0xb0, [0, 160]), ...el(0xba, [0, 120]), ...colour]);
  const vp9 = el(0xae, [...el(0xd7, [1]), ...el(0x83, [1]), ...el(0x86, ascii('V_VP9')), ...video]);
  const audio = el(0xae, [...el(0xd7, [2]), ...el(0x83, [2]), ...el(0x86, ascii('A_OPUS'))]);
  const head = cat(el(0x1a45dfa3, el(0x4282, ascii('webm'))));
  const info = el(0x1549a966, el(0x2ad7b1, u32(1_000_000)));
  const tracks = el(0x1654ae6b, [...audio, ...vp9]);
  const cluster1 = el(
    0x1f43b675,
    [
      ...el(0xe7, [0]),
      ...el(0xa3, block(1, 0, 0x80, [0x82, 0x49, 0x83, 0x42])),
      ...el(0xa3, block(2, 0, 0x80, [9, 9])),
      ...el(0xa3, block(1, 40, 0x00, [0x86, 1, 2])),
    ],
    true,
  );
  const cluster2 = el(0x1f43b675, [
    ...el(0xe7, [80]),
    ...el(0xa0, [...el(0xa1, block(1, 0, 0, [7, 7, 7, 7, 7])), ...el(0xfb, [0xd8])]),
  ]);
  const cues = el(0x1c53bb6b, [0xec, 0x80]);
  const file = cat(head, el(0x18538067, cat(info, tracks, cluster1, cluster2, cues), true));

  it('lists the video blocks with times, key flags and payload positions, through unknown-size elements', async () => {
    const d = await demuxWebm(new Blob([file]), 'x.webm', 'webm');
    expect(d.codec).toBe('vp09.00.41.08');
    expect([d.codedWidth, d.codedHeight, d.rotation]).toEqual([160, 120, 0]);
    expect(d.colourSpace).toEqual({
      matrix: 'smpte170m',
      primaries: 'smpte170m',
      transfer: 'smpte170m',
      fullRange: false,
    });
    expect(d.samples.map((s) => [s.ctsUs, s.isSync, s.size])).toEqual([
      [0, true, 4],
      [40_000, false, 3],
      [80_000, false, 5],
    ]);
    expect(d.samples.map((s) => s.durationUs)).toEqual([40_000, 40_000, 40_000]);
    const first = d.samples[0];
    expect(first && [...file.subarray(first.offset, first.offset + first.size)]).toEqual([
      0x82, 0x49, 0x83, 0x42,
    ]);
    const last = d.samples[2];
    expect(last && [...file.subarray(last.offset, last.offset + last.size)]).toEqual([7, 7, 7, 7, 7]);
  });

  it('counts blocks cut off by truncation and fails without a video track', async () => {
    const cut = await demuxWebm(
      new Blob([file.subarray(0, file.length - cues.length - 3)]),
      'cut.webm',
      'webm',
    );
    expect(cut.samples.length).toBe(2);
    expect(cut.droppedSamples).toBe(1);
    const noVideo = cat(head, el(0x18538067, cat(info, el(0x1654ae6b, audio))));
    const error = await demuxWebm(new Blob([noVideo]), 'a.webm', 'webm').catch((e: unknown) => e);
    expect((error as TubeletError).code).toBe('CORRUPT_VIDEO');
    expect((error as TubeletError).message).toContain('a.webm');
  });
});

describe('webmCodec', () => {
  it('builds codec strings from CodecPrivate or the first VP9 frame header', () => {
    expect(webmCodec({ codecId: 'V_VP8', codecPrivate: undefined }, undefined, 'x').codec).toBe('vp8');
    const vp9 = Uint8Array.of(1, 1, 2, 2, 1, 31, 3, 1, 10);
    expect(webmCodec({ codecId: 'V_VP9', codecPrivate: vp9 }, undefined, 'x').codec).toBe('vp09.02.31.10');
    // Frame marker 10, profile_low_bit 1, profile_high_bit 0 → profile 1.
    expect(webmCodec({ codecId: 'V_VP9', codecPrivate: undefined }, Uint8Array.of(0xa0), 'x').codec).toBe(
      'vp09.01.41.08',
    );
    const av1C = Uint8Array.of(0x81, 0x08, 0x0c, 0x00);
    expect(webmCodec({ codecId: 'V_AV1', codecPrivate: av1C }, undefined, 'x').codec).toBe('av01.0.08M.08');
    const avcC = Uint8Array.of(1, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0);
    const avc = webmCodec({ codecId: 'V_MPEG4/ISO/AVC', codecPrivate: avcC }, undefined, 'x');
    expect(avc.codec).toBe('avc1.64001f');
    expect(avc.description).toBe(avcC);
  });

  it('sends other Matroska codecs to the ffmpeg path, naming the file', () => {
    expect(() =>
      webmCodec({ codecId: 'V_MPEG4/ISO/ASP', codecPrivate: undefined }, undefined, 'old.mkv'),
    ).toThrow(/old\.mkv.*V_MPEG4\/ISO\/ASP/);
  });
});
