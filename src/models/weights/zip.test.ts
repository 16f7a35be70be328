import { describe, expect, it } from 'vitest';
import { TubeletError } from '../../shared/errors.ts';
import { Rng } from '../../shared/random.ts';
import { crc32, openZip } from './zip.ts';
import { writeZip } from './zipWrite.ts';

const enc = new TextEncoder();
const files = [
  { name: 'archive/data.pkl', data: enc.encode('pickle bytes') },
  { name: 'archive/data/0', data: new Uint8Array(100).map((_, i) => i) },
  { name: 'archive/version', data: enc.encode('3\n') },
];

async function deflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A one-entry archive whose entry is deflated, declaring `size` (default: the true size). */
async function deflatedZip(data: Uint8Array, size = data.byteLength): Promise<Uint8Array> {
  const zip = writeZip([{ name: 'a.bin', data: await deflateRaw(data) }]);
  const dv = new DataView(zip.buffer);
  const central = dv.getUint32(zip.byteLength - 6, true);
  for (const [methodAt, crcAt, sizeAt] of [
    [8, 14, 22],
    [central + 10, central + 16, central + 24],
  ] as const) {
    dv.setUint16(methodAt, 8, true);
    dv.setUint32(crcAt, crc32(data), true);
    dv.setUint32(sizeAt, size, true);
  }
  return zip;
}

async function expectFailure(run: () => unknown, code: string, pattern: RegExp): Promise<void> {
  const error: unknown = await Promise.resolve()
    .then(run)
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(TubeletError);
  expect((error as TubeletError).code).toBe(code);
  expect((error as TubeletError).message).toMatch(pattern);
}

describe('zip reader', () => {
  it('reads stored entries as zero-copy views aligned like torch.save', async () => {
    const bytes = writeZip(files, { align: 64 });
    const zip = openZip(bytes, 'ckpt.pth');
    expect(zip.entries.map((e) => e.name)).toEqual(files.map((f) => f.name));
    for (const f of files) {
      const entry = zip.get(f.name);
      expect((entry?.dataOffset ?? 1) % 64).toBe(0);
      const data = await zip.read(f.name);
      expect(data).toEqual(f.data);
      expect(data.buffer).toBe(bytes.buffer);
    }
  });

  it('reads ZIP64 end records and extra fields', async () => {
    const zip = openZip(writeZip(files, { zip64: true }), 'big.pth');
    expect(zip.entries).toHaveLength(3);
    expect(await zip.read('archive/data/0')).toEqual(files[1]?.data);
  });

  it('inflates deflated entries and checks their size and CRC', async () => {
    const data = new Uint8Array(5000).map((_, i) => (i * 7) % 13);
    expect(await openZip(await deflatedZip(data), 'd.zip').read('a.bin')).toEqual(data);
    await expectFailure(
      async () => openZip(await deflatedZip(data, 100), 'd.zip').read('a.bin'),
      'WEIGHTS_MALFORMED',
      /d\.zip: entry 'a\.bin' inflates to more than its declared 100 bytes/,
    );
    const garbage = await deflatedZip(data);
    garbage.fill(0xff, 30 + 5, 30 + 25); // corrupt the deflate stream after the local header and name
    await expectFailure(() => openZip(garbage, 'd.zip').read('a.bin'), 'WEIGHTS_MALFORMED', /a\.bin/);
  });

  it('checks CRC-32 on read (unless told not to)', async () => {
    const bytes = writeZip(files);
    const at = openZip(bytes, 'x.pth').get('archive/data/0')?.dataOffset ?? 0;
    bytes[at + 5] = 0xee;
    await expectFailure(() => openZip(bytes, 'x.pth').read('archive/data/0'), 'WEIGHTS_MALFORMED', /CRC-32/);
    expect((await openZip(bytes, 'x.pth', { verifyCrc: false }).read('archive/data/0'))[5]).toBe(0xee);
  });

  it('refuses encrypted entries and unsupported methods', async () => {
    const encrypted = writeZip([{ name: 'a', data: enc.encode('x') }]);
    const central = new DataView(encrypted.buffer).getUint32(encrypted.byteLength - 6, true);
    encrypted[central + 8] = 1;
    await expectFailure(
      () => openZip(encrypted, 'e.zip').read('a'),
      'WEIGHTS_UNSUPPORTED',
      /'a' is encrypted/,
    );
    const bzip = writeZip([{ name: 'b', data: enc.encode('x') }]);
    bzip[new DataView(bzip.buffer).getUint32(bzip.byteLength - 6, true) + 10] = 12;
    await expectFailure(
      () => openZip(bzip, 'b.zip').read('b'),
      'WEIGHTS_UNSUPPORTED',
      /compressed with bzip2/,
    );
  });

  it.each([
    ['not a zip', () => enc.encode('hello world, not a zip archive at all'), /no ZIP end record/],
    ['truncated', () => writeZip(files).slice(0, 150), /no ZIP end record/],
    [
      'duplicate names',
      () => writeZip([files[0], files[0]].flatMap((f) => (f ? [f] : []))),
      /names entry 'archive\/data\.pkl' twice/,
    ],
    [
      'directory past its end',
      () => {
        const b = writeZip(files);
        new DataView(b.buffer).setUint32(b.byteLength - 6, b.byteLength, true);
        return b;
      },
      /central directory/,
    ],
    [
      'renamed local header',
      () => {
        const b = writeZip(files);
        b[30] = 0x41;
        return b;
      },
      /local header names 'Archive\/data\.pkl'/,
    ],
  ])('reports a malformed archive: %s', async (_, make, pattern) => {
    await expectFailure(() => openZip(make(), 'm.pth'), 'WEIGHTS_MALFORMED', pattern);
  });

  it('survives random corruption with coded errors only', async () => {
    const rng = new Rng(99);
    const source = writeZip(files, { align: 64 });
    for (let i = 0; i < 1500; i++) {
      const mutant = rng.int(3) === 0 ? source.slice(0, 1 + rng.int(source.byteLength - 1)) : source.slice();
      for (let k = rng.int(6); k > 0; k--) mutant[rng.int(mutant.byteLength)] = rng.int(256);
      try {
        const zip = openZip(mutant, 'f.zip');
        for (const e of zip.entries) {
          const data = await zip.read(e);
          expect(data.byteLength).toBe(e.size);
        }
      } catch (error) {
        expect(error).toBeInstanceOf(TubeletError);
        expect((error as TubeletError).message.startsWith('f.zip: ')).toBe(true);
      }
    }
  }, 60_000);
});
