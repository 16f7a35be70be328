// An animated thumbnail of a stored dataset (main thread): asks the worker's sampler for a clip of one of
// its videos, plays its frames on a canvas, then asks for the next clip (next video, next seed).
import { useEffect, useRef, useState } from 'react';
import { sampleClip } from '../../state/ingestActions.ts';
import type { SampledClip } from '../../shared/protocol.ts';

const FRAME_MS = 120;

function draw(canvas: HTMLCanvasElement, clip: SampledClip, index: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = clip;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const image = ctx.createImageData(width, height);
  const frame = clip.frames.subarray(index * width * height * 3, (index + 1) * width * height * 3);
  for (let p = 0, q = 0; p < frame.length; p += 3, q += 4) {
    image.data[q] = frame[p] ?? 0;
    image.data[q + 1] = frame[p + 1] ?? 0;
    image.data[q + 2] = frame[p + 2] ?? 0;
    image.data[q + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

export function ClipThumbnail({ datasetId }: { datasetId: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [caption, setCaption] = useState('');
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const play = async (n: number): Promise<void> => {
      let clip: SampledClip;
      try {
        clip = await sampleClip(datasetId, n, 1000 + n);
      } catch {
        return; // No stored videos (yet): nothing to show.
      }
      if (stopped) return;
      setCaption(`${clip.className ?? 'unlabelled'} · frames ${clip.frameInds.join(' ')}`);
      const clipLen = clip.frameInds.length;
      let i = 0;
      const step = (): void => {
        if (stopped) return;
        if (canvas.current) draw(canvas.current, clip, i);
        i++;
        timer = i < clipLen ? setTimeout(step, FRAME_MS) : setTimeout(() => void play(n + 1), FRAME_MS);
      };
      step();
    };
    void play(0);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [datasetId]);
  return (
    <figure className="thumbnail" data-testid="dataset-thumbnail">
      <canvas ref={canvas} width={64} height={48} />
      <figcaption className="muted">{caption}</figcaption>
    </figure>
  );
}
