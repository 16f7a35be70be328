// Test helper (page thread): encodes the synthetic pattern with WebCodecs VideoEncoder and muxes it into an
// MP4 with mp4box's writer — fixtures made entirely in the browser, no ffmpeg needed.
import { Box, createFile, type BoxKind } from 'mp4box';
import { patternFrameRgb, PATTERN_FPS, PATTERN_FRAMES, PATTERN_HEIGHT, PATTERN_WIDTH } from './pattern.ts';

export interface EncodeClipOptions {
  readonly frames?: number;
  /** A key frame every this many frames. */
  readonly keyEvery?: number;
}

interface Encoded {
  readonly data: Uint8Array<ArrayBuffer>;
  readonly isKey: boolean;
  readonly timestamp: number;
  readonly duration: number;
}

const CODE_POINTS: Record<string, number> = {
  rgb: 0,
  bt709: 1,
  bt470bg: 5,
  smpte170m: 6,
  'iec61966-2-1': 13,
};

/** vpcC version 1: profile 0, level 1.0, 8-bit 4:2:0, with the colour space the encoder reported. */
function vpcCBox(colour: VideoColorSpaceInit | undefined): Box {
  const code = (name: string | null | undefined): number => CODE_POINTS[name ?? ''] ?? 2;
  const box = new Box();
  box.type = 'vpcC';
  const range = colour?.fullRange === true ? 1 : 0;
  const [p, t, m] = [code(colour?.primaries), code(colour?.transfer), code(colour?.matrix)];
  box.data = Uint8Array.of(1, 0, 0, 0, 0, 10, 0x82 | range, p, t, m, 0, 0);
  return box;
}

/** Encodes `frames` pattern frames with `codec` (H.264 `avc1.*` or VP9 `vp09.*`) into an MP4 File. */
export async function encodePatternMp4(codec: string, options: EncodeClipOptions = {}): Promise<File> {
  const frames = options.frames ?? PATTERN_FRAMES;
  const keyEvery = options.keyEvery ?? 10;
  const width = PATTERN_WIDTH;
  const height = PATTERN_HEIGHT;
  const isAvc = codec.startsWith('avc1');
  const chunks: Encoded[] = [];
  let description: ArrayBuffer | undefined;
  let colour: VideoColorSpaceInit | undefined;
  let failure: unknown;
  const encoder = new VideoEncoder({
    output: (chunk, meta) => {
      const data = new Uint8Array(chunk.byteLength);
      chunk.copyTo(data);
      chunks.push({
        data,
        isKey: chunk.type === 'key',
        timestamp: chunk.timestamp,
        duration: chunk.duration ?? 0,
      });
      colour ??= meta?.decoderConfig?.colorSpace;
      const d = meta?.decoderConfig?.description;
      if (d && !description) {
        description = ArrayBuffer.isView(d)
          ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice().buffer
          : new Uint8Array(d).slice().buffer;
      }
    },
    error: (e) => {
      failure = e;
    },
  });
  encoder.configure({
    codec,
    width,
    height,
    bitrate: 2_000_000,
    framerate: PATTERN_FPS,
    ...(isAvc ? { avc: { format: 'avc' as const } } : {}),
  });
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D context');
  const durationUs = 1e6 / PATTERN_FPS;
  for (let i = 0; i < frames; i++) {
    const rgb = patternFrameRgb(i, width, height);
    const image = ctx.createImageData(width, height);
    for (let p = 0; p < width * height; p++) {
      image.data[p * 4] = rgb[p * 3] ?? 0;
      image.data[p * 4 + 1] = rgb[p * 3 + 1] ?? 0;
      image.data[p * 4 + 2] = rgb[p * 3 + 2] ?? 0;
      image.data[p * 4 + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
    const frame = new VideoFrame(canvas, {
      timestamp: Math.round(i * durationUs),
      duration: Math.round(durationUs),
    });
    try {
      encoder.encode(frame, { keyFrame: i % keyEvery === 0 });
    } finally {
      frame.close();
    }
  }
  await encoder.flush();
  encoder.close();
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error('VideoEncoder failed');
  if (isAvc && !description) throw new Error('the H.264 encoder gave no avcC description');

  const mp4 = createFile();
  const track = mp4.addTrack({
    type: isAvc ? 'avc1' : 'vp09',
    width,
    height,
    timescale: 1_000_000,
    ...(isAvc && description ? { avcDecoderConfigRecord: description } : {}),
    ...(isAvc ? {} : { description_boxes: [vpcCBox(colour) as BoxKind] }),
  });
  for (const c of chunks) {
    mp4.addSample(track, c.data, {
      duration: c.duration,
      cts: c.timestamp,
      dts: c.timestamp,
      is_sync: c.isKey,
    });
  }
  const stream = mp4.getBuffer();
  return new File([stream.buffer], `${isAvc ? 'h264' : 'vp9'}_webcodecs.mp4`, { type: 'video/mp4' });
}
