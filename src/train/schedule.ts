// Learning-rate schedules (compute worker; pure): linear warmup, then cosine annealing or multistep decay,
// evaluated per iteration so resuming from any step gives the same value. Matches MMEngine's
// LinearLR(start_factor) + CosineAnnealingLR(eta_min) / MultiStepLR(milestones, gamma) when stepped per iteration.

export type DecaySchedule =
  | { readonly kind: 'cosine'; readonly minLr: number }
  | { readonly kind: 'multistep'; readonly milestones: readonly number[]; readonly gamma: number }
  | { readonly kind: 'constant' };

export interface ScheduleConfig {
  readonly baseLr: number;
  /** Total training iterations (epochs × iterations per epoch). */
  readonly totalIters: number;
  /** Iterations of linear warmup from `warmupStartFactor · baseLr` up to `baseLr`. */
  readonly warmupIters: number;
  readonly warmupStartFactor: number;
  readonly decay: DecaySchedule;
}

export function validateSchedule(c: ScheduleConfig): void {
  const fail = (msg: string): never => {
    throw new RangeError(`schedule: ${msg}`);
  };
  if (!(c.baseLr > 0) || !Number.isFinite(c.baseLr))
    fail(`baseLr must be a positive number, got ${c.baseLr}`);
  if (!Number.isInteger(c.totalIters) || c.totalIters < 1)
    fail(`totalIters must be ≥ 1, got ${c.totalIters}`);
  if (!Number.isInteger(c.warmupIters) || c.warmupIters < 0 || c.warmupIters > c.totalIters) {
    fail(`warmupIters must be in 0..totalIters, got ${c.warmupIters}`);
  }
  if (!(c.warmupStartFactor > 0 && c.warmupStartFactor <= 1)) {
    fail(`warmupStartFactor must be in (0, 1], got ${c.warmupStartFactor}`);
  }
  if (c.decay.kind === 'cosine' && !(c.decay.minLr >= 0 && c.decay.minLr <= c.baseLr)) {
    fail(`cosine minLr must be in [0, baseLr], got ${c.decay.minLr}`);
  }
  if (c.decay.kind === 'multistep') {
    const m = c.decay.milestones;
    if (m.some((x, i) => !Number.isInteger(x) || x < 1 || (i > 0 && x <= (m[i - 1] ?? 0)))) {
      fail(`milestones must be increasing positive iteration counts, got [${m.join(', ')}]`);
    }
    if (!(c.decay.gamma > 0 && c.decay.gamma <= 1)) fail(`gamma must be in (0, 1], got ${c.decay.gamma}`);
  }
}

/** The learning rate at iteration `iter` (0-based), for any iteration, in O(milestones). */
export function learningRate(c: ScheduleConfig, iter: number): number {
  const t = Math.min(Math.max(0, Math.floor(iter)), c.totalIters);
  let lr: number;
  switch (c.decay.kind) {
    case 'constant':
      lr = c.baseLr;
      break;
    case 'multistep': {
      const passed = c.decay.milestones.filter((m) => t >= m).length;
      lr = c.baseLr * c.decay.gamma ** passed;
      break;
    }
    case 'cosine': {
      // Cosine over the iterations after warmup, from baseLr at its start to minLr at totalIters.
      const span = Math.max(1, c.totalIters - c.warmupIters);
      const progress = Math.min(1, Math.max(0, (t - c.warmupIters) / span));
      lr = c.decay.minLr + 0.5 * (c.baseLr - c.decay.minLr) * (1 + Math.cos(Math.PI * progress));
      break;
    }
  }
  if (t < c.warmupIters) {
    const factor = c.warmupStartFactor + (1 - c.warmupStartFactor) * (t / c.warmupIters);
    lr *= factor;
  }
  return lr;
}

/** The whole curve sampled every `every` iterations (for the schedule preview chart). */
export function scheduleCurve(c: ScheduleConfig, every = 1): { iter: number; lr: number }[] {
  const out: { iter: number; lr: number }[] = [];
  for (let i = 0; i <= c.totalIters; i += Math.max(1, every)) out.push({ iter: i, lr: learningRate(c, i) });
  return out;
}
