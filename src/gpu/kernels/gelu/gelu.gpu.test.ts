// Parity of the GELU WGSL passes (erf and tanh forms, forward and backward) with the f64 CPU references on
// seeded inputs including large magnitudes, on the browser's real WebGPU adapter (fails, never skips, without one).
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../device.ts';
import { readFloat32, uploadStorage } from '../../buffers.ts';
import { Rng } from '../../../shared/random.ts';
import { maxAbsDiff, parityTolerance } from '../parity.ts';
import { encodeGeluBackward, encodeGeluForward, type GeluApproximate } from './gelu.ts';
import { geluBackwardRef, geluForwardRef } from './gelu.ref.ts';

const SPECIAL = [0, -0, 1e-8, -1e-8, 3, -3, 9.5, -9.5, 12, -12, 40, -40, 1e4, -1e4];

function values(size: number, seed: number): { x: Float32Array; dy: Float32Array } {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: size }, (_, i) =>
    i < SPECIAL.length ? (SPECIAL[i] ?? 0) : 2.5 * rng.normal(),
  );
  return { x, dy: Float32Array.from({ length: size }, () => rng.normal()) };
}

async function check(size: number, approximate: GeluApproximate): Promise<void> {
  const { device } = await acquireGpu();
  const v = values(size, size + (approximate === 'tanh' ? 1 : 0));
  const x = uploadStorage(device, 'test:gelu:x', v.x);
  const dy = uploadStorage(device, 'test:gelu:dy', v.dy);
  device.pushErrorScope('validation');
  const encoder = device.createCommandEncoder({ label: 'test:gelu' });
  const fwd = encodeGeluForward(device, encoder, x, size, { approximate });
  const bwd = encodeGeluBackward(device, encoder, x, dy, size, { approximate });
  device.queue.submit([encoder.finish()]);
  for (const t of [...fwd.temporaries, ...bwd.temporaries]) t.destroy();
  expect((await device.popErrorScope())?.message).toBeUndefined();
  const y = await readFloat32(device, fwd.output, size * 4);
  const dx = await readFloat32(device, bwd.output, size * 4);
  for (const b of [x, dy, fwd.output, bwd.output]) b.destroy();
  const yRef = geluForwardRef(v.x, approximate);
  const dxRef = geluBackwardRef(v.x, v.dy, approximate);
  // the project tolerance, separately on the special values (huge |x| would dominate max|ref|) and the rest
  for (const [what, from, to] of [
    ['special x', 0, SPECIAL.length],
    ['random x', SPECIAL.length, size],
  ] as const) {
    const [ys, ysRef] = [y.subarray(from, to), yRef.subarray(from, to)];
    const [dxs, dxsRef] = [dx.subarray(from, to), dxRef.subarray(from, to)];
    expect(maxAbsDiff(ys, ysRef), `y of ${what}`).toBeLessThanOrEqual(parityTolerance(ysRef));
    expect(maxAbsDiff(dxs, dxsRef), `dx of ${what}`).toBeLessThanOrEqual(parityTolerance(dxsRef));
  }
  // and elementwise: the erf approximation (|err| ≤ 1.5e-7) keeps every value within 1e-6·(1 + |x|)
  for (let i = 0; i < size; i++) {
    const bound = 1e-6 * (1 + Math.abs(v.x[i] ?? 0));
    if (
      Math.abs((y[i] ?? 0) - (yRef[i] ?? 0)) > bound ||
      Math.abs((dx[i] ?? 0) - (dxRef[i] ?? 0)) > 4 * bound
    ) {
      expect.fail(`element ${i}: x=${v.x[i]} y=${y[i]} (ref ${yRef[i]}) dx=${dx[i]} (ref ${dxRef[i]})`);
    }
  }
}

describe('gelu (WGSL)', () => {
  afterAll(releaseGpu);

  it('has a WebGPU adapter (fails, never skips, without one)', async () => {
    const { info } = await acquireGpu();
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  for (const approximate of ['none', 'tanh'] as const) {
    for (const size of [14, 1023, 4099, 200_000]) {
      it(`matches the reference: ${size} elements, approximate=${approximate}`, async () => {
        await check(size, approximate);
      });
    }
  }
});
