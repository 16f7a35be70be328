// Lazy, windowed reads of encoded samples from a Blob/File (ingest or compute worker).
// Demuxers hand out (offset, size) pairs; this reads them through one cached window so that samples stored
// next to each other in the file cost one `slice().arrayBuffer()` per window, not one per sample.
import { TubeletError } from '../../shared/errors.ts';
import type { SampleReader } from './demuxed.ts';

export const DEFAULT_WINDOW_BYTES = 4 << 20;

export class BlobWindowReader {
  private window = new Uint8Array(0);
  private windowStart = 0;
  /** Bytes read from the Blob so far (for tests and measurements). */
  bytesRead = 0;

  constructor(
    private readonly blob: Blob,
    private readonly name: string,
    private readonly windowBytes = DEFAULT_WINDOW_BYTES,
  ) {}

  /** The bytes [offset, offset+size) as a view that stays valid until the next call. */
  async read(offset: number, size: number): Promise<Uint8Array> {
    const end = offset + size;
    if (offset < 0 || size < 0 || end > this.blob.size) {
      throw new TubeletError(
        'CORRUPT_VIDEO',
        `${this.name} is truncated: a sample at byte ${offset} (${size} bytes) lies past its end (${this.blob.size} bytes).`,
        { hint: 'The file was probably cut short while downloading or copying; get a complete copy.' },
      );
    }
    const windowEnd = this.windowStart + this.window.byteLength;
    if (offset < this.windowStart || end > windowEnd) {
      const readEnd = Math.min(this.blob.size, Math.max(end, offset + this.windowBytes));
      this.window = new Uint8Array(await this.blob.slice(offset, readEnd).arrayBuffer());
      this.windowStart = offset;
      this.bytesRead += this.window.byteLength;
    }
    return this.window.subarray(offset - this.windowStart, end - this.windowStart);
  }
}

/** A SampleReader over samples addressed by file offset (MP4/MOV). */
export function offsetSampleReader(blob: Blob, name: string): SampleReader {
  const reader = new BlobWindowReader(blob, name);
  return {
    read: (_index, sample) => reader.read(sample.offset, sample.size),
    get bytesRead() {
      return reader.bytesRead;
    },
    close: () => undefined,
  };
}
