# Learnability check of Toy Actions (test-time reference, CPU PyTorch): a tiny 3-D CNN should learn all eight
# classes, a frame-averaging 2-D CNN only the four pairs (chance on direction inside each pair).
# Usage: /usr/bin/python3 scripts/toy-learnability/train.py DIR [r3d|avg2d] [EPOCHS]
import sys, time
import numpy as np, torch, torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)
T, S, CLIP, STEP, CROP = 32, 64, 8, 4, 56
root, which, epochs = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else 'r3d'), int(sys.argv[3] if len(sys.argv) > 3 else 10)


def load(split):
    x = np.fromfile(f'{root}/{split}.u8', np.uint8).reshape(-1, T, S, S, 3)
    return x, np.fromfile(f'{root}/{split}.labels', np.uint8).astype(np.int64)


def clips(x, train):
    """8 frames at interval 4 (random phase) and a 56² crop (random when training): f32[N, 3, 8, 56, 56]."""
    n = len(x)
    s = rng.integers(0, STEP, n) if train else np.full(n, STEP // 2)
    oy = rng.integers(0, S - CROP + 1, n) if train else np.full(n, (S - CROP) // 2)
    ox = rng.integers(0, S - CROP + 1, n) if train else np.full(n, (S - CROP) // 2)
    out = np.stack([x[i, s[i]::STEP][:CLIP, oy[i]:oy[i] + CROP, ox[i]:ox[i] + CROP] for i in range(n)])
    return torch.from_numpy(out).float().permute(0, 4, 1, 2, 3).div(255).sub(0.45).div(0.225)


def conv(d, i, o, s):
    c, b = (nn.Conv3d, nn.BatchNorm3d) if d == 3 else (nn.Conv2d, nn.BatchNorm2d)
    return nn.Sequential(c(i, o, 3, s, 1, bias=False), b(o), nn.ReLU())


class R3D(nn.Module):
    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(conv(3, 3, 16, (1, 2, 2)), conv(3, 16, 32, 2), conv(3, 32, 64, 2))
        self.h = nn.Linear(64, 8)

    def forward(self, x):  # global max pooling: the object is small, average pooling learns far slower
        return self.h(self.f(x).amax((2, 3, 4)))


class Avg2D(nn.Module):
    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(conv(2, 3, 16, 2), conv(2, 16, 32, 2), conv(2, 32, 64, 2))
        self.h = nn.Linear(64, 8)

    def forward(self, x):
        return self.h(self.f(x.mean(2)).amax((2, 3)))


(xtr, ytr), (xva, yva) = load('train'), load('val')
model = R3D() if which == 'r3d' else Avg2D()
steps = (len(xtr) + 15) // 16
opt = torch.optim.AdamW(model.parameters(), 1e-2, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, 1e-2, total_steps=epochs * steps)
t0 = time.time()
for ep in range(epochs):
    model.train()
    perm = rng.permutation(len(xtr))
    for b in range(0, len(perm), 16):
        idx = perm[b:b + 16]
        loss = nn.functional.cross_entropy(model(clips(xtr[idx], True)), torch.from_numpy(ytr[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(clips(xva[b:b + 32], False)).argmax(1) for b in range(0, len(xva), 32)]).numpy()
    pair = (pred // 2) == (yva // 2)
    print(f'{which} epoch {ep + 1}: val top-1 {(pred == yva).mean():.3f}, right pair {pair.mean():.3f}, '
          f'right direction within the right pair {(pred[pair] == yva[pair]).mean():.3f} ({time.time() - t0:.0f} s)', flush=True)
