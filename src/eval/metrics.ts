// Recognition metrics (compute worker and Node; pure), ported from the rules of MMAction2's
// mmaction/evaluation/functional/accuracy.py: top-k, mean class accuracy, confusion matrix, (mmit) mAP.
// scores: f64[N][classes] (any monotone score: logits or probabilities); labels: class index per sample.

/** Indices of the k highest scores, best first; ties go to the higher class index (numpy argsort reversed). */
export function topKIndices(row: readonly number[], k: number): number[] {
  const idx = row.map((_, i) => i);
  idx.sort((a, b) => (row[a] ?? 0) - (row[b] ?? 0) || a - b);
  return idx.slice(Math.max(0, idx.length - k)).reverse();
}

/** Fraction of samples whose label is among their k highest scores (MMAction2 top_k_accuracy). */
export function topKAccuracy(
  scores: readonly (readonly number[])[],
  labels: readonly number[],
  k: number,
): number {
  if (scores.length === 0) return NaN;
  let hits = 0;
  scores.forEach((row, i) => {
    if (topKIndices(row, k).includes(labels[i] ?? -1)) hits++;
  });
  return hits / scores.length;
}

/** np.argmax: the first index of the maximum. */
export function argmax(row: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] ?? -Infinity) > (row[best] ?? -Infinity)) best = i;
  return best;
}

/** Full confusion matrix i32[numClasses][numClasses]: rows = true class, columns = predicted class. */
export function confusionMatrix(
  preds: readonly number[],
  labels: readonly number[],
  numClasses: number,
): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  labels.forEach((t, i) => {
    const row = m[t];
    const p = preds[i] ?? -1;
    if (row && p >= 0 && p < numClasses) row[p] = (row[p] ?? 0) + 1;
  });
  return m;
}

/** Per-class recall (diagonal / row sum) for every class; null for classes with no sample. */
export function perClassAccuracy(confusion: readonly (readonly number[])[]): (number | null)[] {
  return confusion.map((row, c) => {
    const cnt = row.reduce((a, b) => a + b, 0);
    return cnt === 0 ? null : (row[c] ?? 0) / cnt;
  });
}

/**
 * MMAction2 mean_class_accuracy: predictions are argmax (first maximum); recall is averaged over the classes
 * that occur among labels ∪ predictions, a class only ever predicted counting 0.
 */
export function meanClassAccuracy(scores: readonly (readonly number[])[], labels: readonly number[]): number {
  const preds = scores.map(argmax);
  const present = [...new Set([...preds, ...labels])].sort((a, b) => a - b);
  if (present.length === 0) return NaN;
  let sum = 0;
  for (const c of present) {
    let cnt = 0;
    let hit = 0;
    labels.forEach((t, i) => {
      if (t !== c) return;
      cnt++;
      if (preds[i] === c) hit++;
    });
    sum += cnt ? hit / cnt : 0;
  }
  return sum / present.length;
}

/**
 * Average precision of one binary problem with sklearn-style tie grouping (MMAction2
 * binary_precision_recall_curve then −Σ diff(recall)·precision). NaN when there is no positive.
 */
export function averagePrecision(score: readonly number[], truth: readonly number[]): number {
  const order = score.map((_, i) => i).sort((a, b) => (score[b] ?? 0) - (score[a] ?? 0) || b - a);
  const positives = truth.reduce((a, b) => a + (b ? 1 : 0), 0);
  if (positives === 0) return NaN;
  let tp = 0;
  let ap = 0;
  let prevRecall = 0;
  for (let r = 0; r < order.length; r++) {
    const i = order[r] ?? 0;
    if (truth[i]) tp++;
    const next = order[r + 1];
    // Close a threshold group only where the score changes (or at the end).
    if (next !== undefined && score[next] === score[i]) continue;
    const recall = tp / positives;
    ap += (recall - prevRecall) * (tp / (r + 1));
    prevRecall = recall;
    if (tp === positives) break;
  }
  return ap;
}

/** MMAction2 mean_average_precision: AP per class (columns), NaN classes dropped, then the mean. */
export function meanAveragePrecision(
  scores: readonly (readonly number[])[],
  targets: readonly (readonly number[])[],
): number {
  const k = scores[0]?.length ?? 0;
  const aps: number[] = [];
  for (let c = 0; c < k; c++) {
    const ap = averagePrecision(
      scores.map((r) => r[c] ?? 0),
      targets.map((r) => r[c] ?? 0),
    );
    if (!Number.isNaN(ap)) aps.push(ap);
  }
  return aps.length ? aps.reduce((a, b) => a + b, 0) / aps.length : NaN;
}

/** MMAction2 mmit_mean_average_precision: AP per sample (over classes), then the mean. */
export function mmitMeanAveragePrecision(
  scores: readonly (readonly number[])[],
  targets: readonly (readonly number[])[],
): number {
  if (scores.length === 0) return NaN;
  const aps = scores.map((row, i) => averagePrecision(row, targets[i] ?? []));
  return aps.reduce((a, b) => a + b, 0) / aps.length;
}

/** Everything the eval result reports for single-label data. */
export interface SingleLabelMetrics {
  readonly top1: number;
  readonly top5: number;
  readonly meanClassAccuracy: number;
  /** rows = true class, columns = predicted (argmax) class; row c sums to the count of class c. */
  readonly confusion: number[][];
  readonly perClass: (number | null)[];
}

export function singleLabelMetrics(
  scores: readonly (readonly number[])[],
  labels: readonly number[],
  numClasses: number,
): SingleLabelMetrics {
  const confusion = confusionMatrix(scores.map(argmax), labels, numClasses);
  return {
    top1: topKAccuracy(scores, labels, 1),
    top5: topKAccuracy(scores, labels, Math.min(5, numClasses)),
    meanClassAccuracy: meanClassAccuracy(scores, labels),
    confusion,
    perClass: perClassAccuracy(confusion),
  };
}
