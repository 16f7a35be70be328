// The PNG writer: signature, chunk CRCs (standard CRC-32 check value) and inflated rows checked by hand.
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, encodePng } from './png.ts';

describe('encodePng', () => {
  it('writes the signature, a valid IHDR, CRCs and the pixels (filter 0 rows)', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926); // the standard CRC-32 check value
    const rgba = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 37) % 256);
    const png = encodePng(rgba, 3, 2);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    let at = 8;
    const chunks: { type: string; data: Buffer }[] = [];
    while (at < png.length) {
      const len = png.readUInt32BE(at);
      const type = png.subarray(at + 4, at + 8).toString('ascii');
      const data = png.subarray(at + 8, at + 8 + len);
      expect(png.readUInt32BE(at + 8 + len)).toBe(crc32(png.subarray(at + 4, at + 8 + len)));
      chunks.push({ type, data });
      at += 12 + len;
    }
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = chunks[0]?.data ?? Buffer.alloc(0);
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]]).toEqual([3, 2, 8, 6]);
    const raw = inflateSync(chunks[1]?.data ?? Buffer.alloc(0));
    expect(raw.length).toBe(2 * (1 + 12));
    expect(raw[0]).toBe(0);
    expect([...raw.subarray(14, 26)]).toEqual([...rgba.subarray(12, 24)]);
  });
});
