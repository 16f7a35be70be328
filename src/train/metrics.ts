// Classification metrics accumulated over validation batches (pure; compute worker): top-1, top-5 and mean class
// accuracy as MMAction2's `top_k_accuracy` / `mean_class_accuracy` (classes absent from the labels are skipped).

import type { AccuracyReport } from '../shared/training.ts';

export type { AccuracyReport };

export class AccuracyMeter {
  private count = 0;
  private top1 = 0;
  private top5 = 0;
  private readonly perClassSeen: Int32Array;
  private readonly perClassHit: Int32Array;

  constructor(readonly numClasses: number) {
    this.perClassSeen = new Int32Array(numClasses);
    this.perClassHit = new Int32Array(numClasses);
  }

  /** logits (or scores): f32[N·K] row-major; labels: i32[N]. Ties rank the lower class index first. */
  add(scores: Float32Array, labels: Int32Array): void {
    const k = this.numClasses;
    if (scores.length !== labels.length * k) {
      throw new RangeError(
        `AccuracyMeter: ${scores.length} scores for ${labels.length} labels × ${k} classes`,
      );
    }
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i] ?? -1;
      if (label < 0 || label >= k) throw new RangeError(`AccuracyMeter: label ${label} outside 0..${k - 1}`);
      const own = scores[i * k + label] ?? 0;
      // rank = classes scoring strictly higher, or equal with a lower index
      let rank = 0;
      for (let c = 0; c < k; c++) {
        const s = scores[i * k + c] ?? 0;
        if (s > own || (s === own && c < label)) rank++;
      }
      this.count++;
      this.perClassSeen[label] = (this.perClassSeen[label] ?? 0) + 1;
      if (rank === 0) {
        this.top1++;
        this.perClassHit[label] = (this.perClassHit[label] ?? 0) + 1;
      }
      if (rank < 5) this.top5++;
    }
  }

  report(): AccuracyReport {
    let classes = 0;
    let sum = 0;
    for (let c = 0; c < this.numClasses; c++) {
      const seen = this.perClassSeen[c] ?? 0;
      if (seen > 0) {
        classes++;
        sum += (this.perClassHit[c] ?? 0) / seen;
      }
    }
    const n = Math.max(1, this.count);
    return {
      count: this.count,
      top1: this.top1 / n,
      top5: this.top5 / n,
      meanClassAccuracy: classes ? sum / classes : 0,
    };
  }
}
