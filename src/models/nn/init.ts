// Seeded parameter initialisers with PyTorch's formulas (compute worker or Node). Values are drawn in the TF.js
// layout; they are i.i.d., so the layout does not change the distribution.
import type { Rng } from '../../shared/random.ts';

let skipping = 0;

/**
 * Runs `build` with every initialiser here returning zeros and drawing nothing from its Rng: for models built only
 * to count parameters and multiply-adds (the zoo's `modelInfo`), which then skip the JS cost of random weights.
 */
export function withoutInitialisation<T>(build: () => T): T {
  skipping++;
  try {
    return build();
  } finally {
    skipping--;
  }
}

/** kaiming_normal_(mode='fan_out', nonlinearity='relu'): N(0, 2 / fan_out), fan_out = out · Π kernel. */
export function kaimingNormalFanOut(rng: Rng, length: number, fanOut: number): Float32Array {
  return normal(rng, length, Math.sqrt(2 / fanOut));
}

/** N(0, std²). */
export function normal(rng: Rng, length: number, std: number): Float32Array {
  const out = new Float32Array(length);
  if (skipping > 0) return out;
  for (let i = 0; i < length; i++) out[i] = std * rng.normal();
  return out;
}

/** PyTorch's default Conv/Linear init: kaiming_uniform_(a=√5) = U(±1/√fan_in); biases U(±1/√fan_in) too. */
export function torchDefaultUniform(rng: Rng, length: number, fanIn: number): Float32Array {
  if (skipping > 0) return new Float32Array(length);
  const bound = 1 / Math.sqrt(fanIn);
  return rng.float32(length, -bound, bound);
}

/** xavier_uniform_ (gain 1): U(±√(6 / (fan_in + fan_out))); mmcv's xavier_init(distribution='uniform'). */
export function xavierUniform(rng: Rng, length: number, fanIn: number, fanOut: number): Float32Array {
  if (skipping > 0) return new Float32Array(length);
  const bound = Math.sqrt(6 / (fanIn + fanOut));
  return rng.float32(length, -bound, bound);
}
