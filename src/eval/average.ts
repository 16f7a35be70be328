// Multi-view score averaging (compute worker; pure): MMAction2's average_clips ('score' = mean of logits,
// 'prob' = mean of softmax, 'none' = per-view scores kept) and PySlowFast's ensemble ('sum' of softmax, 'max').
import { TubeletError } from '../shared/errors.ts';

export type AverageMode = 'score' | 'prob' | 'none' | 'sum' | 'max';
export const AVERAGE_MODES: readonly AverageMode[] = ['score', 'prob', 'none', 'sum', 'max'];

/** Numerically stable softmax of one row. */
export function softmax(row: readonly number[]): number[] {
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  const e = row.map((v) => Math.exp(v - max));
  let sum = 0;
  for (const v of e) sum += v;
  return e.map((v) => v / sum);
}

/**
 * Video scores f32[classes] from per-view logits f32[views, classes]. 'none' (MMAction2 average_clips=None)
 * has no single video score; top-k then ranks the plain mean of logits, which is what MMAction2's metric sees
 * after its result reshape — callers keep the per-view rows for export.
 */
export function averageViews(viewLogits: readonly (readonly number[])[], mode: AverageMode): number[] {
  const first = viewLogits[0];
  if (!first) throw new TubeletError('INVALID_ARGUMENT', 'averageViews needs at least one view');
  const k = first.length;
  const rows = mode === 'prob' || mode === 'sum' || mode === 'max' ? viewLogits.map(softmax) : viewLogits;
  const out = new Array<number>(k).fill(mode === 'max' ? -Infinity : 0);
  for (const row of rows) {
    if (row.length !== k) throw new TubeletError('INVALID_ARGUMENT', 'views disagree on the class count');
    for (let c = 0; c < k; c++) {
      const v = row[c] ?? 0;
      out[c] = mode === 'max' ? Math.max(out[c] ?? -Infinity, v) : (out[c] ?? 0) + v;
    }
  }
  if (mode === 'score' || mode === 'prob' || mode === 'none') {
    for (let c = 0; c < k; c++) out[c] = (out[c] ?? 0) / rows.length;
  }
  return out;
}
