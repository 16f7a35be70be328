// BYOL momentum schedule, EMA, and loss + gradients against a PyTorch reference of the published equations
// (Debian /usr/bin/python3 torch at test time).
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../models/tf.ts';
import { Rng } from '../../shared/random.ts';
import { expectAllClose, runTorch } from './testing/torchRef.ts';
import { byolMomentum, byolSymmetricLoss, emaUpdate } from './byol.ts';

const TORCH_SCRIPT = String.raw`
import json, sys, torch
import torch.nn.functional as F
s = json.loads(sys.stdin.read())
B, D, T = s['B'], s['D'], s['T']
t = lambda k, g: torch.tensor(s[k], dtype=torch.float64).reshape(B, D).requires_grad_(g)
p1, p2, z1, z2 = t('p1', True), t('p2', True), t('z1', False), t('z2', False)
def sim(p, z):
    return -(F.normalize(p, dim=1) * F.normalize(z, dim=1)).sum(1).mean() / T
loss = sim(p1, z2) + sim(p2, z1)
loss.backward()
print(json.dumps({'loss': loss.item(), 'g1': p1.grad.flatten().tolist(), 'g2': p2.grad.flatten().tolist()}))
`;

describe('BYOL', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('anneals momentum with a cosine from 0.996 to 1', () => {
    expect(byolMomentum(0, 100)).toBeCloseTo(0.996, 12);
    expect(byolMomentum(50, 100)).toBeCloseTo(0.998, 12);
    expect(byolMomentum(100, 100)).toBeCloseTo(1, 12);
    expect(byolMomentum(25, 100)).toBeCloseTo(1 - (0.004 * (Math.cos(Math.PI / 4) + 1)) / 2, 12);
    for (let e = 1; e <= 100; e++) expect(byolMomentum(e, 100)).toBeGreaterThan(byolMomentum(e - 1, 100));
  });

  it('EMA moves the target by (1−m) towards the online weights', () => {
    const t = tf.variable(tf.tensor1d([1, 2]));
    const o = tf.tensor1d([3, 6]);
    emaUpdate([t], [o], 0.75);
    expect(Array.from(t.dataSync())).toEqual([1.5, 3]);
    t.dispose();
    o.dispose();
  });

  it('symmetric loss and its gradients equal the PyTorch reference within 1e-4', async () => {
    const B = 4;
    const D = 8;
    const rng = new Rng(15);
    const arr = (): number[] => Array.from({ length: B * D }, () => rng.next() * 2 - 1);
    const spec = { B, D, T: 0.5, p1: arr(), p2: arr(), z1: arr(), z2: arr() };
    const ref = await runTorch<{ loss: number; g1: number[]; g2: number[] }>(TORCH_SCRIPT, spec);
    const [p1, p2, z1, z2] = [spec.p1, spec.p2, spec.z1, spec.z2].map((a) => tf.tensor2d(a, [B, D]));
    if (!p1 || !p2 || !z1 || !z2) throw new Error('tensors');
    const value = byolSymmetricLoss(p1, p2, z1, z2, 0.5);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      byolSymmetricLoss(a as tf.Tensor2D, b as tf.Tensor2D, z1, z2, 0.5),
    );
    const [g1, g2] = g([p1, p2]);
    if (!g1 || !g2) throw new Error('gradients');
    expectAllClose(value.dataSync(), [ref.loss], 1e-4, 'loss');
    expectAllClose(g1.dataSync(), ref.g1, 1e-4, 'dL/dp1');
    expectAllClose(g2.dataSync(), ref.g2, 1e-4, 'dL/dp2');
    tf.dispose([value, p1, p2, z1, z2, g1, g2]);
  });
});
