#!/usr/bin/python3
"""PyTorch reference timings for the Conv3D rows of `tubelet bench kernels` (run with Debian's /usr/bin/python3).

Times torch.nn.functional.conv3d forward, input gradient and filter gradient (FP32, TF32 disabled, cuDNN on a
CUDA device; the CPU otherwise, labelled as such) for the same R3D-18 layer shapes and the depthwise 3x3x3 layer
the studio's benchmark uses. Prints one JSON line: {device, torch, rows:[{op, shape, ms, gflops}]}.
Usage: /usr/bin/python3 scripts/conv3d-torch-bench.py [--hardware] [--reps N]
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F


def r3d_layers(batch, d, hw):
    def down(n, times):
        for _ in range(times):
            n = -(-n // 2)
        return n

    def at(c, d_down, s_down):
        return (batch, c, down(d, d_down), down(hw, s_down), down(hw, s_down))  # NCDHW

    return [
        ('stem 3→64', at(3, 0, 0), (3, 7, 7), 64, (1, 2, 2)),
        ('64→64', at(64, 0, 1), (3, 3, 3), 64, (1, 1, 1)),
        ('64→128 s2', at(64, 0, 1), (3, 3, 3), 128, (2, 2, 2)),
        ('128→256 s2', at(128, 1, 2), (3, 3, 3), 256, (2, 2, 2)),
        ('256→512 s2', at(256, 2, 3), (3, 3, 3), 512, (2, 2, 2)),
    ]


def timed(fn, device, reps):
    fn()
    if device.type == 'cuda':
        torch.cuda.synchronize()
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        if device.type == 'cuda':
            torch.cuda.synchronize()
        samples.append((time.perf_counter() - t0) * 1e3)
    samples.sort()
    return samples[len(samples) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--hardware', action='store_true', help='16x112x112 batch 2 shapes (default: 8x28x28 batch 1)')
    ap.add_argument('--reps', type=int, default=5)
    args = ap.parse_args()
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    layers = r3d_layers(2, 16, 112) if args.hardware else r3d_layers(1, 8, 28)
    depthwise = (2, 96, 16, 56, 56) if args.hardware else (1, 96, 8, 28, 28)
    rows = []
    g = torch.Generator().manual_seed(0)

    def add(op, label, x, w, stride, pad, groups):
        x = x.to(device).requires_grad_(True)
        w = w.to(device).requires_grad_(True)
        y = F.conv3d(x, w, stride=stride, padding=pad, groups=groups)
        dy = torch.randn(y.shape, generator=g).to(device)
        flops = 2 * y.numel() * w.shape[1] * w.shape[2] * w.shape[3] * w.shape[4]
        fwd = lambda: F.conv3d(x, w, stride=stride, padding=pad, groups=groups)
        dgrad = lambda: torch.nn.grad.conv3d_input(x.shape, w, dy, stride=stride, padding=pad, groups=groups)
        wgrad = lambda: torch.nn.grad.conv3d_weight(x, w.shape, dy, stride=stride, padding=pad, groups=groups)
        with torch.no_grad():
            for which, fn in (('fwd', fwd), ('dgrad', dgrad), ('wgrad', wgrad)):
                ms = timed(fn, device, args.reps)
                rows.append({'op': f'{op}_{which}', 'shape': label, 'ms': ms, 'gflops': flops / ms / 1e6})

    for name, xs, k, cout, s in layers:
        x = torch.randn(xs, generator=g)
        w = torch.randn((cout, xs[1], *k), generator=g) * 0.1
        pad = tuple(kk // 2 for kk in k)
        add('conv3d', f'{name} x{list(xs)} k{list(k)} s{list(s)}', x, w, s, pad, 1)
    x = torch.randn(depthwise, generator=g)
    w = torch.randn((96, 1, 3, 3, 3), generator=g) * 0.1
    add('depthwise_conv3d', f'x{list(depthwise)} k[3,3,3] groups=96', x, w, 1, 1, 96)
    name = torch.cuda.get_device_name(0) if device.type == 'cuda' else 'cpu'
    print(json.dumps({'device': name, 'torch': torch.__version__, 'rows': rows}))


if __name__ == '__main__':
    main()
