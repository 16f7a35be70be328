// The GPU self-test job (compute worker): runs our WGSL matmul on seeded inputs, checks it against the CPU
// reference, then reads the same output buffer through TF.js (zero-copy) to prove both share one device.
import { Rng } from '../shared/random.ts';
import { TubeletError } from '../shared/errors.ts';
import type { SelfTestResult, SelfTestSpec } from '../shared/protocol.ts';
import type { GpuContext } from '../gpu/device.ts';
import { readFloat32, uploadStorage } from '../gpu/buffers.ts';
import { encodeMatmul } from '../gpu/kernels/matmul/matmul.ts';
import { matmulRef } from '../gpu/kernels/matmul/matmul.ref.ts';
import { maxAbsDiff, parityTolerance } from '../gpu/kernels/parity.ts';
import { tensorFromGpuBuffer, tfDevice } from '../models/tf.ts';
import type { JobContext } from './jobs.ts';

const MAX_DIM = 2048;

export function validateSelfTestSpec(spec: SelfTestSpec): void {
  for (const key of ['m', 'n', 'k'] as const) {
    const v = spec[key];
    if (!Number.isInteger(v) || v < 1 || v > MAX_DIM) {
      throw new TubeletError(
        'INVALID_ARGUMENT',
        `selftest: ${key} must be an integer in 1..${MAX_DIM}, got ${v}`,
      );
    }
  }
  if (!Number.isInteger(spec.seed))
    throw new TubeletError('INVALID_ARGUMENT', `selftest: seed must be an integer`);
}

export async function runSelfTest(
  gpu: GpuContext,
  spec: SelfTestSpec,
  job: JobContext,
): Promise<SelfTestResult> {
  validateSelfTestSpec(spec);
  const { device } = gpu;
  const { m, n, k, seed } = spec;
  const total = 4;
  const rng = new Rng(seed);
  const a = rng.float32(m * k);
  const b = rng.float32(k * n);

  job.progress('upload', 0, total);
  const aBuf = uploadStorage(device, 'selftest:a', a);
  const bBuf = uploadStorage(device, 'selftest:b', b);
  let cBuf: GPUBuffer | null = null;
  try {
    job.checkpoint();
    job.progress('gpu', 1, total);
    const t0 = performance.now();
    const encoder = device.createCommandEncoder({ label: 'selftest' });
    cBuf = encodeMatmul(device, encoder, aBuf, bBuf, { m, n, k });
    device.queue.submit([encoder.finish()]);
    const gpuOut = await readFloat32(device, cBuf, m * n * 4);
    const gpuMs = performance.now() - t0;

    job.checkpoint();
    job.progress('cpu', 2, total);
    const t1 = performance.now();
    const ref = matmulRef(a, b, m, n, k);
    const cpuMs = performance.now() - t1;
    const maxAbsError = maxAbsDiff(gpuOut, ref);
    const tolerance = parityTolerance(ref);

    job.checkpoint();
    job.progress('tfjs', 3, total);
    if (tfDevice() !== device) {
      throw new TubeletError('INTERNAL', 'TF.js is not running on the GPU device our kernels use.');
    }
    const viaTf = tensorFromGpuBuffer(cBuf, [m, n]);
    const tfOut = (await viaTf.data()) as Float32Array;
    viaTf.dispose();
    const tfMaxAbsError = maxAbsDiff(tfOut, ref);
    job.progress('done', total, total);

    const sample = gpuOut.slice(0, Math.min(8, gpuOut.length));
    const ok = maxAbsError <= tolerance && tfMaxAbsError <= tolerance;
    if (!ok)
      job.log(`GPU result differs from the CPU reference by ${maxAbsError} (tolerance ${tolerance})`, 'warn');
    return {
      ok,
      kernel: 'matmul_tiled16',
      shape: { m, n, k },
      seed,
      maxAbsError,
      tolerance,
      tfMaxAbsError,
      gpuMs,
      cpuMs,
      sample,
    };
  } finally {
    aBuf.destroy();
    bBuf.destroy();
    cBuf?.destroy();
  }
}
