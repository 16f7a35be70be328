// fusedAttention on TF.js's webgpu backend (our WGSL kernels on the shared device) against the CPU reference and
// against composedAttention on the same backend: forward and dq, dk, dv over the required L × d × mask matrix.
// Runs in Chromium on the real adapter (SwiftShader in CI); fails, never skips, without one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, releaseGpu } from '../../gpu/device.ts';
import { initTf, tf } from '../tf.ts';
import { maxAbsDiff, parityTolerance } from '../../gpu/kernels/parity.ts';
import { attentionBackwardRef, attentionForwardRef } from '../../gpu/kernels/attention/attention.ref.ts';
import { randomMask } from '../../gpu/kernels/attention/testing.ts';
import { composedAttention, fusedAttention, type AttentionOpOptions } from './attention.ts';
import { disposeInputs, opInputs, valueAndGrads, type OpInputs } from './attentionTesting.ts';

const NAMES = ['o', 'dq', 'dk', 'dv'];

function expectClose(got: Float32Array[], want: Float32Array[], what: string): void {
  NAMES.forEach((name, i) => {
    const g = got[i] ?? new Float32Array();
    const w = want[i] ?? new Float32Array();
    expect(maxAbsDiff(g, w), `${name} vs ${what}`).toBeLessThanOrEqual(parityTolerance(w));
  });
}

async function reference(
  x: OpInputs,
  mask: Float32Array | null,
  opts: AttentionOpOptions,
): Promise<Float32Array[]> {
  const [b, h, lq, d] = x.q.shape;
  const lk = x.k.shape[2];
  const [q, k, v, dy] = (await Promise.all([x.q.data(), x.k.data(), x.v.data(), x.dy.data()])).map((a) =>
    Float32Array.from(a),
  );
  if (!q || !k || !v || !dy) throw new Error('missing inputs');
  const dims = { bh: b * h, lq, lk, d, seqPerBatch: h };
  const refOpts = {
    scale: opts.scale ?? 1 / Math.sqrt(d),
    mask,
    keyLengths: opts.keyPaddingMask ?? null,
    dropout: opts.dropout ?? null,
  };
  const { o } = attentionForwardRef(q, k, v, dims, refOpts);
  const g = attentionBackwardRef(q, k, v, dy, dims, refOpts);
  return [o, g.dq, g.dk, g.dv];
}

describe('fusedAttention on webgpu', () => {
  beforeAll(async () => {
    const { device, adapter } = await acquireGpu();
    await initTf(device, adapter.info);
  });
  afterAll(releaseGpu);

  it('runs on the webgpu backend of our device', () => {
    expect(tf.getBackend()).toBe('webgpu');
  });

  const cases: [number, number, 32 | 64 | 96 | 128][] = [];
  for (const l of [1, 7, 8, 196, 197]) for (const d of [32, 64, 96] as const) cases.push([l, l, d]);
  cases.push([197, 197, 128], [20, 45, 64]);
  for (const [lq, lk, d] of cases) {
    for (const masked of [false, true]) {
      if (d === 128 && masked) continue;
      it(`matches the reference and composedAttention: lq=${lq} lk=${lk} d=${d}${masked ? ' masked' : ''}`, async () => {
        const [b, h] = lq >= 100 ? [1, 2] : [2, 2];
        const x = opInputs(lq * 31 + d, b, h, lq, lk, d);
        const maskValues = masked ? randomMask(lq + d, lq, lk) : null;
        const mask = maskValues ? tf.tensor2d(maskValues, [lq, lk]) : null;
        const opts: AttentionOpOptions = mask ? { mask } : {};
        try {
          const fused = await valueAndGrads(fusedAttention, x, opts);
          expectClose(fused, await reference(x, maskValues, opts), 'CPU reference');
          expectClose(fused, await valueAndGrads(composedAttention, x, opts), 'composedAttention');
        } finally {
          mask?.dispose();
          disposeInputs(x);
        }
      });
    }
  }

  it('handles key padding (including a batch with no keys) like the reference', async () => {
    const x = opInputs(5, 3, 2, 9, 9, 64);
    const opts: AttentionOpOptions = { keyPaddingMask: [9, 3, 0] };
    try {
      const fused = await valueAndGrads(fusedAttention, x, opts);
      expectClose(fused, await reference(x, null, opts), 'CPU reference');
      expectClose(fused, await valueAndGrads(composedAttention, x, opts), 'composedAttention');
    } finally {
      disposeInputs(x);
    }
  });

  it('L = 1568 (joint attention length), d = 32, one sequence: forward and gradients match the reference', async () => {
    const x = opInputs(1568, 1, 1, 1568, 1568, 32);
    try {
      expectClose(await valueAndGrads(fusedAttention, x), await reference(x, null, {}), 'CPU reference');
    } finally {
      disposeInputs(x);
    }
  });

  it('leaks no tensors over 50 forward + backward steps', async () => {
    const x = opInputs(50, 1, 2, 8, 8, 32);
    const mask = tf.zeros<tf.Rank.R2>([8, 8]);
    try {
      await valueAndGrads(fusedAttention, x, { mask });
      const before = tf.memory().numTensors;
      for (let step = 0; step < 50; step++) {
        await valueAndGrads(fusedAttention, x, { mask, dropout: { rate: 0.1, seed: step } });
      }
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      mask.dispose();
      disposeInputs(x);
    }
  });
});
