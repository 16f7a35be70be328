// demuxWebm on small WebM files written by mediabunny's muxer in Node (no WebCodecs needed): packet times,
// key flags and payload bytes round-trip; damaged inputs fail with coded errors naming the file.
import { BufferTarget, EncodedPacket, EncodedVideoPacketSource, Output, WebMOutputFormat } from 'mediabunny';
import { describe, expect, it } from 'vitest';
import { TubeletError } from '../../shared/errors.ts';
import type { DemuxedVideo } from './demuxed.ts';
import { demuxWebm } from './webm.ts';

const FRAMES = 12;
const payload = (i: number): Uint8Array => Uint8Array.from({ length: 20 + i }, (_, k) => (i * 7 + k) & 255);

async function muxedWebm(): Promise<Uint8Array<ArrayBuffer>> {
  const output = new Output({
    format: new WebMOutputFormat({ minimumClusterDuration: 0 }),
    target: new BufferTarget(),
  });
  const source = new EncodedVideoPacketSource('vp9');
  output.addVideoTrack(source, { frameRate: 25 });
  await output.start();
  for (let i = 0; i < FRAMES; i++) {
    const packet = new EncodedPacket(payload(i), i % 5 === 0 ? 'key' : 'delta', i / 25, 1 / 25);
    await source.add(
      packet,
      i === 0 ? { decoderConfig: { codec: 'vp09.00.10.08', codedWidth: 160, codedHeight: 120 } } : undefined,
    );
  }
  await output.finalize();
  const buffer = output.target.buffer;
  if (!buffer) throw new Error('muxer wrote nothing');
  return new Uint8Array(buffer);
}

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  if (!(error instanceof TubeletError)) throw error;
  return { code: error.code, message: error.message };
}

describe('demuxWebm (mediabunny)', () => {
  it('lists packets with times, key flags and sizes, and reads their bytes in order and after a jump', async () => {
    const bytes = await muxedWebm();
    const d = await demuxWebm(new Blob([bytes]), 'x.webm', 'webm');
    expect(d.codec).toBe('vp09.00.10.08');
    expect([d.codedWidth, d.codedHeight, d.displayWidth, d.displayHeight, d.rotation]).toEqual([
      160, 120, 160, 120, 0,
    ]);
    expect(d.samples.map((s) => s.ctsUs)).toEqual(Array.from({ length: FRAMES }, (_, i) => i * 40_000));
    expect(d.samples.map((s) => s.isSync)).toEqual(Array.from({ length: FRAMES }, (_, i) => i % 5 === 0));
    expect(d.samples.map((s) => s.size)).toEqual(Array.from({ length: FRAMES }, (_, i) => 20 + i));
    expect(d.samples.every((s) => Math.abs(s.durationUs - 40_000) <= 1000)).toBe(true);

    const reader = d.openSamples();
    for (const i of [0, 1, 2, 3, 7, 8, 2]) {
      const sample = d.samples[i];
      if (!sample) throw new Error(`no sample ${i}`);
      expect([...(await reader.read(i, sample))]).toEqual([...payload(i)]);
    }
    expect(reader.bytesRead).toBeGreaterThan(0);
    reader.close();
  });

  it('fails with CORRUPT_VIDEO naming the file on garbage and on a file cut inside its header', async () => {
    const garbage = new Uint8Array(512).fill(7);
    garbage.set([0x1a, 0x45, 0xdf, 0xa3], 0);
    const bad = await codeOf(demuxWebm(new Blob([garbage]), 'bad.webm', 'webm'));
    expect(bad.code).toBe('CORRUPT_VIDEO');
    expect(bad.message).toContain('bad.webm');
    const bytes = await muxedWebm();
    const cut = await codeOf(demuxWebm(new Blob([bytes.subarray(0, 40)]), 'cut.webm', 'webm'));
    expect(cut.code).toBe('CORRUPT_VIDEO');
    expect(cut.message).toContain('cut.webm');
  });

  it('keeps the packets that are present in a file cut inside its clusters', async () => {
    const bytes = await muxedWebm();
    const d: DemuxedVideo | TubeletError = await demuxWebm(
      new Blob([bytes.subarray(0, Math.floor(bytes.length * 0.7))]),
      'short.webm',
      'webm',
    ).catch((e: unknown) => {
      if (e instanceof TubeletError) return e;
      throw e;
    });
    if (d instanceof TubeletError) throw d;
    expect(d.samples.length).toBeGreaterThan(0);
    expect(d.samples.length).toBeLessThan(FRAMES);
    // The declared duration tells how many frames the cut took away.
    expect(Math.abs(d.samples.length + d.droppedSamples - FRAMES)).toBeLessThanOrEqual(1);
  });
});
