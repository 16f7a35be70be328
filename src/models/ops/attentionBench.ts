// Benchmark cases for fused attention (compute worker, TF.js webgpu backend already initialised): ours
// (fusedAttention) vs stock (composedAttention: matMul + softmax + matMul), forward and forward+backward.
// Shapes follow divided space-time attention: L = 8 (temporal), 196/197 (spatial, ± class token), 1568 (joint,
// hardware adapters only). The interfaces mirror src/bench/harness.ts (BenchCase, PreparedCase) structurally.
import { tf } from '../tf.ts';
import { maxAbsDiff } from '../../gpu/kernels/parity.ts';
import { Rng } from '../../shared/random.ts';
import { composedAttention, fusedAttention } from './attention.ts';

export interface AttentionPreparedCase {
  readonly ours: () => void;
  readonly stock: (() => void) | null;
  readonly maxError: () => Promise<number>;
  readonly dispose: () => void;
}

export interface AttentionBenchCase {
  readonly op: string;
  readonly shape: string;
  /** Nominal FLOPs: forward 4·BH·L²·d (QKᵀ and PV); forward + backward 12·BH·L²·d (+ dV, dP, dQ, dK). */
  readonly flops: number;
  readonly prepare: () => Promise<AttentionPreparedCase>;
}

type Attention = typeof fusedAttention;

export function attentionCase(
  kind: 'fwd' | 'bwd',
  batch: number,
  heads: number,
  l: number,
  d: number,
): AttentionBenchCase {
  const bh = batch * heads;
  return {
    op: `attention_${kind}`,
    shape: `${batch}x${heads}x${l}x${d}`,
    flops: (kind === 'fwd' ? 4 : 12) * bh * l * l * d,
    prepare: () => {
      const rng = new Rng(l * 100 + d);
      const make = (): tf.Tensor4D => tf.tensor4d(rng.float32(bh * l * d), [batch, heads, l, d]);
      const [q, k, v, dy] = [make(), make(), make(), make()];
      /** Output, or for 'bwd' the gradients with respect to q, k, v of Σ(o ∘ dy). */
      const run = (f: Attention): tf.Tensor[] =>
        kind === 'fwd'
          ? [f(q, k, v)]
          : tf.grads((a, b, c) =>
              f(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D)
                .mul(dy)
                .sum(),
            )([q, k, v]);
      const enqueue = (f: Attention) => (): void => {
        tf.dispose(run(f));
      };
      return Promise.resolve({
        ours: enqueue(fusedAttention),
        stock: enqueue(composedAttention),
        maxError: async () => {
          const [a, b] = [run(fusedAttention), run(composedAttention)];
          let err = 0;
          for (const [i, t] of a.entries()) {
            const u = b[i];
            if (u) err = Math.max(err, maxAbsDiff(await t.data(), await u.data()));
          }
          tf.dispose([...a, ...b]);
          return err;
        },
        dispose: () => {
          tf.dispose([q, k, v, dy]);
        },
      });
    },
  };
}

/**
 * Hardware adapter: batch·heads = 24 (2 clips × 12 heads), d = 64 at L = 8, 196, 197 and 1568.
 * Software adapter (SwiftShader, ~1 GFLOP/s): batch·heads = 4 at L = 8, 196 and 197 (no 1568).
 */
export function attentionBenchCases(options: { readonly hardware: boolean }): AttentionBenchCase[] {
  const [batch, heads] = options.hardware ? [2, 12] : [1, 4];
  const lengths = options.hardware ? [8, 196, 197, 1568] : [8, 196, 197];
  return (['fwd', 'bwd'] as const).flatMap((kind) =>
    lengths.map((l) => attentionCase(kind, batch, heads, l, 64)),
  );
}
