// The GPU benchmark's two sides name the same rows: the keys (op|shape) of our cases and training step equal those
// of scripts/gpu-bench-torch.py at both scales, so the ratio table never silently drops a row.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PYTHON } from '../models/weights/fixtures/python.ts';
import { gpuBenchCases, gpuBenchShapes, trainStepShape, type GpuBenchScale } from './gpuBench.ts';

describe('gpu benchmark row keys', () => {
  let keys: Record<string, string[]> | null = null;
  const theirs = (scale: GpuBenchScale): string[] | undefined => {
    keys ??= JSON.parse(
      execFileSync(PYTHON, ['scripts/gpu-bench-torch.py', '--keys'], { encoding: 'utf8' }),
    ) as Record<string, string[]>;
    return keys[scale];
  };
  it.each(['full', 'ci'] as const)(
    '%s: ours equal the PyTorch script’s',
    (scale: GpuBenchScale) => {
      const shapes = gpuBenchShapes(scale);
      const ours = [
        ...gpuBenchCases(shapes).map((c) => `${c.op}|${c.shape}`),
        `r3d_18_train_step|${trainStepShape(shapes.step)}`,
      ];
      expect(ours).toEqual(theirs(scale));
      expect(new Set(ours).size).toBe(ours.length);
      if (scale === 'full') {
        expect(ours).toContain('attention_bwd|1x12x1568x64');
        expect(ours).toContain('conv3d_wgrad|64→64 x[8,16,56,56,64] k[3,3,3] s[1,1,1]');
        expect(ours).toContain('r3d_18_train_step|b8 16x112x112');
      }
    },
    60_000,
  );
});
