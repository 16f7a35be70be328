// Wall-clock benchmark of the grouped Conv3D kernels (forward, dgrad, wgrad) on one geometry and tile, for
// docs/PERFORMANCE.md and tile choice: warm-up (pipeline compile), then the median of `runs` submissions, each
// awaited with queue.onSubmittedWorkDone(). Any thread with a GPUDevice; never used by tests as an assertion.
import type { Conv3DGeometry } from '../conv3d/geometry.ts';
import { conv3dFlops } from '../conv3d/geometry.ts';
import { createStorage, uploadStorage } from '../../buffers.ts';
import { Rng } from '../../../shared/random.ts';
import type { GroupedConvTile } from './common.ts';
import { encodeGroupedConv3d } from './conv3d_grouped.ts';
import { encodeGroupedConv3dBackpropInput } from '../conv3d_grouped_dgrad/conv3d_grouped_dgrad.ts';
import {
  encodeGroupedConv3dBackpropFilter,
  filterSize,
} from '../conv3d_grouped_wgrad/conv3d_grouped_wgrad.ts';

export type GroupedKernel = 'fwd' | 'dgrad' | 'wgrad';

export interface BenchResult {
  readonly kernel: GroupedKernel;
  readonly medianMs: number;
  readonly gflops: number;
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/** Times one kernel of `g` (with `tile`, or the default): median wall time per submission, and GFLOP/s. */
export async function benchGroupedKernel(
  device: GPUDevice,
  g: Conv3DGeometry,
  kernel: GroupedKernel,
  opts: { tile?: GroupedConvTile; warmup?: number; runs?: number } = {},
): Promise<BenchResult> {
  const rng = new Rng(1);
  const xSize = g.batch * g.inD * g.inH * g.inW * g.inC;
  const ySize = g.batch * g.outD * g.outH * g.outW * g.outC;
  const x = uploadStorage(device, 'bench:x', rng.float32(xSize));
  const w = uploadStorage(device, 'bench:w', rng.float32(filterSize(g)));
  const dy = uploadStorage(device, 'bench:dy', rng.float32(ySize));
  const outElems = kernel === 'fwd' ? ySize : kernel === 'dgrad' ? xSize : filterSize(g);
  const output = createStorage(device, 'bench:out', outElems * 4);
  const times: number[] = [];
  try {
    const warmup = opts.warmup ?? 2;
    const runs = opts.runs ?? 5;
    for (let i = 0; i < warmup + runs; i++) {
      const temps: GPUBuffer[] = [];
      const common = { output, temps, ...(opts.tile ? { tile: opts.tile } : {}) };
      const t0 = performance.now();
      const encoder = device.createCommandEncoder({ label: `bench:${kernel}` });
      if (kernel === 'fwd') encodeGroupedConv3d(device, encoder, x, w, g, common);
      else if (kernel === 'dgrad') encodeGroupedConv3dBackpropInput(device, encoder, dy, w, g, common);
      else encodeGroupedConv3dBackpropFilter(device, encoder, x, dy, g, common);
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      if (i >= warmup) times.push(performance.now() - t0);
      for (const b of temps) b.destroy();
    }
  } finally {
    for (const b of [x, w, dy, output]) b.destroy();
  }
  const medianMs = median(times);
  return { kernel, medianMs, gflops: conv3dFlops(g) / (medianMs * 1e6) };
}
