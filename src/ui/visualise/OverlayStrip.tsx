// The frame strip of an explanation (main thread): each clip frame with the heat map blended at the chosen opacity,
// drawn with ImageData on a canvas, and the top-k bars.
import { useEffect, useRef } from 'react';
import type { ExplainResult } from '../../shared/protocol.ts';
import { overlayFrame } from '../../shared/overlay.ts';

function OverlayFrame({ r, index, opacity }: { r: ExplainResult; index: number; opacity: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const map = r.map.length > 0 ? r.map : new Uint8Array(r.t * r.h * r.w);
    const rgba = overlayFrame(r.frames, map, index, r.h, r.w, r.map.length > 0 ? opacity : 0);
    ctx.putImageData(new ImageData(rgba, r.w, r.h), 0, 0);
  }, [r, index, opacity]);
  return (
    <canvas
      ref={ref}
      width={r.w}
      height={r.h}
      className="vis-frame"
      data-testid="vis-frame"
      aria-label={`frame ${index + 1} with its heat map`}
      style={{ width: 112, height: Math.round((112 * r.h) / r.w), imageRendering: 'pixelated' }}
    />
  );
}

export function OverlayStrip({ result, opacity }: { result: ExplainResult; opacity: number }) {
  return (
    <div className="vis-strip" data-testid="vis-strip" style={{ display: 'flex', flexWrap: 'wrap', gap: 4 }}>
      {Array.from({ length: result.t }, (_, i) => (
        <OverlayFrame key={i} r={result} index={i} opacity={opacity} />
      ))}
    </div>
  );
}

export function TopKBars({ topk, testId }: { topk: ExplainResult['topk']; testId: string }) {
  return (
    <ol className="vis-topk" data-testid={testId} style={{ listStyle: 'none', padding: 0 }}>
      {topk.map((t) => (
        <li
          key={t.index}
          data-class={t.index}
          data-prob={t.prob}
          style={{ display: 'flex', gap: 8, alignItems: 'center' }}
        >
          <span style={{ minWidth: 120 }}>{t.label ?? `class ${t.index}`}</span>
          <span
            className="vis-bar"
            style={{
              display: 'inline-block',
              height: 10,
              width: `${Math.round(200 * t.prob)}px`,
              background: 'currentColor',
            }}
          />
          <span>{(100 * t.prob).toFixed(1)} %</span>
        </li>
      ))}
    </ol>
  );
}
