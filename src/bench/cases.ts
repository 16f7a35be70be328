// The benchmark suite of `tubelet bench kernels` (compute worker or Node): every kernel family adds its cases here.
import type { BenchCase } from './harness.ts';
import { conv3dCases } from './conv3dCases.ts';
import { hogBnBenchCases } from './hogBnCases.ts';
import { normBenchCases } from './normCases.ts';
import { attentionBenchCases } from '../models/ops/attentionBench.ts';

export interface SuiteOptions {
  /** Hardware adapter: full-size shapes; software adapter: the small CI shapes. */
  readonly hardware: boolean;
  readonly quick: boolean;
}

export function kernelBenchCases(options: SuiteOptions): BenchCase[] {
  return [
    ...conv3dCases(options),
    ...attentionBenchCases(options),
    ...hogBnBenchCases(options),
    ...normBenchCases(options),
  ];
}
