// The benchmark suite of `tubelet bench kernels` (compute worker or Node): every kernel family adds its cases here.
import type { BenchCase } from './harness.ts';
import { hogBnBenchCases } from './hogBnCases.ts';
import { attentionBenchCases } from '../models/ops/attentionBench.ts';

export interface SuiteOptions {
  /** Hardware adapter: full-size shapes; software adapter: the small CI shapes. */
  readonly hardware: boolean;
  readonly quick: boolean;
}

export function kernelBenchCases(options: SuiteOptions): BenchCase[] {
  return [...attentionBenchCases(options), ...hogBnBenchCases(options)];
}
