// VideoMAE and MaskFeat losses, targets and gradients against PyTorch references written from the published
// equations (Debian /usr/bin/python3 torch + scikit-image at test time), on fixed seeded tiny clips, cpu backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../models/tf.ts';
import { Rng } from '../../shared/random.ts';
import { hogTokenTargets, maskfeatLoss, maskTokens } from './maskfeat.ts';
import { cubeMask, tubeMask } from './masking.ts';
import { toyClipBatch } from './testing/videomaePretrainClips.ts';
import { expectAllClose, runTorch } from './testing/torchRef.ts';
import { normalizedPixelTarget, videomaeLoss } from './videomaePretrain.ts';
import { gatherTokens, maskIndex } from './videomaePretrainNet.ts';

// VideoMAE engine_for_pretraining.py with normlize_target: tubes 'b c (t p0) (h p1) (w p2) -> b (t h w) (p0 p1 p2) c',
// per-channel (x − mean) / (unbiased std + 1e-6), flattened (p c); labels = masked tubes in raster order; MSE.
const VIDEOMAE_SCRIPT = String.raw`
import json, sys, torch
import torch.nn.functional as F
s = json.loads(sys.stdin.read())
N, T, S, p0, p = s['N'], s['T'], s['S'], s['tubelet'], s['patch']
x = torch.tensor(s['x'], dtype=torch.float64).reshape(N, T, S, S, 3).permute(0, 4, 1, 2, 3)
b, c = N, 3
v = x.reshape(b, c, T // p0, p0, S // p, p, S // p, p).permute(0, 2, 4, 6, 3, 5, 7, 1)
v = v.reshape(b, -1, p0 * p * p, c)
v = (v - v.mean(dim=-2, keepdim=True)) / (v.var(dim=-2, unbiased=True, keepdim=True).sqrt() + 1e-6)
target = v.reshape(b, v.shape[1], -1)
mask = torch.tensor(s['mask']).reshape(b, -1).bool()
labels = target[mask].reshape(b, -1, target.shape[-1])
pred = torch.tensor(s['pred'], dtype=torch.float64).reshape(labels.shape).requires_grad_(True)
loss = F.mse_loss(pred, labels)
loss.backward()
print(json.dumps({'target': target.flatten().tolist(), 'loss': loss.item(), 'grad': pred.grad.flatten().tolist()}))
`;

// MaskFeat (PySlowFast masked.py): HOG on frames ::tubelet, per channel skimage hog(9, (8,8), (1,1), 'L2') as
// HOGLayerC's [B, C, bins, h, w]; tokens regrouped by _get_hog_label_3d (flatten, permute, unfold, unfold, flatten);
// masked patch embeddings replaced by mask_token; linear pred head; MSE over the masked tokens only.
const MASKFEAT_SCRIPT = String.raw`
import json, sys, numpy as np, torch
from skimage.feature import hog
s = json.loads(sys.stdin.read())
N, T, S, p0, p, C, D = s['N'], s['T'], s['S'], s['tubelet'], s['patch'], s['C'], s['D']
x = np.asarray(s['x'], dtype=np.float32).reshape(N, T, S, S, 3)[:, ::p0]
def hog_chw(img):
    per = [hog(np.ascontiguousarray(img[:, :, ch]), orientations=9, pixels_per_cell=(8, 8), cells_per_block=(1, 1),
               block_norm='L2', feature_vector=False)[:, :, 0, 0, :] for ch in range(3)]
    return np.stack(per, 0).transpose(0, 3, 1, 2)  # C, bins, h, w
h = torch.tensor(np.stack([hog_chw(f) for f in x.reshape(-1, S, S, 3)], 0), dtype=torch.float64)
u = p // 8
tmp = h.flatten(1, 2).permute(0, 2, 3, 1).unfold(1, u, u).unfold(2, u, u).flatten(1, 2).flatten(2)
target = tmp.reshape(N, -1, tmp.shape[-1])
L = target.shape[1]
mask = torch.tensor(s['mask']).reshape(N, L).bool()
P = lambda k, shape: torch.tensor(s[k], dtype=torch.float64).reshape(shape).requires_grad_(True)
tokens, tok, w, bias = P('tokens', (N, L, C)), P('tok', (C,)), P('w', (C, D)), P('b', (D,))
m = mask.double().unsqueeze(-1)
pred = (tokens * (1 - m) + tok * m) @ w + bias
loss = torch.nn.functional.mse_loss(pred[mask], target[mask])
loss.backward()
print(json.dumps({'masked_target': target[mask].flatten().tolist(), 'loss': loss.item(),
                  'g': {k: t.grad.flatten().tolist() for k, t in [('tokens', tokens), ('tok', tok), ('w', w), ('b', bias)]}}))
`;

const flatMasks = (masks: readonly Uint8Array[]): number[] => masks.flatMap((m) => Array.from(m));

describe('masked pretraining losses vs PyTorch', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('VideoMAE: normalised-pixel target, masked-token MSE and its gradient within 1e-4', async () => {
    const [N, T, S, tubelet, patch] = [2, 4, 16, 2, 8];
    const grid = { t: T / tubelet, h: S / patch, w: S / patch };
    const L = grid.t * grid.h * grid.w;
    const D = 3 * tubelet * patch * patch;
    const x = toyClipBatch(N, T, S, 51); // default per-frame noise: no tube is flat
    const masks = [tubeMask(grid, 0.5, new Rng(1)), tubeMask(grid, 0.5, new Rng(2))];
    expect(masks[0]).not.toEqual(masks[1]);
    const idx = maskIndex(masks, L);
    const pred = Array.from(new Rng(3).float32(N * idx.nMasked * D, -1, 1));
    const ref = await runTorch<{ target: number[]; loss: number; grad: number[] }>(VIDEOMAE_SCRIPT, {
      N,
      T,
      S,
      tubelet,
      patch,
      x: Array.from(x.dataSync()),
      mask: flatMasks(masks),
      pred,
    });
    const target = normalizedPixelTarget(x, tubelet, patch);
    expect(target.shape).toEqual([N, L, D]);
    expectAllClose(target.dataSync(), ref.target, 1e-4, 'target');
    const p = tf.tensor3d(pred, [N, idx.nMasked, D]);
    const loss = videomaeLoss(p, target, idx);
    const grad = tf.grad((q: tf.Tensor) => videomaeLoss(q as tf.Tensor3D, target, idx))(p);
    expectAllClose(loss.dataSync(), [ref.loss], 1e-4, 'loss');
    expectAllClose(grad.dataSync(), ref.grad, 1e-4, 'dL/dpred');
    expect(ref.loss).toBeGreaterThan(0.1);
    tf.dispose([x, target, p, loss, grad]);
  });

  it('MaskFeat: HOG targets on masked tokens (skimage), masked MSE and gradients of mask token / head within 1e-4', async () => {
    const [N, T, S, tubelet, patch, C] = [2, 4, 32, 2, 16, 6];
    const grid = { t: T / tubelet, h: S / patch, w: S / patch };
    const L = grid.t * grid.h * grid.w;
    const D = 3 * 9 * (patch / 8) ** 2; // 108: 2×2 cells × 3 channels × 9 bins, as PySlowFast at 16-px tokens
    const x = toyClipBatch(N, T, S, 52);
    const masks = [cubeMask(grid, 0.4, new Rng(4)).mask, cubeMask(grid, 0.4, new Rng(5)).mask];
    const m = flatMasks(masks);
    const nMasked = m.reduce((a, b) => a + b, 0);
    expect(nMasked).toBeGreaterThan(0);
    expect(nMasked).toBeLessThan(N * L);
    const rng = new Rng(6);
    const vals = (n: number): number[] => Array.from(rng.float32(n, -0.5, 0.5));
    const spec = { tokens: vals(N * L * C), tok: vals(C), w: vals(C * D), b: vals(D) };
    const ref = await runTorch<{ masked_target: number[]; loss: number; g: Record<string, number[]> }>(
      MASKFEAT_SCRIPT,
      { N, T, S, tubelet, patch, C, D, x: Array.from(x.dataSync()), mask: m, ...spec },
    );
    const target = hogTokenTargets(x, tubelet, patch);
    expect(target.shape).toEqual([N, L, D]);
    const maskedRows = Int32Array.from(m.flatMap((v, i) => (v ? [i] : [])));
    const gathered = tf.gather(tf.reshape(target, [N * L, D]), tf.tensor1d(maskedRows, 'int32'));
    expectAllClose(gathered.dataSync(), ref.masked_target, 1e-4, 'HOG targets at masked tokens');
    // the targets are real HOG: non-negative, L2-unit 9-bin cells wherever the patch has gradients
    expect(Math.min(...gathered.dataSync())).toBeGreaterThanOrEqual(0);
    expect(Math.max(...gathered.dataSync())).toBeGreaterThan(0.3);

    const maskT = tf.tensor2d(m, [N, L]);
    const f = (tokens: tf.Tensor, tok: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Scalar => {
      const z = maskTokens(tokens as tf.Tensor3D, tf.reshape<tf.Rank.R3>(tok, [1, 1, C]), maskT);
      const pred = tf.add(tf.reshape(tf.matMul(tf.reshape(z, [N * L, C]), w as tf.Tensor2D), [N, L, D]), b);
      return maskfeatLoss(pred as tf.Tensor3D, target, maskT);
    };
    const inputs = [
      tf.tensor3d(spec.tokens, [N, L, C]),
      tf.tensor1d(spec.tok),
      tf.tensor2d(spec.w, [C, D]),
      tf.tensor1d(spec.b),
    ] as const;
    const loss = f(...inputs);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => f(a, b, c, d))([
      ...inputs,
    ]);
    expectAllClose(loss.dataSync(), [ref.loss], 1e-4, 'loss');
    ['tokens', 'tok', 'w', 'b'].forEach((k, i) => {
      expectAllClose(grads[i]?.dataSync() ?? [], ref.g[k] ?? [], 1e-4, `dL/d${k}`);
    });
    // masked tokens are replaced and unmasked predictions are not scored: no gradient reaches the patch tokens
    expect(Math.max(...(grads[0]?.dataSync() ?? [1]).map(Math.abs))).toBe(0);
    expect(Math.max(...(grads[1]?.dataSync() ?? [0]).map(Math.abs))).toBeGreaterThan(1e-4);
    tf.dispose([x, target, gathered, maskT, loss, ...inputs, ...grads]);
  });

  it('gatherTokens picks rows in the mask index order (decoder outputs align with raster-order labels)', () => {
    const z = tf.tensor3d(
      Array.from({ length: 2 * 4 * 1 }, (_, i) => i),
      [2, 4, 1],
    );
    const idx = maskIndex([new Uint8Array([0, 1, 0, 1]), new Uint8Array([1, 1, 0, 0])], 4);
    expect(Array.from(gatherTokens(z, idx.masked, 2).dataSync())).toEqual([1, 3, 4, 5]);
    expect(Array.from(gatherTokens(z, idx.visible, 2).dataSync())).toEqual([0, 2, 6, 7]);
    z.dispose();
  });
});
