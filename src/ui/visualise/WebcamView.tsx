// Live recognition from the webcam (main thread): getUserMedia → frames drawn at 64×64 into a ring buffer → a
// predict-only explain call whenever the buffer holds a clip and no call is in flight; top-k bars, fps, latency.
import { useEffect, useRef, useState } from 'react';
import type { ExplainResult } from '../../shared/protocol.ts';
import { runExplain } from '../../state/visualiseActions.ts';
import { TopKBars } from './OverlayStrip.tsx';

const SIDE = 64;

function cameraError(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'Camera permission was denied: allow the camera for this site and press Start again.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'No camera was found on this device.';
  if (!('mediaDevices' in navigator))
    return 'This browser offers no camera access here (needs https or localhost).';
  return `The camera could not start: ${error instanceof Error ? error.message : String(error)}`;
}

export function WebcamView({ model, classNames }: { model: string; classNames: readonly string[] | null }) {
  const video = useRef<HTMLVideoElement>(null);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<ExplainResult | null>(null);
  const [stats, setStats] = useState({ predictions: 0, latencyMs: 0, fps: 0 });

  useEffect(() => {
    const el = video.current;
    if (!stream || !el) return;
    el.srcObject = stream;
    void el.play().catch(() => undefined);
    const canvas = new OffscreenCanvas(SIDE, SIDE);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    let clipLen = 8;
    const ring: Uint8Array[] = [];
    let busy = false;
    let stopped = false;
    let frames = 0;
    const started = performance.now();
    let predictions = 0;
    const timer = window.setInterval(() => {
      if (!ctx || el.readyState < 2) return;
      ctx.drawImage(el, 0, 0, SIDE, SIDE);
      const rgba = ctx.getImageData(0, 0, SIDE, SIDE).data;
      const rgb = new Uint8Array(SIDE * SIDE * 3);
      for (let p = 0; p < SIDE * SIDE; p++) rgb.set(rgba.subarray(p * 4, p * 4 + 3), p * 3);
      ring.push(rgb);
      frames++;
      while (ring.length > clipLen) ring.shift();
      if (busy || ring.length < clipLen) return;
      busy = true;
      const clip = new Uint8Array(clipLen * rgb.length);
      ring.forEach((f, i) => {
        clip.set(f, i * rgb.length);
      });
      const t0 = performance.now();
      void runExplain(
        {
          model,
          predictOnly: true,
          topk: 5,
          ...(classNames && classNames.length > 0 ? { classNames } : {}),
          input: { type: 'frames', frames: clip, t: clipLen, h: SIDE, w: SIDE },
        },
        true,
      ).then((r) => {
        busy = false;
        if (stopped) return;
        if (!r) {
          setError(`Prediction with ${model} failed: see the error center.`);
          return;
        }
        clipLen = r.t;
        predictions++;
        setResult(r);
        setStats({
          predictions,
          latencyMs: Math.round(performance.now() - t0),
          fps: Math.round((1000 * frames) / (performance.now() - started)),
        });
      });
    }, 100);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [stream, model, classNames]);

  const start = async (): Promise<void> => {
    setError(null);
    try {
      if (!('mediaDevices' in navigator)) throw new Error('no mediaDevices');
      setStream(
        await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: false }),
      );
    } catch (e) {
      setError(cameraError(e));
    }
  };
  const stop = (): void => {
    for (const track of stream?.getTracks() ?? []) track.stop();
    setStream(null);
  };
  useEffect(
    () => () => {
      for (const track of stream?.getTracks() ?? []) track.stop();
    },
    [stream],
  );

  return (
    <div data-testid="webcam" data-state={stream ? 'running' : 'stopped'}>
      <div style={{ display: 'flex', gap: 8 }}>
        <button
          type="button"
          onClick={() => void start()}
          disabled={stream !== null}
          data-testid="webcam-start"
        >
          Start
        </button>
        <button type="button" onClick={stop} disabled={stream === null} data-testid="webcam-stop">
          Stop
        </button>
      </div>
      {error && (
        <p role="alert" className="error" data-testid="webcam-error">
          {error}
        </p>
      )}
      <video ref={video} muted playsInline width={160} height={120} aria-label="Webcam preview" />
      {result && (
        <>
          <p className="muted" data-testid="webcam-stats" data-predictions={stats.predictions}>
            {stats.predictions} predictions · {stats.fps} fps captured · {stats.latencyMs} ms latency
          </p>
          <TopKBars topk={result.topk} testId="webcam-topk" />
        </>
      )}
    </div>
  );
}
