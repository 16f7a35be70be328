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

/** How a convolution's parameters start: mmcv's kaiming_init (fan_out, zero bias) or PyTorch's default. */
export type ConvInit = 'kaiming_fan_out' | 'torch_default';

/**
 * A convolution's initial weight (`weights` values) and, when `biasLength` is given, bias: fan_in = in · Π kernel,
 * fan_out = out · Π kernel. The weight is drawn before the bias, as PyTorch's reset_parameters does.
 */
export function convInitValues(
  rng: Rng,
  init: ConvInit,
  weights: number,
  fan: { readonly in: number; readonly out: number },
  biasLength: number | null,
): { readonly weight: Float32Array; readonly bias: Float32Array | null } {
  const kaiming = init === 'kaiming_fan_out';
  const weight = kaiming
    ? kaimingNormalFanOut(rng, weights, fan.out)
    : torchDefaultUniform(rng, weights, fan.in);
  if (biasLength === null) return { weight, bias: null };
  return {
    weight,
    bias: kaiming ? new Float32Array(biasLength) : torchDefaultUniform(rng, biasLength, fan.in),
  };
}
