// The WebGPU kernel cases of the GPU benchmark against PyTorch (Node + Dawn, scripts/gpu-bench.mjs): R3D-18's
// Conv3D layers fwd/dgrad/wgrad and fused attention at ViT-B shapes; the training step is train/stepBench.ts.
// Row keys (op + shape) match scripts/gpu-bench-torch.py's.
import { attentionCase } from '../models/ops/attentionBench.ts';
import { denseCase, r3dLayers } from './conv3dCases.ts';
import type { BenchCase } from './harness.ts';

/** 'full': the shapes the issue names (GPU); 'ci': small enough for the software adapter, same code paths. */
export type GpuBenchScale = 'full' | 'ci';

export interface GpuBenchShapes {
  /** R3D-18 layers at batch × clip × size² */
  readonly conv: readonly [batch: number, clip: number, size: number];
  /** attention batch, heads, lengths, head dim */
  readonly attention: { readonly batch: number; readonly heads: number; readonly lengths: readonly number[] };
  /** the r3d_18 training step's batch × clip × size² and classes */
  readonly step: readonly [batch: number, clip: number, size: number, classes: number];
}

export function gpuBenchShapes(scale: GpuBenchScale): GpuBenchShapes {
  return scale === 'full'
    ? {
        conv: [8, 16, 112],
        attention: { batch: 1, heads: 12, lengths: [197, 1568] },
        step: [8, 16, 112, 400],
      }
    : { conv: [1, 4, 28], attention: { batch: 1, heads: 2, lengths: [197] }, step: [1, 4, 28, 400] };
}

export function gpuBenchCases(shapes: GpuBenchShapes): BenchCase[] {
  const [batch, clip, size] = shapes.conv;
  const cases: BenchCase[] = [];
  let seed = 1;
  for (const layer of r3dLayers(batch, clip, size))
    for (const which of ['fwd', 'dgrad', 'wgrad'] as const) cases.push(denseCase(layer, which, seed++));
  const a = shapes.attention;
  for (const kind of ['fwd', 'bwd'] as const)
    for (const l of a.lengths) cases.push(attentionCase(kind, a.batch, a.heads, l, 64));
  return cases;
}

export const trainStepShape = ([b, t, s]: GpuBenchShapes['step']): string => `b${b} ${t}x${s}x${s}`;
