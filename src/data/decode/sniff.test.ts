import { describe, expect, it } from 'vitest';
import { describeUnknown, sniffContainer } from './sniff.ts';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));

describe('sniffContainer', () => {
  it('recognises ISO-BMFF by its ftyp box, and QuickTime by brand or first box', () => {
    expect(sniffContainer(bytes([0, 0, 0, 32], 'ftypisom', [0, 0, 2, 0]))).toBe('mp4');
    expect(sniffContainer(bytes([0, 0, 0, 20], 'ftypqt  ', [0, 0, 0, 0]))).toBe('mov');
    expect(sniffContainer(bytes([0, 0, 0, 8], 'wide', [0, 0, 0, 0]))).toBe('mov');
    expect(sniffContainer(bytes([0, 0, 1, 0], 'moov'))).toBe('mov');
  });

  it('tells WebM from Matroska by the EBML DocType', () => {
    const ebml = [0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84];
    expect(sniffContainer(bytes(ebml, 'webm', [0x42, 0x87]))).toBe('webm');
    expect(sniffContainer(bytes(ebml.slice(0, 11), [0x88], 'matroska'))).toBe('matroska');
  });

  it('recognises AVI, JPEG and PNG', () => {
    expect(sniffContainer(bytes('RIFF', [1, 2, 3, 4], 'AVI LIST'))).toBe('avi');
    expect(sniffContainer(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16], 'JFIF'))).toBe('jpeg');
    expect(sniffContainer(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]))).toBe('png');
  });

  it('returns null for other bytes and names the formats it knows of', () => {
    expect(sniffContainer(bytes('RIFF', [1, 2, 3, 4], 'WAVEfmt '))).toBeNull();
    expect(sniffContainer(bytes('hello world!'))).toBeNull();
    expect(sniffContainer(bytes('ab'))).toBeNull();
    expect(describeUnknown(bytes('FLV', [1, 5, 0, 0, 0, 9]))).toMatch(/FLV/);
    expect(describeUnknown(bytes('RIFF', [1, 2, 3, 4], 'WAVEfmt '))).toMatch(/WAVE/);
    const ts = new Uint8Array(400);
    ts[0] = 0x47;
    ts[188] = 0x47;
    expect(describeUnknown(ts)).toMatch(/transport stream/);
    expect(describeUnknown(bytes('hello world!'))).toBeNull();
  });
});
