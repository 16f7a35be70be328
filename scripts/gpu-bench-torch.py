#!/usr/bin/python3
"""The PyTorch side of `node scripts/gpu-bench.mjs` (FP32, TF32 off, cuDNN on CUDA; the CPU where there is none).

Times, for the same shapes and row keys as src/bench/gpuBench.ts: R3D-18's Conv3D layers forward / input
gradient / filter gradient, attention forward and forward + backward (SDPA, or matmul + softmax + matmul on
torch < 2.0, named in the output), and one torchvision r3d_18 training step (SGD momentum 0.9, cross-entropy)
with its peak CUDA memory. Prints one JSON object. Run with an interpreter that has torch and torchvision:
  /usr/bin/python3 scripts/gpu-bench-torch.py --scale full|ci [--device cuda|cpu] [--reps N]
"""
import argparse
import importlib.util
import json
import pathlib

import torch
import torch.nn.functional as F
import torchvision

HERE = pathlib.Path(__file__).resolve().parent


def sibling(name, file):
    spec = importlib.util.spec_from_file_location(name, HERE / file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


conv_bench = sibling('conv3d_torch_bench', 'conv3d-torch-bench.py')
sdpa_bench = sibling('sdpa_bench', 'sdpa-bench.py')

# batch/clip/size of the conv layers, attention (batch, heads, lengths), training step (batch, clip, size, classes)
SCALES = {
    'full': {'conv': (8, 16, 112), 'attention': (1, 12, (197, 1568)), 'step': (8, 16, 112, 400)},
    'ci': {'conv': (1, 4, 28), 'attention': (1, 2, (197,)), 'step': (1, 4, 28, 400)},
}


def conv_label(name, xs, k, s):
    """src/bench/conv3dCases.ts's shape label: the input channels-last (N, D, H, W, C)."""
    n, c, d, h, w = xs
    return f'{name} x[{n},{d},{h},{w},{c}] k[{",".join(map(str, k))}] s[{",".join(map(str, s))}]'


def row_keys(scale):
    convs = [conv_label(name, xs, k, s) for name, xs, k, _, s in conv_bench.r3d_layers(*scale['conv'])]
    batch, heads, lengths = scale['attention']
    b, t, size, _ = scale['step']
    return (
        [f'conv3d_{which}|{label}' for label in convs for which in ('fwd', 'dgrad', 'wgrad')]
        + [f'{op}|{batch}x{heads}x{length}x64' for op in ('attention_fwd', 'attention_bwd') for length in lengths]
        + [f'r3d_18_train_step|b{b} {t}x{size}x{size}']
    )


def conv_rows(shapes, device, reps, gen):
    rows = []
    for name, xs, k, cout, s in conv_bench.r3d_layers(*shapes):
        n, c, d, h, w = xs
        label = conv_label(name, xs, k, s)
        x = torch.randn(xs, generator=gen).to(device)
        wt = (torch.randn((cout, c, *k), generator=gen) * 0.1).to(device)
        pad = tuple(kk // 2 for kk in k)
        y = F.conv3d(x, wt, stride=s, padding=pad)
        dy = torch.randn(y.shape, generator=gen).to(device)
        fns = {
            'fwd': lambda: F.conv3d(x, wt, stride=s, padding=pad),
            'dgrad': lambda: torch.nn.grad.conv3d_input(x.shape, wt, dy, stride=s, padding=pad),
            'wgrad': lambda: torch.nn.grad.conv3d_weight(x, wt.shape, dy, stride=s, padding=pad),
        }
        with torch.no_grad():
            for which, fn in fns.items():
                rows.append({'op': f'conv3d_{which}', 'shape': label, 'ms': conv_bench.timed(fn, device, reps)})
    return rows


def attention_rows(shapes, device, reps, gen):
    batch, heads, lengths = shapes
    rows = []
    for length in lengths:
        q, k, v, dy = (torch.rand(batch, heads, length, 64, generator=gen).mul(2).sub(1).to(device) for _ in range(4))
        qg, kg, vg = (t.clone().requires_grad_(True) for t in (q, k, v))

        def fwd():
            with torch.no_grad():
                sdpa_bench.attention(q, k, v)

        def fwd_bwd():
            o = sdpa_bench.attention(qg, kg, vg)
            torch.autograd.grad(o, (qg, kg, vg), grad_outputs=dy)

        label = f'{batch}x{heads}x{length}x64'
        for op, fn in (('attention_fwd', fwd), ('attention_bwd', fwd_bwd)):
            rows.append({'op': op, 'shape': label, 'ms': sdpa_bench.time_ms(fn, device, 1, reps)})
    return rows


def train_step_row(shapes, device, reps, gen):
    batch, clip, size, classes = shapes
    torch.manual_seed(3)
    model = torchvision.models.video.r3d_18(num_classes=classes).to(device).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    x = torch.rand(batch, 3, clip, size, size, generator=gen).mul(2).sub(1).to(device)
    y = torch.randint(0, classes, (batch,), generator=gen).to(device)

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()

    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
    ms = conv_bench.timed(step, device, reps)
    peak = torch.cuda.max_memory_allocated(device) if device.type == 'cuda' else None
    return {'op': 'r3d_18_train_step', 'shape': f'b{batch} {clip}x{size}x{size}', 'ms': ms, 'peak_bytes': peak}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--scale', choices=sorted(SCALES), default='ci')
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--keys', action='store_true', help='print the row keys (op|shape) of every scale as JSON and time nothing')
    args = ap.parse_args()
    if args.keys:
        print(json.dumps({name: row_keys(scale) for name, scale in SCALES.items()}))
        return
    scale = SCALES[args.scale]
    device = torch.device(args.device)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    gen = torch.Generator().manual_seed(0)
    rows = conv_rows(scale['conv'], device, args.reps, gen) + attention_rows(scale['attention'], device, args.reps, gen)
    step = train_step_row(scale['step'], device, args.reps, gen)
    label = torch.cuda.get_device_name(device) if device.type == 'cuda' else f'CPU ({torch.get_num_threads()} threads)'
    impl = 'sdpa' if sdpa_bench.SDPA is not None else 'math (matmul + softmax + matmul; torch < 2.0)'
    print(json.dumps({'device': label, 'torch': torch.__version__, 'attention_impl': impl, 'rows': rows, 'step': step}))


if __name__ == '__main__':
    main()
