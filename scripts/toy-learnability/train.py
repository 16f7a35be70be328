# Learnability check of Toy Actions (test-time reference, CPU PyTorch): the zoo's toy_r3d should learn all eight
# classes, the frame-averaging toy_avg2d only the four pairs (chance on direction inside each pair). The two
# models here are the PyTorch twins of src/models/zoo/toy.ts (same module names, widths 8/16/32 × --width).
# Data as the toy-actions-r3d-tiny preset: frames resized to 32², 8 frames at interval 4, a random 28² crop
# when training, the centre 28² at validation.
# Usage: /usr/bin/python3 scripts/toy-learnability/train.py DIR [--model r3d|avg2d] [--epochs N] [--width M]
import argparse, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
import toydata

ap = argparse.ArgumentParser()
ap.add_argument('root')
ap.add_argument('--model', default='r3d', choices=['r3d', 'avg2d'])
ap.add_argument('--epochs', type=int, default=10)
ap.add_argument('--width', type=float, default=1.0)
ap.add_argument('--batch', type=int, default=8)
ap.add_argument('--lr', type=float, default=5e-3)
ap.add_argument('--res', type=int, default=32)
ap.add_argument('--crop', type=int, default=28)
ap.add_argument('--seed', type=int, default=0)
a = ap.parse_args()

torch.set_num_threads(1)
torch.manual_seed(a.seed)
rng = np.random.default_rng(a.seed)
T, CLIP, STEP = toydata.T, 8, 4


def load(split):
    return toydata.load(a.root, split, a.res)


def clips(x, train):
    return toydata.clips(x, train, rng, CLIP, STEP, a.crop)


def block(d, i, o, s):
    k = (1, 3, 3) if d == 2 else 3
    return nn.Sequential(nn.Conv3d(i, o, k, s, (0, 1, 1) if d == 2 else 1, bias=False), nn.BatchNorm3d(o), nn.ReLU())


class Toy(nn.Module):
    def __init__(self, avg):
        super().__init__()
        w = [max(1, round(c * a.width)) for c in (8, 16, 32)]
        d, s2 = (2, (1, 2, 2)) if avg else (3, 2)
        self.avg = avg
        self.f = nn.Sequential(block(d, 3, w[0], 1), block(d, w[0], w[1], s2), block(d, w[1], w[2], s2))
        self.h = nn.Linear(w[2], 8)

    def forward(self, x):
        if self.avg:
            x = x.mean(2, keepdim=True)
        return self.h(self.f(x).amax((2, 3, 4)))


(xtr, ytr), (xva, yva) = load('train'), load('val')
model = Toy(a.model == 'avg2d')
print(f'{a.model}: {sum(p.numel() for p in model.parameters())} parameters', flush=True)
steps = (len(xtr) + a.batch - 1) // a.batch
opt = torch.optim.AdamW(model.parameters(), a.lr, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, a.lr, total_steps=a.epochs * steps)
t0 = time.time()
for ep in range(a.epochs):
    model.train()
    perm = rng.permutation(len(xtr))
    for b in range(0, len(perm), a.batch):
        idx = perm[b:b + a.batch]
        loss = F.cross_entropy(model(clips(xtr[idx], True)), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(clips(xva[b:b + 32], False)).argmax(1) for b in range(0, len(xva), 32)])
    pair = (pred // 2) == (yva // 2)
    print(f'{a.model} epoch {ep + 1}: val top-1 {(pred == yva).float().mean():.3f}, right pair '
          f'{pair.float().mean():.3f}, right direction within the right pair '
          f'{(pred[pair] == yva[pair]).float().mean():.3f} ({time.time() - t0:.0f} s)', flush=True)
