// Toy Actions encoding (compute worker or page): rendered RGBA frames → WebCodecs VideoEncoder → a real
// H.264 MP4 or VP9 WebM file muxed with mediabunny. Every VideoFrame is closed in a `finally`.
import {
  BufferTarget,
  EncodedPacket,
  EncodedVideoPacketSource,
  Mp4OutputFormat,
  Output,
  WebMOutputFormat,
} from 'mediabunny';
import { TubeletError } from '../../shared/errors.ts';
import type { ToyContainer } from './layout.ts';

/** Codec strings: H.264 Constrained Baseline level 3.1 in MP4, VP9 profile 0 8-bit in WebM. */
export const TOY_CODECS: Record<ToyContainer, string> = { mp4: 'avc1.42E01F', webm: 'vp09.00.10.08' };

export interface EncodeToyOptions {
  readonly container: ToyContainer;
  readonly fps: number;
  /** Bits per second (default 240 kbit/s: clean edges at 64×64, the noise mostly kept). */
  readonly bitrate?: number;
  /** A key frame every this many frames (default 16). */
  readonly keyEvery?: number;
  readonly signal?: AbortSignal;
}

function encoderConfig(
  container: ToyContainer,
  size: number,
  fps: number,
  bitrate: number,
): VideoEncoderConfig {
  return {
    codec: TOY_CODECS[container],
    width: size,
    height: size,
    bitrate,
    framerate: fps,
    latencyMode: 'quality',
    ...(container === 'mp4' ? { avc: { format: 'avc' as const } } : {}),
  };
}

/** The containers this browser can write, in the order Toy Actions alternates them (MP4 first). */
export async function toyContainers(size: number, fps: number): Promise<ToyContainer[]> {
  if (typeof VideoEncoder === 'undefined') return [];
  const out: ToyContainer[] = [];
  for (const container of ['mp4', 'webm'] as const) {
    const support = await VideoEncoder.isConfigSupported(encoderConfig(container, size, fps, 240_000)).catch(
      () => ({ supported: false }),
    );
    if (support.supported === true) out.push(container);
  }
  return out;
}

interface Encoded {
  readonly chunk: EncodedVideoChunk;
  readonly meta: EncodedVideoChunkMetadata | undefined;
}

/**
 * Encodes `rgba` (u8[frames, size, size, 4]) into one video file and returns its bytes. Throws
 * ENCODE_FAILED when the encoder is missing or fails, JOB_CANCELLED when `signal` aborts.
 */
export async function encodeToyClip(
  rgba: Uint8Array,
  size: number,
  frames: number,
  options: EncodeToyOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  const { container, fps, signal } = options;
  const keyEvery = options.keyEvery ?? 16;
  const frameBytes = size * size * 4;
  if (rgba.byteLength !== frames * frameBytes) {
    throw new TubeletError(
      'INVALID_ARGUMENT',
      `encodeToyClip got ${rgba.byteLength} bytes for ${frames} frames of ${size}×${size} RGBA.`,
    );
  }
  if (typeof VideoEncoder === 'undefined') {
    throw new TubeletError('ENCODE_FAILED', 'WebCodecs VideoEncoder is not available in this browser.', {
      hint: 'Use a recent Chrome or Edge to create Toy Actions.',
    });
  }
  const encoded: Encoded[] = [];
  const failed: { error: DOMException | null } = { error: null };
  const encoder = new VideoEncoder({
    output: (chunk, meta) => encoded.push({ chunk, meta }),
    error: (e) => {
      failed.error = e;
    },
  });
  try {
    encoder.configure(encoderConfig(container, size, fps, options.bitrate ?? 240_000));
    const durationUs = Math.round(1e6 / fps);
    for (let t = 0; t < frames; t++) {
      if (signal?.aborted) throw new TubeletError('JOB_CANCELLED', 'Encoding Toy Actions was cancelled.');
      const frame = new VideoFrame(rgba.subarray(t * frameBytes, (t + 1) * frameBytes), {
        format: 'RGBX',
        codedWidth: size,
        codedHeight: size,
        timestamp: t * durationUs,
        duration: durationUs,
      });
      try {
        encoder.encode(frame, { keyFrame: t % keyEvery === 0 });
      } finally {
        frame.close();
      }
      // Keep the encoder's queue short so memory stays bounded.
      while (encoder.encodeQueueSize > 8) await new Promise((r) => setTimeout(r, 1));
    }
    await encoder.flush();
  } catch (error) {
    if (error instanceof TubeletError) throw error;
    throw new TubeletError(
      'ENCODE_FAILED',
      `Encoding a ${container} Toy Actions clip failed: ${String(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    if (encoder.state !== 'closed') encoder.close();
  }
  if (failed.error !== null || encoded.length !== frames) {
    throw new TubeletError(
      'ENCODE_FAILED',
      `The ${TOY_CODECS[container]} encoder gave ${encoded.length} of ${frames} frames${failed.error ? `: ${failed.error.message}` : ''}.`,
    );
  }
  return mux(container, encoded, fps);
}

async function mux(
  container: ToyContainer,
  encoded: readonly Encoded[],
  fps: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const target = new BufferTarget();
  const output = new Output({
    format: container === 'mp4' ? new Mp4OutputFormat({ fastStart: 'in-memory' }) : new WebMOutputFormat(),
    target,
  });
  const source = new EncodedVideoPacketSource(container === 'mp4' ? 'avc' : 'vp9');
  output.addVideoTrack(source, { frameRate: fps });
  await output.start();
  for (const [i, { chunk, meta }] of encoded.entries()) {
    await source.add(EncodedPacket.fromEncodedChunk(chunk), i === 0 ? meta : undefined);
  }
  await output.finalize();
  if (!target.buffer)
    throw new TubeletError('ENCODE_FAILED', `Muxing a ${container} Toy Actions clip gave no bytes.`);
  return new Uint8Array(target.buffer);
}
