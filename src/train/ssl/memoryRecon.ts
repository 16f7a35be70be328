// FGKVMemPred's fine-grained key-value memory predictor (`MemoryRecon`) and its loss terms, as pure TF.js math on
// explicit parameter tensors (compute worker). Every einsum is a matMul, so each term has gradients.
import { tf } from '../../models/tf.ts';
import { byolSimLoss } from './byol.ts';

/** PySlowFast MLPHead with 2 layers and BN: Linear(no bias) → BatchNorm1d (batch stats) → ReLU → Linear(+bias).
 *  Weights in TF layout [in,out]. */
export interface BnMlpParams {
  readonly w1: tf.Tensor2D;
  readonly gamma: tf.Tensor1D;
  readonly beta: tf.Tensor1D;
  readonly w2: tf.Tensor2D;
  readonly b2: tf.Tensor1D;
}

/** x: f32[B,in] → f32[B,out]; BN in training mode (biased batch variance, eps 1e-5). */
export function bnMlp(x: tf.Tensor2D, p: BnMlpParams, eps = 1e-5): tf.Tensor2D {
  return tf.tidy(() => {
    const h = tf.matMul(x, p.w1);
    const { mean, variance } = tf.moments(h, 0, true);
    const n = tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, eps))), p.gamma);
    return tf.add(tf.matMul(tf.relu(tf.add(n, p.beta)), p.w2), p.b2);
  });
}

export interface MemoryReconParams {
  /** in_proj_cross: query projection 256 → 256 → nHead·256 */
  readonly inProj: BnMlpParams;
  /** cross_key.weight_v, f32[nSlot, dQuery] (rows L2-normalised at use: weight norm with g ≡ 1) */
  readonly crossKey: tf.Tensor2D;
  /** cross_mem values, f32[nSlot, dValue] */
  readonly crossMem: tf.Tensor2D;
  /** source_key / target_key, TF layout f32[dIn, nConcept] */
  readonly sourceKey: tf.Tensor2D;
  readonly targetKey: tf.Tensor2D;
  /** source_recon / target_recon ('mlp_v1'): nConcept → recon → recon */
  readonly sourceRecon: BnMlpParams;
  readonly targetRecon: BnMlpParams;
}

export interface MemoryReconOptions {
  readonly radius: number; // softmax temperature 1/radius on the cross-memory cosine similarity
  readonly nHead: number;
  readonly addressType: 'dot' | 'cosine'; // of the source/target concept keys
  readonly dinoTempS: number;
  readonly dinoTempT: number;
  readonly byolTemperature: number; // CONTRASTIVE.T
  readonly lossSourceRecon: number;
  readonly lossTargetRecon: number;
  readonly lossKl: number;
  /** sparse addressing: keep the k largest similarities per (row, head) before the softmax; absent = dense */
  readonly topK?: number;
}

export interface MemoryReconTerms {
  /** the prediction p, f32[B, nHead·dValue] */
  readonly prediction: tf.Tensor2D;
  /** cross-memory address softmax(radius·cos), f32[B, nHead, nSlot/nHead] (usage statistics) */
  readonly address: tf.Tensor3D;
  readonly byol: tf.Scalar;
  readonly sourceRecon: tf.Scalar;
  readonly targetRecon: tf.Scalar;
  readonly kl: tf.Scalar;
  /** byol + wSrc·sourceRecon + wTar·targetRecon + wKl·kl */
  readonly total: tf.Scalar;
  /** raw target concept similarities s_tar, f32[B, nConcept]: feed to `updateCenter` after the step */
  readonly targetSim: tf.Tensor2D;
}

const l2rows = (x: tf.Tensor, axis: number): tf.Tensor =>
  tf.div(x, tf.maximum(tf.norm(x, 2, axis, true), 1e-12));

/** Σ_b |1 − cos(pred_b, tgt_b)| / tgt.numel() (RECON_LOSS_TYPE cosine, AVERAGE_DIM −1); tgt is detached. */
export function cosineReconLoss(pred: tf.Tensor2D, tgt: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const cos = tf.sum(tf.mul(l2rows(pred, 1), l2rows(tgt, 1)), 1);
    return tf.div(tf.sum(tf.abs(tf.sub(1, cos))), tgt.size);
  });
}

/** Identity forward, zero gradient (torch's .detach()). */
export const detach = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0];
  if (!(x instanceof tf.Tensor)) throw new Error('detach: expected a tensor');
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as <T extends tf.Tensor>(x: T) => T;

/** 0/1 mask of the k largest entries along the last axis of x f32[..., S] (ties at the k-th value kept); no gradient.
 *  Computed inside a customGrad forward, so the non-differentiable topk never enters the gradient tape. */
export function topKMask<T extends tf.Tensor>(x: T, k: number): T {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const v = args[0];
    if (!(v instanceof tf.Tensor)) throw new Error('topKMask: expected a tensor');
    const last = v.shape[v.shape.length - 1] ?? 0;
    const kk = Math.min(Math.max(1, Math.floor(k)), last);
    const kth = tf.slice(
      tf.topk(v, kk).values,
      new Array<number>(v.rank).fill(0).map((_, i) => (i === v.rank - 1 ? kk - 1 : 0)),
      [...v.shape.slice(0, -1), 1],
    );
    return {
      value: tf.cast(tf.greaterEqual(v, kth), 'float32'),
      gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
    };
  });
  return f(x) as T;
}

/** DINO cross-entropy: mean_b −Σ softmax((teacher − center)/τt)·log_softmax(student/τs); teacher side constant. */
export function dinoLoss(
  student: tf.Tensor2D,
  teacher: tf.Tensor2D,
  center: tf.Tensor2D,
  tempS: number,
  tempT: number,
): tf.Scalar {
  return tf.tidy(() => {
    const t = detach(tf.softmax(tf.div(tf.sub(teacher, center), tempT)));
    const logS = tf.logSoftmax(tf.div(student, tempS));
    return tf.mean(tf.neg(tf.sum(tf.mul(t, logS), 1)));
  });
}

/** center ← m·center + (1−m)·mean_b(teacher), in place (the DINOLoss buffer; m 0.9). */
export function updateCenter(center: tf.Variable, teacher: tf.Tensor2D, momentum = 0.9): void {
  center.assign(
    tf.tidy(() => tf.add(tf.mul(center, momentum), tf.mul(tf.mean(teacher, 0, true), 1 - momentum))),
  );
}

/**
 * One MemoryRecon forward for the online clip: source x f32[B,256] (online projection), target z′ f32[B,256]
 * (target projection of the other clip, constant), feat / featTarget f32[B,512] (pooled online / target backbone
 * maps, constant), center f32[1,nConcept]. Returns the prediction, every loss term and the weighted total.
 */
export function memoryRecon(
  source: tf.Tensor2D,
  target: tf.Tensor2D,
  feat: tf.Tensor2D,
  featTarget: tf.Tensor2D,
  center: tf.Tensor2D,
  p: MemoryReconParams,
  o: MemoryReconOptions,
): MemoryReconTerms {
  return tf.tidy(() => {
    const [b] = source.shape;
    const [nSlot, dq] = p.crossKey.shape;
    const dv = p.crossMem.shape[1];
    const h = o.nHead;
    // query [h,B,dq] · keys [h,S/h,dq]ᵀ → [h,B,S/h] (einsum bhd,hsd->bhs)
    const q = l2rows(tf.transpose(tf.reshape(bnMlp(source, p.inProj), [b, h, dq]), [1, 0, 2]), 2);
    const k = l2rows(tf.reshape(p.crossKey, [h, nSlot / h, dq]), 2);
    const sim = tf.matMul(q, k, false, true);
    const logits = tf.mul<tf.Tensor3D>(sim, o.radius);
    // sparse top-k: non-selected slots get −1e9 so their softmax weight is exactly 0 (k = S is the dense path)
    const address =
      o.topK === undefined
        ? tf.softmax<tf.Tensor3D>(logits)
        : tf.softmax<tf.Tensor3D>(tf.add<tf.Tensor3D>(logits, tf.mul(tf.sub(topKMask(sim, o.topK), 1), 1e9)));
    const values = tf.reshape(p.crossMem, [h, nSlot / h, dv]);
    const read = tf.matMul(address, values); // [h,B,dv] (einsum bhs,hsd->bhd)
    const prediction = tf.reshape<tf.Rank.R2>(tf.transpose(read, [1, 0, 2]), [b, h * dv]);
    const addressBHS = tf.transpose<tf.Tensor3D>(address, [1, 0, 2]);

    const concept = (x: tf.Tensor2D, key: tf.Tensor2D): tf.Tensor2D =>
      o.addressType === 'cosine' ? tf.matMul(l2rows(x, 1), l2rows(key, 0)) : tf.matMul(x, key);
    const targetSim = concept(target, p.targetKey);
    const sourceSim = concept(source, p.sourceKey);
    const targetRecon = cosineReconLoss(bnMlp(targetSim, p.targetRecon), featTarget);
    const sourceRecon = cosineReconLoss(bnMlp(sourceSim, p.sourceRecon), feat);
    const kl = dinoLoss(sourceSim, targetSim, center, o.dinoTempS, o.dinoTempT);
    const byol = byolSimLoss(prediction, target, o.byolTemperature);
    const total = tf.addN<tf.Scalar>([
      byol,
      tf.mul(sourceRecon, o.lossSourceRecon),
      tf.mul(targetRecon, o.lossTargetRecon),
      tf.mul(kl, o.lossKl),
    ]);
    return { prediction, address: addressBHS, byol, sourceRecon, targetRecon, kl, total, targetSim };
  });
}
