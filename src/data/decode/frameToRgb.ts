// Resizes, rotates and converts decoded pictures to packed RGB (ingest or compute worker): an OffscreenCanvas
// 2D context does scaling and colour conversion; callers own and close their VideoFrames.
import { TubeletError } from '../../shared/errors.ts';
import type { Rotation } from './geometry.ts';

export class RgbConverter {
  private readonly canvas: OffscreenCanvas;
  private readonly context: OffscreenCanvasRenderingContext2D;
  /** Bytes of one output frame: u8[height, width, 3]. */
  readonly frameBytes: number;

  /** Output pictures are `width`×`height` after a clockwise `rotation` of the source picture. */
  constructor(
    readonly width: number,
    readonly height: number,
    readonly rotation: Rotation,
  ) {
    this.canvas = new OffscreenCanvas(width, height);
    const context = this.canvas.getContext('2d', { alpha: false, willReadFrequently: true });
    if (!context) throw new TubeletError('INTERNAL', 'OffscreenCanvas 2D context is not available.');
    this.context = context;
    this.context.imageSmoothingEnabled = true;
    this.context.imageSmoothingQuality = 'high';
    this.frameBytes = width * height * 3;
  }

  /**
   * Draws `source` scaled to the output size (rotation applied) and writes u8[height, width, 3] into
   * `out` at byte `offset` (a fresh array when `out` is absent). The source is not closed here.
   */
  convert(source: CanvasImageSource, out?: Uint8Array, offset = 0): Uint8Array {
    const { width: w, height: h, context: ctx } = this;
    const target = out ?? new Uint8Array(this.frameBytes);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    switch (this.rotation) {
      case 0:
        ctx.drawImage(source, 0, 0, w, h);
        break;
      case 90:
        ctx.setTransform(0, 1, -1, 0, w, 0);
        ctx.drawImage(source, 0, 0, h, w);
        break;
      case 180:
        ctx.setTransform(-1, 0, 0, -1, w, h);
        ctx.drawImage(source, 0, 0, w, h);
        break;
      case 270:
        ctx.setTransform(0, -1, 1, 0, 0, h);
        ctx.drawImage(source, 0, 0, h, w);
        break;
    }
    const rgba = ctx.getImageData(0, 0, w, h).data;
    const pixels = w * h;
    for (let p = 0, s = 0, d = offset; p < pixels; p++, s += 4, d += 3) {
      target[d] = rgba[s] ?? 0;
      target[d + 1] = rgba[s + 1] ?? 0;
      target[d + 2] = rgba[s + 2] ?? 0;
    }
    return target;
  }
}
