// Augmentation preview (main thread): a strip of frames per clip for a few train clips of the chosen dataset,
// augmented in the worker on the GPU with the current config; "Another draw" asks for the next seed.
import { useEffect, useRef, useState } from 'react';
import { augmentPreview } from '../../state/finetuneActions.ts';
import { reportError } from '../../state/actions.ts';
import type { AugmentPreview } from '../../shared/protocol.ts';
import type { TrainConfig } from '../../shared/trainConfig.ts';
import { Card } from '../common/Card.tsx';

const CLIPS = 4;
const MAX_FRAMES = 8;

function drawStrip(canvas: HTMLCanvasElement, p: AugmentPreview, clip: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { size, frames } = p;
  const shown = Math.min(frames, MAX_FRAMES);
  canvas.width = shown * size;
  canvas.height = size;
  const image = ctx.createImageData(shown * size, size);
  const frameBytes = size * size * 3;
  for (let f = 0; f < shown; f++) {
    const base = (clip * frames + f) * frameBytes;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const src = base + (y * size + x) * 3;
        const dst = (y * shown * size + f * size + x) * 4;
        image.data[dst] = p.pixels[src] ?? 0;
        image.data[dst + 1] = p.pixels[src + 1] ?? 0;
        image.data[dst + 2] = p.pixels[src + 2] ?? 0;
        image.data[dst + 3] = 255;
      }
    }
  }
  ctx.putImageData(image, 0, 0);
}

function Strip({ preview, clip }: { preview: AugmentPreview; clip: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current) drawStrip(canvas.current, preview, clip);
  }, [preview, clip]);
  return (
    <figure className="aug-strip">
      <canvas ref={canvas} />
      <figcaption className="muted small">
        {preview.labels[clip]}
        {preview.flips[clip] ? ' · flipped' : ''}
      </figcaption>
    </figure>
  );
}

export function AugmentPreviewCard({ draft, enabled }: { draft: TrainConfig; enabled: boolean }) {
  const [preview, setPreview] = useState<AugmentPreview | null>(null);
  const [seed, setSeed] = useState(0);
  const [loading, setLoading] = useState(false);
  const show = async (next: number): Promise<void> => {
    setLoading(true);
    try {
      setPreview(await augmentPreview(draft, CLIPS, next));
      setSeed(next);
    } catch (error) {
      reportError(error);
    } finally {
      setLoading(false);
    }
  };
  return (
    <Card
      title="Augmentation preview"
      testId="augment-preview"
      wide
      actions={
        <div className="row row--tight">
          <button
            type="button"
            className="button button--ghost"
            data-testid="augment-preview-show"
            disabled={!enabled || loading}
            onClick={() => void show(preview ? seed + 1 : seed)}
          >
            {preview ? 'Another draw' : 'Preview augmentation'}
          </button>
        </div>
      }
    >
      {preview ? (
        <div className="aug-strips" data-testid="augment-strips">
          {preview.labels.map((label, i) => (
            <Strip key={`${seed}-${i}-${label}`} preview={preview} clip={i} />
          ))}
        </div>
      ) : (
        <p className="muted small">
          Train clips of the chosen dataset, cropped, flipped and colour-jittered on the GPU as the training
          loop does with the current config (first {MAX_FRAMES} frames of each clip).
        </p>
      )}
    </Card>
  );
}
