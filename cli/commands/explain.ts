// `tubelet explain` (Node): runs the explain job in the studio's worker on a stored video (--dataset ID --index I)
// or a local video file (--video FILE), blends the heat map on each frame and writes one PNG per frame to --out.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Outcome } from '../../src/client/automation.ts';
import { formatError } from '../../src/shared/errors.ts';
import {
  EXPLAIN_METHODS,
  type ExplainMethod,
  type ExplainResult,
  type ExplainSpec,
} from '../../src/shared/protocol.ts';
import { overlayFrame } from '../../src/shared/overlay.ts';
import { CliError, UsageError } from '../errors.ts';
import { LOCAL_FILE_PREFIX } from '../server.ts';
import type { StudioSession } from '../session.ts';
import { encodePng } from '../png.ts';

export interface ExplainRequest {
  readonly model: string;
  readonly method: string | undefined;
  readonly layer: string | undefined;
  readonly classIndex: number | undefined;
  readonly topk: number;
  /** local file 0 is the video when `video` is set */
  readonly video: string | undefined;
  readonly dataset: string | undefined;
  readonly index: number | undefined;
}

export interface ExplainSummary {
  readonly model: string;
  readonly method: ExplainMethod;
  readonly layer: string;
  readonly classIndex: number;
  readonly className: string | null;
  readonly topk: readonly { readonly index: number; readonly label: string | null; readonly prob: number }[];
  readonly size: readonly [number, number, number];
  readonly files: readonly string[];
}

/** 'gradcam++' is accepted for gradcampp. */
export function explainMethod(m: string | undefined): ExplainMethod | undefined {
  if (m === undefined) return undefined;
  const name = m === 'gradcam++' ? 'gradcampp' : m;
  if (!(EXPLAIN_METHODS as readonly string[]).includes(name))
    throw new UsageError(`--method must be one of gradcam, gradcam++, attention, rollout, got '${m}'`);
  return name as ExplainMethod;
}

interface Wire {
  readonly result: Omit<ExplainResult, 'frames' | 'map' | 'headMaps'>;
  readonly frames: string;
  readonly map: string;
}

export async function explainClip(
  session: StudioSession,
  r: ExplainRequest,
  out: string,
  opacity = 0.5,
): Promise<ExplainSummary> {
  if ((r.video === undefined) === (r.dataset === undefined))
    throw new UsageError('explain needs --video FILE or --dataset ID [--index I] (one of them)');
  const method = explainMethod(r.method);
  const outcome: Outcome<Wire> = await session.page.evaluate(
    async ({ prefix, r, method }) => {
      const handle = window.__tubelet;
      if (!handle) throw new Error('automation handle missing');
      let input: ExplainSpec['input'];
      if (r.video !== undefined) {
        const response = await fetch(`${prefix}0`);
        if (!response.ok) throw new Error(`could not read ${r.video} (HTTP ${response.status})`);
        input = { type: 'video', file: await response.blob(), fileName: r.video };
      } else input = { type: 'stored', datasetId: r.dataset ?? '', videoIndex: r.index ?? 0 };
      const spec: ExplainSpec = {
        kind: 'explain',
        model: r.model,
        input,
        topk: r.topk,
        ...(method === undefined ? {} : { method }),
        ...(r.layer === undefined ? {} : { layer: r.layer }),
        ...(r.classIndex === undefined ? {} : { classIndex: r.classIndex }),
      };
      const o = await handle.runJob(spec);
      if (!o.ok) return o;
      // base64 by an anonymous callback: a named function here gets tsx's __name() wrapper, undefined in the page
      const [frames, map] = [o.value.frames, o.value.map].map((u) => {
        let s = '';
        for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode(...u.subarray(i, i + 0x8000));
        return btoa(s);
      });
      // per-head maps stay in the page: the PNGs show the mean
      const result = Object.fromEntries(
        Object.entries(o.value).filter(([k]) => k !== 'frames' && k !== 'map' && k !== 'headMaps'),
      ) as Wire['result'];
      return { ok: true as const, value: { result, frames: frames ?? '', map: map ?? '' } };
    },
    { prefix: LOCAL_FILE_PREFIX, r, method },
  );
  if (!outcome.ok) throw new CliError(`explain failed: ${formatError(outcome.error)}`);
  const { result, frames: f64, map: m64 } = outcome.value;
  const frames = new Uint8Array(Buffer.from(f64, 'base64'));
  const map = new Uint8Array(Buffer.from(m64, 'base64'));
  mkdirSync(out, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < result.t; i++) {
    const file = path.resolve(out, `frame_${String(i).padStart(3, '0')}.png`);
    writeFileSync(
      file,
      encodePng(overlayFrame(frames, map, i, result.h, result.w, opacity), result.w, result.h),
    );
    files.push(file);
  }
  return {
    model: result.model,
    method: result.method,
    layer: result.layer,
    classIndex: result.classIndex,
    className: result.className,
    topk: result.topk,
    size: [result.t, result.h, result.w],
    files,
  };
}

export function formatExplain(s: ExplainSummary): string {
  return [
    `${s.model} ${s.method} on ${s.layer}, class ${s.classIndex}${s.className ? ` (true: ${s.className})` : ''}`,
    ...s.topk.map(
      (t) =>
        `  ${(100 * t.prob).toFixed(2).padStart(6)} %  class ${t.index}${t.label ? ` (${t.label})` : ''}`,
    ),
    `wrote ${s.files.length} overlays to ${path.dirname(s.files[0] ?? '.')}`,
  ].join('\n');
}
