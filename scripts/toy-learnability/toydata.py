# Toy Actions as render.ts writes it (test-time reference, CPU PyTorch), shared by train.py and train_vit.py:
# the 32-frame 64² videos resized to res², and clips of `clip` frames at `step` with a crop (random when training,
# centred at validation), normalised with the SlowFast mean/std.
import numpy as np, torch, torch.nn.functional as F

T, S = 32, 64


def load(root, split, res):
    """f32[N, 3, T, res, res] (0..255) and the labels i64[N]."""
    x = np.fromfile(f'{root}/{split}.u8', np.uint8).reshape(-1, T, S, S, 3)
    x = torch.from_numpy(x).float().permute(0, 1, 4, 2, 3).reshape(-1, 3, S, S)
    x = F.interpolate(x, size=(res, res), mode='area')
    y = np.fromfile(f'{root}/{split}.labels', np.uint8).astype(np.int64)
    return x.reshape(-1, T, 3, res, res).permute(0, 2, 1, 3, 4).contiguous(), torch.from_numpy(y)


def clips(x, train, rng, clip, step, crop):
    """`clip` frames at interval `step` (random start when training) and a crop: f32[N, 3, clip, crop, crop]."""
    res = x.shape[-1]
    span, free = (clip - 1) * step + 1, res - crop
    out = []
    for i in range(len(x)):
        s = int(rng.integers(0, T - span + 1)) if train else (T - span) // 2
        oy, ox = (int(rng.integers(0, free + 1)), int(rng.integers(0, free + 1))) if train else (free // 2, free // 2)
        out.append(x[i, :, s:s + span:step, oy:oy + crop, ox:ox + crop])
    return (torch.stack(out) / 255 - 0.45) / 0.225
