// MemoryRecon (FGKVMemPred) loss terms and gradients against a PyTorch float64 reference written from the published
// equations (Debian /usr/bin/python3 torch at test time), on seeded tiny tensors, cpu backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../models/tf.ts';
import { Rng } from '../../shared/random.ts';
import { memoryRecon, updateCenter, type BnMlpParams, type MemoryReconParams } from './memoryRecon.ts';
import { expectAllClose, runTorch } from './testing/torchRef.ts';

const TORCH_SCRIPT = String.raw`
import json, sys, torch
import torch.nn.functional as F
s = json.loads(sys.stdin.read())
T = lambda k, g=True: torch.tensor(s[k]['v'], dtype=torch.float64).reshape(s[k]['shape']).requires_grad_(g)
P = {k: T(k) for k in s['params']}
x, z, feat, feat_t, center = T('source'), T('target', False), T('feat', False), T('featTarget', False), T('center', False)
o = s['opts']
def mlp(v, pre):
    h = v @ P[pre + '.w1']
    h = F.batch_norm(h, None, None, P[pre + '.gamma'], P[pre + '.beta'], training=True, eps=1e-5)
    return F.relu(h) @ P[pre + '.w2'] + P[pre + '.b2']
B, H = x.shape[0], o['nHead']
S, D = P['crossKey'].shape
q = F.normalize(mlp(x, 'inProj').view(B, H, D), dim=2)
k = F.normalize(P['crossKey'].view(H, S // H, D), dim=2)
addr = torch.softmax(o['radius'] * torch.einsum('bhd,hsd->bhs', q, k), -1)
pred = torch.einsum('bhs,hsd->bhd', addr, P['crossMem'].view(H, S // H, -1)).reshape(B, -1)
def concept(v, key):
    if o['addressType'] == 'cosine':
        return F.normalize(v, dim=-1) @ F.normalize(key, dim=0)
    return v @ key
s_tar, s_src = concept(z, P['targetKey']), concept(x, P['sourceKey'])
def recon(p, t):
    return torch.abs(1 - F.cosine_similarity(p, t, 1)).sum() / t.numel()
l_tar = recon(mlp(s_tar, 'targetRecon'), feat_t)
l_src = recon(mlp(s_src, 'sourceRecon'), feat)
teacher = F.softmax((s_tar - center) / o['dinoTempT'], dim=-1).detach()
l_kl = torch.sum(-teacher * F.log_softmax(s_src / o['dinoTempS'], dim=-1), dim=-1).mean()
l_byol = -(F.normalize(pred, dim=1) * F.normalize(z, dim=1)).sum(1).mean() / o['byolTemperature']
total = l_byol + o['lossSourceRecon'] * l_src + o['lossTargetRecon'] * l_tar + o['lossKl'] * l_kl
total.backward()
new_center = 0.9 * center + 0.1 * s_tar.detach().mean(0, keepdim=True)
out = {'byol': l_byol.item(), 'src': l_src.item(), 'tar': l_tar.item(), 'kl': l_kl.item(), 'total': total.item(),
       'pred': pred.detach().flatten().tolist(), 'center': new_center.flatten().tolist(),
       'grads': {k: P[k].grad.flatten().tolist() for k in s['params']},
       'gsource': x.grad.flatten().tolist()}
print(json.dumps(out))
`;

interface Ref {
  byol: number;
  src: number;
  tar: number;
  kl: number;
  total: number;
  pred: number[];
  center: number[];
  grads: Record<string, number[]>;
  gsource: number[];
}

const [B, D, S, C, R] = [6, 8, 16, 12, 5]; // batch, projection dim, slots, concepts, recon dim

describe('MemoryRecon (FGKV memory predictor)', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(['dot', 'cosine'] as const)(
    '%s addressing: every loss term and its gradients equal the PyTorch reference within 1e-4',
    async (addressType) => {
      const rng = new Rng(addressType === 'dot' ? 150 : 151);
      const specs: Record<string, { v: number[]; shape: number[] }> = {};
      const make = (name: string, shape: number[], scale = 1): tf.Tensor => {
        const v = Array.from(
          rng.float32(
            shape.reduce((a, b) => a * b, 1),
            -scale,
            scale,
          ),
        );
        specs[name] = { v, shape };
        return tf.tensor(v, shape);
      };
      const mlp = (pre: string, i: number, m: number, out: number): BnMlpParams => ({
        w1: make(`${pre}.w1`, [i, m], 0.6) as tf.Tensor2D,
        gamma: make(`${pre}.gamma`, [m], 1.5) as tf.Tensor1D,
        beta: make(`${pre}.beta`, [m], 0.5) as tf.Tensor1D,
        w2: make(`${pre}.w2`, [m, out], 0.6) as tf.Tensor2D,
        b2: make(`${pre}.b2`, [out], 0.2) as tf.Tensor1D,
      });
      const p: MemoryReconParams = {
        inProj: mlp('inProj', D, D, 2 * D), // nHead 2: query 2·D, values D/2 so p is D-dim
        crossKey: make('crossKey', [S, D]) as tf.Tensor2D,
        crossMem: make('crossMem', [S, D / 2]) as tf.Tensor2D,
        sourceKey: make('sourceKey', [D, C], 0.3) as tf.Tensor2D,
        targetKey: make('targetKey', [D, C], 0.3) as tf.Tensor2D,
        sourceRecon: mlp('sourceRecon', C, R, R),
        targetRecon: mlp('targetRecon', C, R, R),
      };
      const paramNames = Object.keys(specs);
      const source = make('source', [B, D]) as tf.Tensor2D;
      const target = make('target', [B, D]) as tf.Tensor2D;
      const feat = make('feat', [B, R]) as tf.Tensor2D;
      const featTarget = make('featTarget', [B, R]) as tf.Tensor2D;
      const center = make('center', [1, C], 0.1) as tf.Tensor2D;
      const opts = {
        radius: 16,
        nHead: 2,
        addressType,
        dinoTempS: 0.05,
        dinoTempT: 0.05,
        byolTemperature: 0.5,
        lossSourceRecon: 0.1,
        lossTargetRecon: 0.1,
        lossKl: 0.01,
      };
      const ref = await runTorch<Ref>(TORCH_SCRIPT, { ...specs, params: paramNames, opts });

      const terms = memoryRecon(source, target, feat, featTarget, center, p, opts);
      expectAllClose(terms.byol.dataSync(), [ref.byol], 1e-4, 'byol');
      expectAllClose(terms.sourceRecon.dataSync(), [ref.src], 1e-4, 'source recon');
      expectAllClose(terms.targetRecon.dataSync(), [ref.tar], 1e-4, 'target recon');
      expectAllClose(terms.kl.dataSync(), [ref.kl], 1e-4, 'kl');
      expectAllClose(terms.total.dataSync(), [ref.total], 1e-4, 'total');
      expectAllClose(terms.prediction.dataSync(), ref.pred, 1e-4, 'prediction');
      expect(terms.address.shape).toEqual([B, 2, S / 2]);
      // the recon and KL terms are not negligible here, so their gradients are exercised
      expect(Math.abs(ref.kl) * 0.01 + ref.src * 0.1).toBeGreaterThan(1e-3);

      // gradients of the total w.r.t. every parameter and the source projection
      const flat = (q: MemoryReconParams): tf.Tensor[] => [
        ...[q.inProj, q.sourceRecon, q.targetRecon].flatMap((m) => [m.w1, m.gamma, m.beta, m.w2, m.b2]),
        q.crossKey,
        q.crossMem,
        q.sourceKey,
        q.targetKey,
      ];
      const order = [
        ...['inProj', 'sourceRecon', 'targetRecon'].flatMap((m) =>
          ['w1', 'gamma', 'beta', 'w2', 'b2'].map((k) => `${m}.${k}`),
        ),
        'crossKey',
        'crossMem',
        'sourceKey',
        'targetKey',
      ];
      const asMlp = (t: tf.Tensor[], i: number): BnMlpParams => ({
        w1: t[i] as tf.Tensor2D,
        gamma: t[i + 1] as tf.Tensor1D,
        beta: t[i + 2] as tf.Tensor1D,
        w2: t[i + 3] as tf.Tensor2D,
        b2: t[i + 4] as tf.Tensor1D,
      });
      const g = tf.grads((...t: tf.Tensor[]) => {
        const q: MemoryReconParams = {
          inProj: asMlp(t, 0),
          sourceRecon: asMlp(t, 5),
          targetRecon: asMlp(t, 10),
          crossKey: t[15] as tf.Tensor2D,
          crossMem: t[16] as tf.Tensor2D,
          sourceKey: t[17] as tf.Tensor2D,
          targetKey: t[18] as tf.Tensor2D,
        };
        return memoryRecon(t[19] as tf.Tensor2D, target, feat, featTarget, center, q, opts).total;
      });
      const grads = g([...flat(p), source]);
      order.forEach((name, i) => {
        const gi = grads[i];
        const want = ref.grads[name];
        if (!gi || !want) throw new Error(`missing gradient ${name}`);
        expectAllClose(gi.dataSync(), want, 1e-4, `d total / d ${name}`);
      });
      const gs = grads[19];
      if (!gs) throw new Error('missing source gradient');
      expectAllClose(gs.dataSync(), ref.gsource, 1e-4, 'd total / d source');

      const c = tf.variable(center);
      updateCenter(c, terms.targetSim, 0.9);
      expectAllClose(c.dataSync(), ref.center, 1e-5, 'center');
      tf.dispose([
        c,
        ...grads,
        terms.prediction,
        terms.address,
        terms.byol,
        terms.sourceRecon,
        terms.targetRecon,
        terms.kl,
        terms.total,
        terms.targetSim,
        ...flat(p),
        source,
        target,
        feat,
        featTarget,
        center,
      ]);
    },
  );
});
