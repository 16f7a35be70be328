// Batch chunking for tensors larger than one storage binding: which batch items each dispatch takes, and the
// aligned binding window (plus element offset) that covers them. Pure; any thread.

export interface BatchChunk {
  readonly start: number;
  readonly count: number;
}

/**
 * Splits `batch` items into chunks whose every tensor (`perItemBytes[i]` bytes per batch item) fits a binding of
 * `maxBindingBytes`, leaving `align` bytes of slack for the aligned binding offset. One chunk when all fit whole.
 */
export function batchChunks(
  batch: number,
  perItemBytes: readonly number[],
  maxBindingBytes: number,
  align: number,
): BatchChunk[] {
  const worst = Math.max(0, ...perItemBytes);
  if (batch * worst <= maxBindingBytes) return [{ start: 0, count: batch }];
  const count = Math.floor((maxBindingBytes - align) / worst);
  if (count < 1) {
    throw new RangeError(
      `conv3d: one batch item needs ${worst} bytes, more than a storage binding allows (${maxBindingBytes}); ` +
        'use a smaller clip or crop',
    );
  }
  const chunks: BatchChunk[] = [];
  for (let start = 0; start < batch; start += count)
    chunks.push({ start, count: Math.min(count, batch - start) });
  return chunks;
}

export interface ChunkWindow {
  /** Byte offset of the binding (a multiple of `align`). */
  readonly offset: number;
  /** Byte size of the binding (a multiple of 4). */
  readonly size: number;
  /** f32 elements between the binding start and the chunk's first element. */
  readonly elementOffset: number;
}

/** The aligned binding window covering bytes [byteStart, byteStart + byteLength) of a buffer. */
export function chunkWindow(byteStart: number, byteLength: number, align: number): ChunkWindow {
  const offset = Math.floor(byteStart / align) * align;
  const lead = byteStart - offset;
  return { offset, size: Math.ceil((lead + byteLength) / 4) * 4, elementOffset: lead / 4 };
}

/** A GPUBufferBinding for a window (separate so the math above stays GPU-free). */
export function windowBinding(buffer: GPUBuffer, w: ChunkWindow): GPUBufferBinding {
  return { buffer, offset: w.offset, size: Math.min(buffer.size - w.offset, w.size) };
}
